"""Plain data of the domain: what an incident, its timeline and its postmortem are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain import reasons
from bot.domain.messages import N_

# The words of the close facts are also their own message ids, to show them in another language.
INTERVENTIONS = (
    N_("none"),
    N_("rollback"),
    N_("data-patch"),
    N_("restart"),
    N_("failover"),
    N_("config-change"),
    N_("other"),
)
DETECTIONS = (N_("monitoring"), N_("human"), N_("customer"))
# How a document names each intervention (translated with the context "intervention", as the
# postmortem template does): the trigger's reason says it the same way.
INTERVENTION_LABELS = {
    "none": "none",
    "rollback": "rollback",
    "data-patch": "data patch",
    "restart": "restart",
    "failover": "failover",
    "config-change": "configuration change",
    "other": "other",
}
SEVERITIES = (1, 2, 3, 4)


@dataclass(frozen=True)
class CloseFacts:
    """What the person closing an incident tells us about it."""

    impact: timedelta | None  # None: no user impact
    data_loss: bool
    intervention: str  # one of INTERVENTIONS
    detected_by: str  # one of DETECTIONS


def incident_ref(number: int) -> str:
    """How people name incident ``number``: ``INC-7``."""
    return f"INC-{number}"


@dataclass(frozen=True)
class Incident:
    id: int
    number: int
    title: str
    severity: int | None
    status: str  # investigating | identified | monitoring | resolved | closed
    declared_by: str
    declared_in: str
    started_at: datetime  # UTC
    declared_at: datetime  # UTC
    channel_id: str | None = None
    channel_name: str | None = None
    summary_ts: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    facts: CloseFacts | None = None
    tz: str | None = None  # the declarer's Slack time zone (IANA name) at the start
    private: bool = False  # declared with --private: see bot.domain.visibility

    @property
    def ref(self) -> str:
        return incident_ref(self.number)

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def channel(self) -> str:
        """Its channel, for what only happens once it has one (a close or a draft comes from
        it); raises while the channel is still being set up, so an effect waits and retries."""
        if self.channel_id is None:
            raise LookupError(f"{self.ref} has no channel yet")
        return self.channel_id

    @property
    def ended_at(self) -> datetime | None:
        """When the incident was over: resolved, else closed."""
        return self.resolved_at or self.closed_at


@dataclass(frozen=True)
class Person:
    """Who a Slack user id is, as Slack last said."""

    id: str
    display_name: str
    real_name: str | None = None
    tz: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    incident_id: int
    seq: int  # its number within the incident (#1, #2…), stable across edits and moves
    occurred_at: datetime  # UTC, when it happened
    recorded_at: datetime  # UTC, when it was written down
    author: str  # Slack user (or bot) id
    text: str  # what people wrote, as they wrote it; empty where the bot speaks (``said``)
    kind: str = "note"  # note, declared, closed, status, severity, role, message, or a mark
    source: str = "command"  # command | reaction | shortcut
    message_ts: str | None = None  # the captured Slack message
    permalink: str | None = None
    deleted_at: datetime | None = None
    # What the bot recorded, as the fields of its kind's message (lifecycle.said_message), said
    # in each reader's language. None: the entry is people's words (``text``).
    said: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Revision:
    """One change to a timeline entry: who, when, before and after."""

    entry_id: int
    changed_at: datetime
    changed_by: str
    action: str  # edit | move | delete | restore
    before_text: str | None = None
    after_text: str | None = None
    before_at: datetime | None = None
    after_at: datetime | None = None


@dataclass(frozen=True)
class Trigger:
    """A postmortem trigger that fired, and why: the reason's fields (bot.domain.reasons), or
    — stored by an older version in words none of ours read like — those words."""

    id: str
    said: reasons.Fields | None = None
    words: str | None = None

    @property
    def reason(self) -> str:
        """Why it fired, in English (as the JSON export says it)."""
        english = None if self.said is None else reasons.english(self.id, self.said)
        return english if english is not None else self.words or ""


@dataclass(frozen=True)
class Postmortem:
    id: int
    incident_id: int
    status: str  # "draft" for now
    author: str
    reviewers: tuple[str, ...]
    created_at: datetime
    triggers: tuple[Trigger, ...]
    sections: dict[str, str] = field(default_factory=dict)
    doc_kind: str | None = None  # "canvas" | "file"
    doc_id: str | None = None
    doc_url: str | None = None
    review_round: int = 0
    ready_at: datetime | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    publish_ts: str | None = None
    waived_reason: str | None = None
    waived_by: str | None = None
    retro_due_at: datetime | None = None
    retro_held_at: datetime | None = None
    retro_notes: str | None = None
    version: int = 0  # +1 on every saved section: what an editor started from


@dataclass(frozen=True)
class SectionRevision:
    """One saved change to a postmortem section: who, when, before and after."""

    postmortem_id: int
    version: int
    section: str
    before: str
    after: str
    changed_by: str
    changed_at: datetime
    amendment: bool = False  # made after publication (by its author or the commander)


@dataclass(frozen=True)
class ActionItem:
    """Something that prevents a recurrence, with an owner and a date."""

    id: int
    incident_id: int
    seq: int  # its number within the incident: action #1, #2…
    text: str
    owner: str | None
    due: date | None  # the date given; the policy's SLO applies when there is none
    priority: str  # high | medium | low
    state: str  # open | done | dropped
    created_by: str
    created_at: datetime
    drop_reason: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Feedback:
    """A reader's response to a published postmortem."""

    postmortem_id: int
    user_id: str
    kind: str  # helpful | comment
    created_at: datetime
    text: str | None = None


@dataclass(frozen=True)
class Approval:
    """A reviewer's decision in one review round."""

    postmortem_id: int
    round: int
    reviewer: str
    decision: str  # approved | changes_requested
    decided_at: datetime
    comment: str | None = None


@dataclass(frozen=True)
class Reminder:
    """A nudge: due time, kind, recipient, subject, state."""

    id: int
    kind: str  # author | reviewer | escalation | retro | digest | action
    subject_kind: str  # what subject_id names: postmortem | action_item | workspace (nudges.py)
    subject_id: int  # the postmortem, the action item, or 0 for the digest
    recipient: str  # a Slack user id (sent as a DM) or a channel id
    seq: int  # numbers every occurrence of this kind, recipient and subject
    nth: int  # its place in the current series (a series restarts when someone acts)
    due_at: datetime
    state: str  # pending | sending | sent | failed | cancelled
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = None
    occasion: str | None = None  # an escalation's stalled stage and round: one per occasion
