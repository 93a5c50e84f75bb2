"""The postmortem document's free-text sections, in the order the template shows them.

The metadata (created, period, people, status) and the timeline are not sections: they come from
the incident, the postmortem record and the timeline entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.lifecycle import Metrics
from bot.domain.messages import N_
from bot.domain.model import SectionRevision

SECTION_KEYS: tuple[str, ...] = (
    "summary",
    "impact",
    "root_cause",
    "trigger",
    "response",
    "detection",
    "went_well",
    "went_wrong",
    "lucky",
    "action_items",
    "no_action_items",  # why no action item is needed, shown under Action items while none is
    "references",
)
# The headings people read in the document (templates/postmortem.md.j2), in every language.
LABELS: dict[str, str] = {
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
    "no_action_items": N_("Action items: none needed"),
    "references": N_("References"),
}
# The word `/incident postmortem edit <word>` takes for each section written in Slack (the
# underscore spelling is read too); action items themselves have their own commands.
EDIT_WORDS: dict[str, str] = {
    "summary": "summary",
    "impact": "impact",
    "root_cause": "root-cause",
    "trigger": "trigger",
    "response": "response",
    "detection": "detection",
    "went_well": "went-well",
    "went_wrong": "went-wrong",
    "lucky": "lucky",
    "no_action_items": "action-items",
    "references": "references",
}


@dataclass(frozen=True)
class ActionRow:
    """An action item as the document lists it."""

    seq: int
    text: str
    owner: str | None  # Slack user id
    deadline: date
    from_slo: bool  # no date was given: the policy's SLO for its priority
    priority: str
    state: str
    drop_reason: str | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Participants:
    """Who took part and the figures of the response: optional extras for the document."""

    roles: Mapping[str, str] = field(default_factory=dict)  # role → Slack user id
    responders: Sequence[str] = ()  # Slack user ids, in the order they joined
    metrics: Metrics | None = None
    actions: Sequence[ActionRow] = ()
    amendments: Sequence[SectionRevision] = ()  # changes made after publication
