"""Slack's Block Kit rules, checked on what the bot sends to Slack.

slack_sdk's typed models (``Block.parse``, ``View``; ``to_dict()`` runs every validator of the
object and of each object inside it) know most of Slack's limits. Slack also refuses what the
models let through, so these are checked too:

- a text object holds 1 to 3,000 characters (an empty text is refused);
- a message has at most 50 blocks (a view's 100 is the model's);
- a modal has a title, and a submit button when it has an input;
- no key the model does not know (a misspelt key is refused, or silently ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
TEXT_MIN, TEXT_MAX = 1, 3000
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
_BUILD_ERRORS = (SlackObjectFormationError, TypeError, KeyError, ValueError, AttributeError)


def problems(payload: Mapping[str, Any]) -> list[str]:
    """What Slack would refuse in the ``blocks`` and ``view`` of one payload: a Web API call's
    arguments, a response_url post or a request's acknowledgement body."""
    found = []
    if payload.get("blocks") is not None:
        found += message_blocks(payload["blocks"])
    if payload.get("view") is not None:
        found += view(payload["view"])
    return found


def message_blocks(blocks: Any) -> list[str]:
    if not isinstance(blocks, list):
        return [f"blocks: not a list of blocks ({type(blocks).__name__})"]
    found = (
        []
        if len(blocks) <= MESSAGE_BLOCKS_MAX
        else [f"blocks: {len(blocks)} blocks, a message holds at most {MESSAGE_BLOCKS_MAX}"]
    )
    for i, raw in enumerate(blocks):
        found += block(raw, f"blocks[{i}]")
    return found


def block(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, dict):
        return [f"{where}: not an object"]
    where = f"{where} ({raw.get('type')})"
    try:
        model = Block.parse(raw)
        if model is None:
            return [f"{where}: unknown block type"]
        built = model.to_dict()
    except _BUILD_ERRORS as exc:
        return [f"{where}: {exc}"]
    return [f"{where}: {p}" for p in _unknown_keys(raw, built, "") + _texts(raw, "")]


def view(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return [f"view: not an object ({type(raw).__name__})"]
    found = [f"view.{p}" for p in _modal_rules(raw)]
    blocks = raw.get("blocks")
    if not isinstance(blocks, list) or not 0 < len(blocks) <= View.blocks_max_length:
        found.append(f"view.blocks: a view holds 1 to {View.blocks_max_length} blocks")
    for i, each in enumerate(blocks if isinstance(blocks, list) else []):
        found += [f"view.{p}" for p in block(each, f"blocks[{i}]")]
    head = {k: v for k, v in raw.items() if k != "blocks"}
    try:
        model = View(**head)
        model.blocks = None  # checked above, one by one
        built = model.to_dict()
    except _BUILD_ERRORS as exc:
        return [*found, f"view: {exc}"]
    return found + [f"view.{p}" for p in _unknown_keys(head, built, "") + _texts(head, "")]


def _modal_rules(raw: Mapping[str, Any]) -> list[str]:
    if raw.get("type") != "modal":
        return []
    found = [] if raw.get("title") else ["title: a modal needs a title"]
    has_input = any(
        isinstance(b, dict) and b.get("type") == "input" for b in raw.get("blocks") or []
    )
    if has_input and not raw.get("submit"):
        found.append("submit: a modal with an input needs a submit button")
    return found


def _unknown_keys(raw: Any, built: Any, path: str) -> list[str]:
    """Keys of `raw` (with a value) that the model dropped: it does not know them."""
    if isinstance(raw, dict) and isinstance(built, dict):
        found = []
        for key, value in raw.items():
            if key not in built:
                if value not in (None, [], {}, ""):
                    found.append(f"{path}{key}: not a key of this object")
                continue
            found += _unknown_keys(value, built[key], f"{path}{key}.")
        return found
    if isinstance(raw, list) and isinstance(built, list) and len(raw) == len(built):
        return [
            p
            for i, (r, b) in enumerate(zip(raw, built, strict=True))
            for p in _unknown_keys(r, b, f"{path.removesuffix('.')}[{i}].")
        ]
    return []


def _texts(raw: Any, path: str) -> list[str]:
    """Every text object holds 1 to 3,000 characters."""
    if isinstance(raw, list):
        return [p for i, v in enumerate(raw) for p in _texts(v, f"{path.removesuffix('.')}[{i}].")]
    if not isinstance(raw, dict):
        return []
    found = []
    if raw.get("type") in TEXT_TYPES and "text" in raw:
        text = raw["text"]
        where = path.removesuffix(".") or "text"
        if not isinstance(text, str) or not TEXT_MIN <= len(text) <= TEXT_MAX:
            size = len(text) if isinstance(text, str) else type(text).__name__
            found.append(
                f"{where}: a text object holds {TEXT_MIN} to {TEXT_MAX} characters, not {size}"
            )
    for key, value in raw.items():
        found += _texts(value, f"{path}{key}.")
    return found
