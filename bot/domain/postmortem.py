"""The postmortem document's free-text sections, in the order the template shows them.

The metadata (created, period, people, status) and the timeline are not sections: they come from
the incident, the postmortem record and the timeline entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.lifecycle import Metrics
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
    "references",
)


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
