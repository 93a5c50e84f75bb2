"""Slack's Block Kit limits, and the one way texts are made to fit them.

A text object holds at most 3,000 characters, a header 150, a modal's title 24; a message holds
at most 50 blocks. What people write (titles, summaries, action items) has no such limit, so
every text the builders put in a block goes through `fit`, which shortens it visibly ("…")
and never inside Slack markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TEXT_MAX = 3000  # a text object (section, context element)
HEADER_MAX = 150
MODAL_TITLE_MAX = 24  # also a modal's submit and close buttons
MESSAGE_BLOCKS_MAX = 50
ELLIPSIS = "…"
# An unfinished mention, link or date (`<@U1`, `<https://…|label`) or escape (`&amp`) at the end.
_OPEN_MARKUP = re.compile(r"(<[^<>]*|&[a-z#0-9]*)$")


def fit(text: str, limit: int = TEXT_MAX, *, plain: bool = False) -> str:
    """`text`, or its beginning and "…" within `limit` characters. In mrkdwn (not `plain`) the
    cut never splits a `<…>` token or an `&…;` escape: a mention, link or date is kept whole
    or left out."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    if not plain:
        head = _OPEN_MARKUP.sub("", head)
    return head.rstrip() + ELLIPSIS


def packed(lines: Iterable[str], limit: int = TEXT_MAX) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as hold them, each line
    whole (a line alone over the limit is `fit`)."""
    texts: list[str] = []
    for line in (fit(line, limit) for line in lines):
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text)}}


def sections(lines: Iterable[str]) -> list[dict[str, Any]]:
    """A long list as consecutive sections, nothing left out (a section holds 3,000
    characters); within a message's 50 blocks, with room for a few more."""
    texts = packed(lines)
    room = MESSAGE_BLOCKS_MAX - 5
    if len(texts) > room:
        texts = [*texts[: room - 1], ELLIPSIS]
    return [section(text) for text in texts]
