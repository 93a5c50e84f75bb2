from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.model import DETECTIONS, INTERVENTIONS, CloseFacts, Trigger
from bot.domain.triggers import TRIGGER_IDS, TriggerFacts, TriggerPolicy, evaluate

START = datetime(2021, 12, 28, 10, 0, tzinfo=UTC)

# An incident that fires nothing under the default policy; each test changes one thing.
QUIET = TriggerFacts(
    started_at=START,
    ended_at=START + timedelta(minutes=10),
    impact=None,
    data_loss=False,
    intervention="none",
    detected_by="monitoring",
    severity=3,
)
DEFAULT = TriggerPolicy()
ALL_OFF = TriggerPolicy(
    impact=None, data_loss=False, intervention=False, duration=None, detection=False, severity=None
)


def ids(triggers: list[Trigger]) -> list[str]:
    return [t.id for t in triggers]


def english(triggers: list[Trigger]) -> list[tuple[str, str]]:
    """Each trigger's id and its reason in English (as exported)."""
    return [(t.id, t.reason) for t in triggers]


def test_defaults_follow_the_practice() -> None:
    assert TriggerPolicy() == TriggerPolicy(
        impact=timedelta(minutes=20),
        data_loss=True,
        intervention=True,
        duration=timedelta(hours=1),
        detection=True,
        severity=None,
    )


def test_trigger_ids() -> None:
    assert TRIGGER_IDS == (
        "impact",
        "data-loss",
        "intervention",
        "duration",
        "detection",
        "severity",
    )


def test_a_quiet_incident_fires_nothing() -> None:
    assert evaluate(QUIET, DEFAULT) == []


# ---- impact --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "fires"),
    [
        (None, False),
        (timedelta(0), False),
        (timedelta(minutes=19, seconds=59), False),
        (timedelta(minutes=19, seconds=59, microseconds=999_999), False),
        (timedelta(minutes=20), True),
        (timedelta(minutes=20, seconds=1), True),
        (timedelta(hours=5), True),
    ],
)
def test_impact_boundary(impact: timedelta | None, fires: bool) -> None:
    assert ids(evaluate(replace(QUIET, impact=impact), DEFAULT)) == (["impact"] if fires else [])


def test_impact_reason() -> None:
    facts = replace(QUIET, impact=timedelta(minutes=27))
    assert english(evaluate(facts, DEFAULT)) == [("impact", "user impact 27 min ≥ 20 min")]


def test_a_reason_is_stored_as_fields_durations_in_whole_seconds() -> None:
    facts = replace(QUIET, impact=timedelta(minutes=27, seconds=30, microseconds=5))
    assert evaluate(facts, DEFAULT) == [Trigger("impact", {"impact": 1650, "threshold": 1200})]
    loud = evaluate(LOUD, replace(DEFAULT, severity=2))
    assert [t.said for t in loud] == [
        {"impact": 14400, "threshold": 1200},
        {},
        {"how": "restart"},
        {"took": 14400, "threshold": 3600},
        {"by": "customer"},
        {"severity": 1, "threshold": 2},
    ]


def test_impact_reason_at_the_threshold() -> None:
    facts = replace(QUIET, impact=timedelta(minutes=20))
    assert evaluate(facts, DEFAULT)[0].reason == "user impact 20 min ≥ 20 min"


def test_impact_custom_threshold() -> None:
    policy = replace(DEFAULT, impact=timedelta(minutes=5))
    assert ids(evaluate(replace(QUIET, impact=timedelta(minutes=4, seconds=59)), policy)) == []
    fired = evaluate(replace(QUIET, impact=timedelta(minutes=5)), policy)
    assert english(fired) == [("impact", "user impact 5 min ≥ 5 min")]


def test_impact_switched_off() -> None:
    facts = replace(QUIET, impact=timedelta(days=3))
    assert evaluate(facts, replace(DEFAULT, impact=None)) == []


