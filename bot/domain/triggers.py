"""When a postmortem must be written: the trigger policy and its pure evaluation.

The defaults are the practice this bot automates: user impact of 20 minutes or more, any data
loss, an engineer having to intervene, 1 hour or more to resolve, and an incident that monitoring
did not detect. A severity trigger exists but is off unless a team switches it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.messages import N_
from bot.domain.model import CloseFacts, Trigger

TRIGGER_IDS = ("impact", "data-loss", "intervention", "duration", "detection", "severity")

# What each trigger is called where people read it (its id is for data and the export).
NAMES = {
    "impact": N_("user impact"),
    "data-loss": N_("data loss"),
    "intervention": N_("engineer intervention"),
    "duration": N_("long time to resolve"),
    "detection": N_("not detected by monitoring"),
    "severity": N_("severity"),
}


@dataclass(frozen=True)
class TriggerPolicy:
    """Which triggers are on, and their thresholds. ``None`` switches a threshold trigger off."""

    impact: timedelta | None = timedelta(minutes=20)
    data_loss: bool = True
    intervention: bool = True
    duration: timedelta | None = timedelta(minutes=60)
    detection: bool = True
    severity: int | None = None  # fires for severity <= this: 2 means sev 1 and 2


@dataclass(frozen=True)
class TriggerFacts:
    """What is known about an incident once it is over."""

    started_at: datetime
    ended_at: datetime  # when it was resolved or closed
    impact: timedelta | None  # None: no user impact
    data_loss: bool
    intervention: str  # one of model.INTERVENTIONS
    detected_by: str  # one of model.DETECTIONS
    severity: int | None

    @classmethod
    def from_close(
        cls, *, started_at: datetime, ended_at: datetime, facts: CloseFacts, severity: int | None
    ) -> TriggerFacts:
        """Combine the incident's times and severity with what the closer told us."""
        return cls(
            started_at=started_at,
            ended_at=ended_at,
            impact=facts.impact,
            data_loss=facts.data_loss,
            intervention=facts.intervention,
            detected_by=facts.detected_by,
            severity=severity,
        )


def _impact(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if policy.impact is None or facts.impact is None or facts.impact < policy.impact:
        return None
    return _fired("impact", impact=_seconds(facts.impact), threshold=_seconds(policy.impact))


def _data_loss(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    return _fired("data-loss") if policy.data_loss and facts.data_loss else None


def _intervention(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if not policy.intervention or facts.intervention == "none":
        return None
    return _fired("intervention", how=facts.intervention)


def _duration(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    took = facts.ended_at - facts.started_at
    if policy.duration is None or took < policy.duration:
        return None
    return _fired("duration", took=_seconds(took), threshold=_seconds(policy.duration))


def _detection(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if not policy.detection or facts.detected_by == "monitoring":
        return None
    return _fired("detection", by="human" if facts.detected_by == "human" else "customer")


def _severity(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if policy.severity is None or facts.severity is None or facts.severity > policy.severity:
        return None
    return _fired("severity", severity=facts.severity, threshold=policy.severity)


def _fired(trigger_id: str, **said: str | int) -> Trigger:
    return Trigger(trigger_id, said)


def _seconds(span: timedelta) -> int:
    """A duration as stored in a reason: whole seconds (shown as whole minutes, or seconds)."""
    return span // timedelta(seconds=1)


_RULES = (_impact, _data_loss, _intervention, _duration, _detection, _severity)


def evaluate(facts: TriggerFacts, policy: TriggerPolicy) -> list[Trigger]:
    """The triggers that fire, in ``TRIGGER_IDS`` order. Thresholds are "or more".

    Each carries its reason's fields (bot.domain.reasons), said in a reader's language when shown.
    """
    fired = (rule(facts, policy) for rule in _RULES)
    return [trigger for trigger in fired if trigger is not None]
