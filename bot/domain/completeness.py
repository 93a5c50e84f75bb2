"""Whether a postmortem is written enough to be reviewed: the one rule every surface asks.

The policy's ``postmortem.required`` names the sections that must be written before review
(by default summary, impact, root cause and action items). A section is written when its text
is not blank once whitespace, Markdown emphasis and the draft's hint are taken away: an
untouched section is empty, and so is one holding only the hint the draft shows under its
heading (copied from the document, in any language). ``action_items`` is met by at least one
action item (open, done or dropped: a dropped one says why in the document), or by the reason
none is needed, written under Action items (the ``no_action_items`` section).

``missing`` is what asking for review refuses with (the state machine's ready, whichever surface
asks); ``emptied`` is what an edit may not do once the postmortem has left the draft: empty a
section that must be written (it is being reviewed, or was published, with that text).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message
from bot.domain.postmortem import EDIT_WORDS, LABELS, SECTION_KEYS

ACTION_ITEMS = "action_items"
NO_ACTIONS = "no_action_items"  # the reason no action item is needed
# What a policy may require: every section, but the reason (it is part of action items).
REQUIRABLE: tuple[str, ...] = tuple(k for k in SECTION_KEYS if k != NO_ACTIONS)
DEFAULT_REQUIRED: tuple[str, ...] = ("summary", "impact", "root_cause", ACTION_ITEMS)
# The hint the draft shows under each empty heading (templates/postmortem.md.j2 prints these).
HINTS: dict[str, str] = {
    "summary": N_("What happened, in two or three sentences someone from another team can follow?"),
    "impact": N_(
        "Who or what was affected, how badly and for how long? Users, data, revenue, other teams."
    ),
    "root_cause": N_(
        "What ultimately caused this? Ask why until the answer is a system, not a person."
    ),
    "trigger": N_(
        "What set it off: a deploy, a config change, a traffic spike, a failover, a dependency?"
    ),
    "response": N_(
        "What did we do to mitigate and then resolve it, and what did each step change?"
    ),
    "detection": N_("How did we find out? How could we have found out in half the time?"),
    "went_well": N_(
        "What helped? Alerts, runbooks, tools, dashboards, people who knew where to look."
    ),
    "went_wrong": N_(
        "What slowed us down or made it worse? Look at process and tooling, not at people."
    ),
    "lucky": N_("What could have made this worse, and did not?"),
    "action_items": N_(
        "What will stop this happening again, or make it smaller, shorter or quicker to "
        "detect? One per line, each with an owner and a ticket."
    ),
    "references": N_("Dashboards, logs, alerts, tickets, related incidents and postmortems."),
}

_EMPHASIS = "_*~> \t\r\n\u3000"  # Markdown marks around a copied hint, and whitespace
_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text.strip(_EMPHASIS)).casefold()


def written(text: str | None, placeholders: Collection[str] = ()) -> bool:
    """Is there text of the writer's own: not blank, not only a hint of the draft (English,
    or one of ``placeholders``: the hints in the other languages)."""
    plain = _plain(text or "")
    if not plain:
        return False
    return plain not in {_plain(h) for h in (*HINTS.values(), *placeholders)}


def missing(
    sections: Mapping[str, str],
    *,
    action_items: int,
    required: Collection[str],
    placeholders: Collection[str] = (),
) -> tuple[str, ...]:
    """The required sections not written yet, in the document's order; ``action_items`` is
    how many action items the incident has (in any state)."""
    return tuple(
        key
        for key in REQUIRABLE
        if key in required and not _met(key, sections, action_items, placeholders)
    )


def emptied(
    before: Mapping[str, str],
    after: Mapping[str, str],
    *,
    action_items: int,
    required: Collection[str],
    placeholders: Collection[str] = (),
) -> tuple[str, ...]:
    """The required sections an edit from ``before`` to ``after`` leaves unwritten."""
    was = missing(before, action_items=action_items, required=required, placeholders=placeholders)
    now = missing(after, action_items=action_items, required=required, placeholders=placeholders)
    return tuple(key for key in now if key not in was)


def has_text(sections: Mapping[str, str], placeholders: Collection[str] = ()) -> bool:
    """Has anything been written at all (in any section)?"""
    return any(written(text, placeholders) for text in sections.values())


def _met(
    key: str, sections: Mapping[str, str], action_items: int, placeholders: Collection[str]
) -> bool:
    if key == ACTION_ITEMS:
        return action_items > 0 or written(sections.get(NO_ACTIONS), placeholders)
    return written(sections.get(key), placeholders)


def how_to_write(key: str) -> Message:
    """One line of a refusal: the section by its heading, and the command that writes it."""
    if key == ACTION_ITEMS:
        how = Message(
            N_("add one with %(add)s, or say why none is needed with %(edit)s"),
            {
                "add": "`/incident action add <text>`",
                "edit": f"`/incident postmortem edit {EDIT_WORDS[NO_ACTIONS]}`",
            },
        )
    else:
        how = Message(
            N_("write it with %(edit)s"), {"edit": f"`/incident postmortem edit {EDIT_WORDS[key]}`"}
        )
    return Message(N_("• *%(section)s*: %(how)s"), {"section": Message(LABELS[key]), "how": how})


def not_written(keys: tuple[str, ...]) -> BadCommand:
    """The refusal of a review request while required sections are unwritten."""
    return BadCommand(
        N_("It can't go to review yet: these must be written first.\n%(missing)s"),
        missing=tuple(how_to_write(key) for key in keys),
    )


def must_stay_written(key: str, state: Message | str) -> BadCommand:
    """The refusal of an edit that would empty a required section after the draft (an edit
    changes one section, so it empties at most one)."""
    return BadCommand(
        N_(
            "%(section)s can't be left empty: this postmortem is %(state)s, and the policy "
            "(postmortem.required) wants it written. Write the new text instead."
        ),
        section=Message(LABELS[key]),
        state=state,
    )
