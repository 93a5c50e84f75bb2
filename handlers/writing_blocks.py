"""Modals and messages for writing the postmortem in Slack, in the workspace's language."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, StaticSelectElement
from slack_sdk.models.views import View

from bot.domain.model import Incident, Postmortem, SectionRevision
from bot.domain.mrkdwn import escape
from bot.domain.postmortem import LABELS, SECTION_KEYS
from bot.i18n import Translator
from handlers.blocks import when
from handlers.kit import (
    TEXT_MAX,
    actions,
    button,
    context,
    field,
    fit,
    modal,
    option,
    text_box,
)
from handlers.kit import section as mrkdwn_block  # `section` here names the document's section

EDIT = "postmortem_edit"
PICK_MODAL = "postmortem_edit_pick"
SECTION_MODAL = "postmortem_edit_section"
HELPFUL = "feedback_helpful"
LEAVE_FEEDBACK = "feedback_comment"
FEEDBACK_MODAL = "feedback_modal"
BOX = 3000  # Slack's limit for one text input
MAX_BOXES = 5  # a section of up to 15,000 characters can be edited here
# The sections written here: action items themselves have their commands, the reason none is
# needed is written here. Their headings are bot/domain/postmortem.py's LABELS.
EDITABLE = tuple(k for k in SECTION_KEYS if k != "action_items")


def split(text: str) -> tuple[list[str], list[str]]:
    """Cut a section into boxes Slack accepts, at line breaks where possible; returns the
    boxes and the joiners that put it back together exactly."""
    boxes, joiners = [], []
    while len(text) > BOX:
        cut = text.rfind("\n", BOX // 2, BOX)
        if cut == -1:
            boxes.append(text[:BOX])
            joiners.append("")
            text = text[BOX:]
        else:
            boxes.append(text[:cut])
            joiners.append("\n")
            text = text[cut + 1 :]
    return [*boxes, text], joiners


def join(boxes: list[str], joiners: list[str]) -> str:
    out = boxes[0] if boxes else ""
    for joiner, box in zip(joiners, boxes[1:], strict=False):
        out += joiner + box
    extra = boxes[len(joiners) + 1 :]  # boxes the writer filled beyond the original ones
    return "\n".join([out, *[b for b in extra if b]]) if any(extra) else out


def edit_button(t: Translator, pm: Postmortem) -> ButtonElement:
    return button(EDIT, t.gettext("Edit sections"), pm.id)


def picker(t: Translator, incident: Incident, pm: Postmortem) -> View:
    options = [option(k, t.gettext(LABELS[k])) for k in EDITABLE]
    return modal(
        callback_id=PICK_MODAL,
        private_metadata=str(pm.id),
        title=t.gettext("Edit %(ref)s", ref=incident.ref),
        submit=t.gettext("Next"),
        blocks=[field("section", t.gettext("Section"), StaticSelectElement(options=options))],
    )


def section_modal(
    t: Translator,
    incident: Incident,
    pm: Postmortem,
    section: str,
    text: str,
    *,
    base_version: int,
    conflict: SectionRevision | None = None,
) -> View:
    """The section in boxes of 3,000 characters (one spare box to grow into)."""
    boxes, joiners = split(text)
    if len(boxes) > MAX_BOXES:
        raise ValueError("too long")
    boxes += [""] * min(1, MAX_BOXES - len(boxes))
    label = t.gettext(LABELS[section])
    blocks: list[Block] = []
    if conflict is not None:
        fence = "```"  # theirs in a code block, shortened inside it so the block stays closed
        theirs = fit(escape(conflict.after) or " ", TEXT_MAX - 2 * len(fence))
        said = t.gettext(
            ":warning: <@%(user)s> saved *%(section)s* %(when)s while you were editing. Nothing "
            "is lost: theirs is saved, yours is below. Merge them and save again. Their text:",
            user=conflict.changed_by,
            section=label,
            when=when(conflict.changed_at),
        )
        blocks += [mrkdwn_block(said), mrkdwn_block(f"{fence}{theirs}{fence}")]
    blocks += [
        text_box(
            f"text_{i}",
            label if i == 0 else t.gettext("…continued"),
            max_length=BOX,
            initial=box or None,
            optional=True,
        )
        for i, box in enumerate(boxes)
    ]
    hint = t.gettext(
        "Slack's boxes hold 3,000 characters each: go on in the next box. "
        "Write about systems and causes, not people."
    )
    if section == "no_action_items":
        hint = (
            t.gettext(
                "No action item needed? Say why: it is shown under Action items while there are "
                "none. To add one instead: `/incident action add <text>`."
            )
            + "\n"
            + hint
        )
    meta = {"pm": pm.id, "section": section, "version": base_version, "joiners": joiners}
    return modal(
        callback_id=SECTION_MODAL,
        private_metadata=json.dumps(meta),
        title=f"{incident.ref}: {label}",
        submit=t.gettext("Save"),
        blocks=[*blocks, context(hint)],
    )


def feedback_buttons(t: Translator, pm: Postmortem) -> ActionsBlock:
    return actions(
        button(HELPFUL, t.gettext("Helpful"), pm.id),
        button(LEAVE_FEEDBACK, t.gettext("Leave feedback"), pm.id),
    )


def feedback_modal(t: Translator, incident: Incident, pm: Postmortem) -> View:
    return modal(
        callback_id=FEEDBACK_MODAL,
        private_metadata=str(pm.id),
        title=t.gettext("Feedback %(ref)s", ref=incident.ref),
        submit=t.gettext("Send to the author"),
        blocks=[
            text_box(
                "text",
                t.gettext("What did you take away, or what would you ask?"),
                max_length=BOX,
            )
        ],
    )
