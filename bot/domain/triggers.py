"""When a postmortem must be written: the trigger policy and its pure evaluation.

The defaults are the practice this bot automates: user impact of 20 minutes or more, any data
loss, an engineer having to intervene, 1 hour or more to resolve, and an incident that monitoring
did not detect. A severity trigger exists but is off unless a team switches it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.messages import N_, Message, recognise
from bot.domain.model import CloseFacts, Trigger
from bot.domain.timeparse import format_duration, read_formatted_duration

TRIGGER_IDS = ("impact", "data-loss", "intervention", "duration", "detection", "severity")

# Reasons are stored in English; these are their message ids, by trigger id.
REASONS: dict[str, tuple[str, ...]] = {
    "impact": (N_("user impact %(impact)s ≥ %(threshold)s"),),
    "data-loss": (N_("data was lost"),),
    "intervention": (N_("engineers intervened (%(how)s)"),),
    "duration": (N_("time to resolve %(took)s ≥ %(threshold)s"),),
    "detection": (
        N_("detected by a human, not by monitoring"),
        N_("detected by a customer, not by monitoring"),
    ),
    "severity": (N_("severity %(severity)s (policy: sev %(threshold)s or worse)"),),
}
# What each trigger is called where people read it (its id is for data and the export).
NAMES = {
    "impact": N_("user impact"),
    "data-loss": N_("data loss"),
    "intervention": N_("engineer intervention"),
    "duration": N_("long time to resolve"),
    "detection": N_("not detected by monitoring"),
    "severity": N_("severity"),
}
_DURATIONS = {"impact": ("impact", "threshold"), "duration": ("took", "threshold")}


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
    return _fired(
        "impact", impact=format_duration(facts.impact), threshold=format_duration(policy.impact)
    )


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
    return _fired(
        "duration", took=format_duration(took), threshold=format_duration(policy.duration)
    )


def _detection(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if not policy.detection or facts.detected_by == "monitoring":
        return None
    human, customer = REASONS["detection"]
    return Trigger("detection", human if facts.detected_by == "human" else customer)


def _severity(facts: TriggerFacts, policy: TriggerPolicy) -> Trigger | None:
    if policy.severity is None or facts.severity is None or facts.severity > policy.severity:
        return None
    return _fired("severity", severity=facts.severity, threshold=policy.severity)


def _fired(trigger_id: str, **params: object) -> Trigger:
    [msgid] = REASONS[trigger_id]
    return Trigger(trigger_id, str(Message(msgid, params)))


def explain(trigger: Trigger) -> tuple[str, dict[str, object]] | None:
    """The message id of a stored reason and its parameters (durations as timedeltas), so it
    can be said in another language; None for a reason none of ours reads like."""
    message = recognise(trigger.reason, REASONS.get(trigger.id, ()))
    if message is None:
        return None
    params: dict[str, object] = dict(message.params)
    try:
        for name in _DURATIONS.get(trigger.id, ()):
            params[name] = read_formatted_duration(str(params[name]))
    except ValueError:
        return None
    return message.msgid, params


_RULES = (_impact, _data_loss, _intervention, _duration, _detection, _severity)


def evaluate(facts: TriggerFacts, policy: TriggerPolicy) -> list[Trigger]:
    """The triggers that fire, in ``TRIGGER_IDS`` order. Thresholds are "or more".

    Reasons are English, as stored and exported; ``explain`` lets them be said in another
    language.
    """
    fired = (rule(facts, policy) for rule in _RULES)
    return [trigger for trigger in fired if trigger is not None]