# ---- data loss -----------------------------------------------------------------------------


def test_data_loss_fires() -> None:
    assert english(evaluate(replace(QUIET, data_loss=True), DEFAULT)) == [
        ("data-loss", "data was lost")
    ]


def test_data_loss_switched_off() -> None:
    assert evaluate(replace(QUIET, data_loss=True), replace(DEFAULT, data_loss=False)) == []


# ---- intervention --------------------------------------------------------------------------


@pytest.mark.parametrize("intervention", [i for i in INTERVENTIONS if i != "none"])
def test_each_intervention_fires(intervention: str) -> None:
    facts = replace(QUIET, intervention=intervention)
    assert english(evaluate(facts, DEFAULT)) == [
        ("intervention", f"engineers intervened ({intervention})")
    ]


def test_no_intervention_does_not_fire() -> None:
    assert evaluate(replace(QUIET, intervention="none"), DEFAULT) == []


def test_rollback_reason() -> None:
    fired = evaluate(replace(QUIET, intervention="rollback"), DEFAULT)
    assert fired[0].reason == "engineers intervened (rollback)"


@pytest.mark.parametrize("intervention", INTERVENTIONS)
def test_intervention_switched_off(intervention: str) -> None:
    facts = replace(QUIET, intervention=intervention)
    assert evaluate(facts, replace(DEFAULT, intervention=False)) == []


# ---- duration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("took", "fires"),
    [
        (timedelta(0), False),
        (timedelta(minutes=59), False),
        (timedelta(minutes=59, seconds=59), False),
        (timedelta(minutes=60), True),
        (timedelta(minutes=60, seconds=1), True),
        (timedelta(days=9), True),
        (timedelta(minutes=-5), False),  # clocks disagreeing must not fire anything
    ],
)
def test_duration_boundary(took: timedelta, fires: bool) -> None:
    facts = replace(QUIET, ended_at=START + took)
    assert ids(evaluate(facts, DEFAULT)) == (["duration"] if fires else [])


@pytest.mark.parametrize(
    ("took", "reason"),
    [
        (timedelta(hours=4), "time to resolve 4 h ≥ 1 h"),
        (timedelta(minutes=60), "time to resolve 1 h ≥ 1 h"),
        (timedelta(hours=1, minutes=30), "time to resolve 1 h 30 min ≥ 1 h"),
        (timedelta(days=9, hours=2), "time to resolve 9 d 2 h ≥ 1 h"),
    ],
)
def test_duration_reason(took: timedelta, reason: str) -> None:
    facts = replace(QUIET, ended_at=START + took)
    assert english(evaluate(facts, DEFAULT)) == [("duration", reason)]


def test_duration_switched_off() -> None:
    facts = replace(QUIET, ended_at=START + timedelta(days=9))
    assert evaluate(facts, replace(DEFAULT, duration=None)) == []


def test_duration_uses_instants_across_zones() -> None:
    from zoneinfo import ZoneInfo

    # 19:00 in Tokyo is 10:00 UTC: the incident took 59 minutes, not 9 h 59 min.
    started = datetime(2021, 12, 28, 19, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    facts = replace(QUIET, started_at=started, ended_at=START + timedelta(minutes=59))
    assert evaluate(facts, DEFAULT) == []


# ---- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("detected_by", "reason"),
    [
        ("human", "detected by a human, not by monitoring"),
        ("customer", "detected by a customer, not by monitoring"),
    ],
)
def test_detection_fires_when_not_monitoring(detected_by: str, reason: str) -> None:
    facts = replace(QUIET, detected_by=detected_by)
    assert english(evaluate(facts, DEFAULT)) == [("detection", reason)]


def test_detection_by_monitoring_does_not_fire() -> None:
    assert evaluate(replace(QUIET, detected_by="monitoring"), DEFAULT) == []


