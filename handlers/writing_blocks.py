"""Modals and messages for writing the postmortem in Slack, in the workspace's language."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.messages import N_
from bot.domain.model import Incident, Postmortem, SectionRevision
from bot.domain.mrkdwn import escape
from bot.domain.postmortem import SECTION_KEYS
from bot.i18n import Translator
from handlers.blocks import Block, when
from handlers.forms import modal_title
from handlers.kit import TEXT_MAX, fit

EDIT = "postmortem_edit"
PICK_MODAL = "postmortem_edit_pick"
SECTION_MODAL = "postmortem_edit_section"
HELPFUL = "feedback_helpful"
LEAVE_FEEDBACK = "feedback_comment"
FEEDBACK_MODAL = "feedback_modal"
BOX = 3000  # Slack's limit for one text input
MAX_BOXES = 5  # a section of up to 15,000 characters can be edited here
LABELS = {  # the document's headings (templates/postmortem.md.j2)
    "summary": N_("Summary"),
    "impact": N_("Impact"),
    "root_cause": N_("Root cause"),
    "trigger": N_("Trigger"),
    "response": N_("Response"),
    "detection": N_("Detection"),
    "went_well": N_("What went well"),
    "went_wrong": N_("What went wrong"),
    "lucky": N_("Where we got lucky"),
    "action_items": N_("Action items"),
    "references": N_("References"),
}
EDITABLE = tuple(k for k in SECTION_KEYS if k != "action_items")  # items have their commands


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


def edit_button(t: Translator, pm: Postmortem) -> Block:
    return {
        "type": "button",
        "action_id": EDIT,
        "value": str(pm.id),
        "text": {"type": "plain_text", "text": t.gettext("Edit sections")},
    }


def picker(t: Translator, incident: Incident, pm: Postmortem) -> dict[str, Any]:
    options = [
        {"text": {"type": "plain_text", "text": t.gettext(LABELS[k])}, "value": k} for k in EDITABLE
    ]
    return {
        "type": "modal",
        "callback_id": PICK_MODAL,
        "private_metadata": str(pm.id),
        "title": modal_title(t.gettext("Edit %(ref)s", ref=incident.ref)),
        "submit": {"type": "plain_text", "text": t.gettext("Next")},
        "blocks": [
            {
                "type": "input",
                "block_id": "section",
                "label": {"type": "plain_text", "text": t.gettext("Section")},
                "element": {"type": "static_select", "action_id": "section", "options": options},
            }
        ],
    }


def section_modal(
    t: Translator,
    incident: Incident,
    pm: Postmortem,
    section: str,
    text: str,
    *,
    base_version: int,
    conflict: SectionRevision | None = None,
) -> dict[str, Any]:
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
        blocks += [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": t.gettext(
                        ":warning: <@%(user)s> saved *%(section)s* %(when)s while you were "
                        "editing. Nothing is lost: theirs is saved, yours is below. "
                        "Merge them and save again. Their text:",
                        user=conflict.changed_by,
                        section=label,
                        when=when(conflict.changed_at),
                    ),
                },
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{fence}{theirs}{fence}"}},
        ]
    for i, box in enumerate(boxes):
        element = {
            "type": "plain_text_input",
            "action_id": f"text_{i}",
            "multiline": True,
            "max_length": BOX,
            **({"initial_value": box} if box else {}),
        }
        blocks.append(
            {
                "type": "input",
                "block_id": f"text_{i}",
                "optional": True,
                "element": element,
                "label": {
                    "type": "plain_text",
                    "text": label if i == 0 else t.gettext("…continued"),
                },
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": t.gettext(
                        "Slack's boxes hold 3,000 characters each: go on in the next box. "
                        "Write about systems and causes, not people."
                    ),
                }
            ],
        }
    )
    meta = {"pm": pm.id, "section": section, "version": base_version, "joiners": joiners}
    return {
        "type": "modal",
        "callback_id": SECTION_MODAL,
        "private_metadata": json.dumps(meta),
        "title": modal_title(f"{incident.ref}: {label}"),
        "submit": {"type": "plain_text", "text": t.gettext("Save")},
        "blocks": blocks,
    }


def feedback_buttons(t: Translator, pm: Postmortem) -> Block:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": HELPFUL,
                "value": str(pm.id),
                "text": {"type": "plain_text", "text": t.gettext("Helpful")},
            },
            {
                "type": "button",
                "action_id": LEAVE_FEEDBACK,
                "value": str(pm.id),
                "text": {"type": "plain_text", "text": t.gettext("Leave feedback")},
            },
        ],
    }


def feedback_modal(t: Translator, incident: Incident, pm: Postmortem) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": FEEDBACK_MODAL,
        "private_metadata": str(pm.id),
        "title": modal_title(t.gettext("Feedback %(ref)s", ref=incident.ref)),
        "submit": {"type": "plain_text", "text": t.gettext("Send to the author")},
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": {
                    "type": "plain_text",
                    "text": t.gettext("What did you take away, or what would you ask?"),
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": BOX,
                },
            }
        ],
    }
