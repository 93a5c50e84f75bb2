"""The bot's forms (modals), in the workspace's language: closing an incident, and adding a
message to its timeline. Each choice shows a translated word and sends the command's word."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.domain.messages import N_
from bot.domain.model import DETECTIONS, INTERVENTIONS, Incident
from bot.i18n import Translator
from handlers.blocks import Block, context
from handlers.kit import MODAL_TITLE_MAX, fit

CLOSE_MODAL = "close_incident"
CAPTURE_MODAL = "add_to_timeline_modal"
SLACK_INPUT_MAX = 3000  # Slack's limit for a text input's value
YES_NO = (N_("no"), N_("yes"))


def close_modal(
    t: Translator,
    incident: Incident,
    *,
    closed_at: datetime,
    impact: str,
    data_loss: bool | None,
    intervention: str | None,
    detected_by: str | None,
    reviewers: tuple[str, ...],
) -> dict[str, Any]:
    """The modal that asks for the close facts, pre-filled with what is known."""
    _ = t.gettext
    blocks = [
        _input(
            "closed_at",
            _("Closed at"),
            {
                "type": "datetimepicker",
                "initial_date_time": int(closed_at.timestamp()),
            },
        ),
        _input(
            "impact",
            _("User impact (e.g. 25m, 1h30m, or none)"),
            {
                "type": "plain_text_input",
                "initial_value": impact,
            },
        ),
        _input("data_loss", _("Was any data lost?"), _radio(t, YES_NO, _yes_no(data_loss))),
        _input("intervention", _("Engineer intervention"), _select(t, INTERVENTIONS, intervention)),
        _input("detected_by", _("Detected by"), _select(t, DETECTIONS, detected_by)),
        _input(
            "reviewers",
            _("Postmortem reviewers"),
            {
                "type": "multi_users_select",
                **({"initial_users": list(reviewers)} if reviewers else {}),
            },
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CLOSE_MODAL,
        "private_metadata": json.dumps(
            {"incident_id": incident.id, "channel_id": incident.channel_id}
        ),
        "title": modal_title(_("Close %(ref)s", ref=incident.ref)),
        "submit": {"type": "plain_text", "text": _("Close incident")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": blocks,
    }


def modal_title(text: str) -> Block:
    """A modal's title: plain text of at most 24 characters."""
    return {"type": "plain_text", "text": fit(text, MODAL_TITLE_MAX, plain=True)}


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": block_id},
    }


def _option(t: Translator, value: str) -> Block:
    """A choice: its value is the command's word, which is also its message id."""
    return {"text": {"type": "plain_text", "text": t.gettext(value)}, "value": value}


def _select(t: Translator, values: tuple[str, ...], initial: str | None) -> Block:
    element: Block = {"type": "static_select", "options": [_option(t, v) for v in values]}
    if initial:
        element["initial_option"] = _option(t, initial)
    return element


def _radio(t: Translator, values: tuple[str, ...], initial: str | None) -> Block:
    element: Block = {"type": "radio_buttons", "options": [_option(t, v) for v in values]}
    if initial:
        element["initial_option"] = _option(t, initial)
    return element


def impact_text(impact: timedelta | None) -> str:
    """How a known impact pre-fills the modal's text field, in the form the parser reads."""
    if impact is None:
        return "none"
    days, rest = divmod(int(impact.total_seconds()), 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    parts = zip((days, hours, mins, secs), "dhms", strict=True)
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0m"


def capture_modal(
    t: Translator, incident: Incident, *, channel_id: str, ts: str, text: str
) -> dict[str, Any]:
    """The shortcut's modal: the message's text and time, to adjust before adding."""
    _ = t.gettext
    at = {"type": "datetimepicker", "initial_date_time": int(float(ts))}
    if len(text) <= SLACK_INPUT_MAX:
        text_block = _input(
            "text",
            _("Text"),
            {
                "type": "plain_text_input",
                "multiline": True,
                "initial_value": text,
            },
        )
    else:  # too long to edit here; say so rather than cutting it silently
        text_block = context(
            _(
                "This message is longer than Slack lets me show in a form; "
                "its full text will be added as it is."
            )
        )
    return {
        "type": "modal",
        "callback_id": CAPTURE_MODAL,
        "private_metadata": json.dumps({"channel": channel_id, "ts": ts}),
        "title": modal_title(_("Add to %(ref)s", ref=incident.ref)),
        "submit": {"type": "plain_text", "text": _("Add")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [text_block, _input("at", _("When it happened"), at)],
    }
