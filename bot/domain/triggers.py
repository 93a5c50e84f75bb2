"""When a postmortem must be written: the trigger policy and its pure evaluation.

The defaults are the practice this bot automates: user impact of 20 minutes or more, any data
loss, an engineer having to intervene, 1 hour or more to resolve, and an incident that monitoring
did not detect. A severity trigger exists but is off unless a team switches it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.model import CloseFacts, Trigger
from bot.domain.timeparse import format_duration

TRIGGER_IDS = ("impact", "data-loss", "intervention", "duration", "detection", "severity")

_DETECTED_BY = {"human": "a human", "customer": "a customer"}


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
    reason = f"user impact {format_duration(facts.impact)} ≥ {format_duration(policy.impact)}"
    return Trigger("impact", reason)


def _data_loss(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    return Trigger("data-loss", "data was lost") if policy.data_loss and facts.data_loss else None


def _intervention(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if not policy.intervention or facts.intervention == "none":
        return None
    return Trigger("intervention", f"engineers intervened ({facts.intervention})")


def _duration(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    took = facts.ended_at - facts.started_at
    if policy.duration is None or took < policy.duration:
        return None
    reason = f"time to resolve {format_duration(took)} ≥ {format_duration(policy.duration)}"
    return Trigger("duration", reason)


def _detection(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if not policy.detection or facts.detected_by == "monitoring":
        return None
    who = _DETECTED_BY.get(facts.detected_by, facts.detected_by)
    return Trigger("detection", f"detected by {who}, not by monitoring")


def _severity(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if policy.severity is None or facts.severity is None or facts.severity > policy.severity:
        return None
    reason = f"severity {facts.severity} (policy: sev {policy.severity} or worse)"
    return Trigger("severity", reason)


_RULES = (_impact, _data_loss, _intervention, _duration, _detection, _severity)


def evaluate(facts: TriggerFacts, policy: TriggerPolicy) -> list[Trigger]:
    """The triggers that fire, in ``TRIGGER_IDS`` order. Thresholds are "or more".

    Reasons are English, for logs and the English document; localised text should be chosen
    by trigger id.
    """
    fired = (rule(facts, policy) for rule in _RULES)
    return [trigger for trigger in fired if trigger is not None]
