"""The bot's forms (modals), in the workspace's language: closing an incident, and adding a
message to its timeline. Each choice shows a translated word and sends the command's word."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    Block,
    DateTimePickerElement,
    InputBlock,
    InputInteractiveElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.messages import N_
from bot.domain.model import DETECTIONS, INTERVENTIONS, Incident
from bot.domain.timeline_review import Finding
from bot.i18n import Translator
from handlers.blocks import review_sections
from handlers.kit import context, field, modal, option, text_box

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
    findings: Sequence[Finding] = (),
) -> View:
    """The modal that asks for the close facts, pre-filled with what is known; above them, what
    in the timeline looks wrong (the timeline review: it changes nothing)."""
    _ = t.gettext
    blocks: list[Block] = [
        *_timeline_check(t, findings),
        _input("closed_at", _("Closed at"), _at(closed_at.timestamp())),
        text_box(
            "impact",
            _("User impact (e.g. 25m, 1h30m, or none)"),
            multiline=None,
            initial=impact,
            optional=False,
        ),
        _input("data_loss", _("Was any data lost?"), _radio(t, YES_NO, _yes_no(data_loss))),
        _input("intervention", _("Engineer intervention"), _select(t, INTERVENTIONS, intervention)),
        _input("detected_by", _("Detected by"), _select(t, DETECTIONS, detected_by)),
        _input(
            "reviewers",
            _("Postmortem reviewers"),
            UserMultiSelectElement(initial_users=list(reviewers) or None),
            optional=True,
        ),
    ]
    return modal(
        callback_id=CLOSE_MODAL,
        private_metadata=json.dumps(
            {"incident_id": incident.id, "channel_id": incident.channel_id}
        ),
        title=_("Close %(ref)s", ref=incident.ref),
        submit=_("Close incident"),
        close=_("Cancel"),
        blocks=blocks,
    )


def _timeline_check(t: Translator, findings: Sequence[Finding]) -> list[Block]:
    if not findings:
        return []
    head = t.ngettext(
        "*Timeline check*: %(n)s thing to look at before you close (nothing is changed: "
        "close anyway, or cancel and correct the timeline first):",
        "*Timeline check*: %(n)s things to look at before you close (nothing is changed: "
        "close anyway, or cancel and correct the timeline first):",
        len(findings),
    )
    found = review_sections(t, head, findings)
    for i, block in enumerate(found, 1):
        block.block_id = f"timeline_check_{i}"
    return found


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _input(
    block_id: str, label: str, element: InputInteractiveElement, *, optional: bool = False
) -> InputBlock:
    return field(block_id, label, element, optional=optional)


def _at(timestamp: float) -> DateTimePickerElement:
    return DateTimePickerElement(initial_date_time=int(timestamp))


def _select(t: Translator, values: tuple[str, ...], initial: str | None) -> StaticSelectElement:
    """Choices: each value is the command's word, which is also its message id."""
    return StaticSelectElement(
        options=[option(v, t.gettext(v)) for v in values],
        initial_option=option(initial, t.gettext(initial)) if initial else None,
    )


def _radio(t: Translator, values: tuple[str, ...], initial: str | None) -> RadioButtonsElement:
    return RadioButtonsElement(
        options=[option(v, t.gettext(v)) for v in values],
        initial_option=option(initial, t.gettext(initial)) if initial else None,
    )


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
) -> View:
    """The shortcut's modal: the message's text and time, to adjust before adding."""
    _ = t.gettext
    text_block: Block
    if len(text) <= SLACK_INPUT_MAX:
        text_block = text_box("text", _("Text"), initial=text, optional=False)
    else:  # too long to edit here; say so rather than cutting it silently
        text_block = context(
            _(
                "This message is longer than Slack lets me show in a form; "
                "its full text will be added as it is."
            )
        )
    return modal(
        callback_id=CAPTURE_MODAL,
        private_metadata=json.dumps({"channel": channel_id, "ts": ts}),
        title=_("Add to %(ref)s", ref=incident.ref),
        submit=_("Add"),
        close=_("Cancel"),
        blocks=[text_block, _input("at", _("When it happened"), _at(float(ts)))],
    )