@pytest.mark.parametrize("detected_by", DETECTIONS)
def test_detection_switched_off(detected_by: str) -> None:
    facts = replace(QUIET, detected_by=detected_by)
    assert evaluate(facts, replace(DEFAULT, detection=False)) == []


# ---- severity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "max_severity", "fires"),
    [
        (1, 2, True),
        (2, 2, True),
        (3, 2, False),
        (4, 2, False),
        (1, 1, True),
        (2, 1, False),
        (4, 4, True),
        (None, 2, False),  # severity never given
        (1, None, False),  # trigger off (the default)
    ],
)
def test_severity_boundary(severity: int | None, max_severity: int | None, fires: bool) -> None:
    facts = replace(QUIET, severity=severity)
    policy = replace(DEFAULT, severity=max_severity)
    assert ids(evaluate(facts, policy)) == (["severity"] if fires else [])


def test_severity_reason() -> None:
    fired = evaluate(replace(QUIET, severity=1), replace(DEFAULT, severity=2))
    assert english(fired) == [("severity", "severity 1 (policy: sev 2 or worse)")]


def test_severity_is_off_by_default() -> None:
    assert evaluate(replace(QUIET, severity=1), DEFAULT) == []


# ---- all together --------------------------------------------------------------------------

LOUD = TriggerFacts(
    started_at=START,
    ended_at=START + timedelta(hours=4),
    impact=timedelta(hours=4),
    data_loss=True,
    intervention="restart",
    detected_by="customer",
    severity=1,
)


def test_everything_fires_in_order() -> None:
    fired = evaluate(LOUD, replace(DEFAULT, severity=2))
    assert ids(fired) == list(TRIGGER_IDS)
    assert [t.reason for t in fired] == [
        "user impact 4 h ≥ 20 min",
        "data was lost",
        "engineers intervened (restart)",
        "time to resolve 4 h ≥ 1 h",
        "detected by a customer, not by monitoring",
        "severity 1 (policy: sev 2 or worse)",
    ]


def test_everything_off_fires_nothing() -> None:
    assert evaluate(LOUD, ALL_OFF) == []


@pytest.mark.parametrize("only", TRIGGER_IDS)
def test_each_trigger_alone(only: str) -> None:
    switched_on = {
        "impact": {"impact": timedelta(minutes=20)},
        "data-loss": {"data_loss": True},
        "intervention": {"intervention": True},
        "duration": {"duration": timedelta(hours=1)},
        "detection": {"detection": True},
        "severity": {"severity": 2},
    }[only]
    assert ids(evaluate(LOUD, replace(ALL_OFF, **switched_on))) == [only]


def test_the_aurora_example_from_the_talk() -> None:
    # 4 hours of write errors, fixed by restarting Unicorn, found by a Sentry alert.
    facts = TriggerFacts.from_close(
        started_at=START,
        ended_at=START + timedelta(hours=4),
        facts=CloseFacts(timedelta(hours=4), False, "restart", "monitoring"),
        severity=None,
    )
    assert ids(evaluate(facts, DEFAULT)) == ["impact", "intervention", "duration"]


def test_the_kafka_example_from_the_talk() -> None:
    # ~9 days, no user impact, two brokers restarted, spotted by someone checking CloudWatch.
    facts = TriggerFacts.from_close(
        started_at=START,
        ended_at=START + timedelta(days=9),
        facts=CloseFacts(None, False, "restart", "human"),
        severity=3,
    )
    assert ids(evaluate(facts, DEFAULT)) == ["intervention", "duration", "detection"]


def test_from_close_copies_every_fact() -> None:
    close = CloseFacts(timedelta(minutes=3), True, "data-patch", "customer")
    facts = TriggerFacts.from_close(
        started_at=START, ended_at=START + timedelta(minutes=7), facts=close, severity=4
    )
    assert facts == TriggerFacts(
        START, START + timedelta(minutes=7), timedelta(minutes=3), True, "data-patch", "customer", 4
    )
