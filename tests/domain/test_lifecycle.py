from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.lifecycle import (
    MARKS,
    ROLE_DUTIES,
    ROLES,
    STATUSES,
    Metrics,
    derive_metrics,
    impact_from_marks,
    latest_marks,
)

T0 = datetime(2021, 12, 28, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def mins(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_constants() -> None:
    assert STATUSES == ("investigating", "identified", "monitoring", "resolved")
    assert ROLES == ("commander", "comms", "scribe")
    assert MARKS == ("detected", "mitigated", "impact-start", "impact-end")


def test_every_role_has_its_duties() -> None:
    assert tuple(ROLE_DUTIES) == ROLES
    for duty in ROLE_DUTIES.values():
        assert duty.strip() and duty.endswith(".")
        assert 1 <= duty.count(". ") + 1 <= 3  # a sentence or two, not an essay


# ---- derive_metrics ------------------------------------------------------------------------


def test_all_marks_known() -> None:
    marks = {"detected": at(5), "mitigated": at(30), "impact-start": at(2), "impact-end": at(29)}
    metrics = derive_metrics(started_at=T0, marks=marks, resolved_at=at(45), closed_at=at(60))
    assert metrics == Metrics(
        time_to_detect=mins(5), time_to_mitigate=mins(30), time_to_resolve=mins(45), impact=mins(27)
    )


def test_nothing_known() -> None:
    metrics = derive_metrics(started_at=T0, marks={}, resolved_at=None, closed_at=None)
    assert metrics == Metrics(None, None, None, None)
    assert metrics.as_minutes() == {
        "time_to_detect": None,
        "time_to_mitigate": None,
        "time_to_resolve": None,
        "impact": None,
    }


def test_resolve_falls_back_to_the_close() -> None:
    metrics = derive_metrics(started_at=T0, marks={}, resolved_at=None, closed_at=at(90))
    assert metrics.time_to_resolve == mins(90)


def test_resolution_wins_over_the_close() -> None:
    metrics = derive_metrics(started_at=T0, marks={}, resolved_at=at(40), closed_at=at(90))
    assert metrics.time_to_resolve == mins(40)


def test_zero_spans_are_kept() -> None:
    marks = {"detected": T0, "impact-start": at(3), "impact-end": at(3)}
    metrics = derive_metrics(started_at=T0, marks=marks, resolved_at=T0, closed_at=None)
    assert metrics.time_to_detect == timedelta(0)
    assert metrics.time_to_resolve == timedelta(0)
    assert metrics.impact == timedelta(0)


@pytest.mark.parametrize(
    ("marks", "resolved_at", "field"),
    [
        ({"detected": at(-1)}, None, "time_to_detect"),
        ({"mitigated": at(-0.01)}, None, "time_to_mitigate"),
        ({}, at(-5), "time_to_resolve"),
        ({"impact-start": at(10), "impact-end": at(9)}, None, "impact"),
        ({"impact-start": at(50)}, at(40), "impact"),  # impact "started" after the resolution
    ],
)
def test_negative_spans_are_unknown(
    marks: dict[str, datetime], resolved_at: datetime | None, field: str
) -> None:
    metrics = derive_metrics(started_at=T0, marks=marks, resolved_at=resolved_at, closed_at=None)
    assert getattr(metrics, field) is None


def test_a_mark_before_the_start_spoils_only_its_own_figure() -> None:
    marks = {"detected": at(-10), "mitigated": at(20)}
    metrics = derive_metrics(started_at=T0, marks=marks, resolved_at=at(30), closed_at=None)
    assert metrics == Metrics(None, mins(20), mins(30), None)


def test_impact_before_the_start_is_still_counted() -> None:
    # Users may be hurt before anyone declares the incident; that span is not negative.
    marks = {"impact-start": at(-15), "impact-end": at(5)}
    metrics = derive_metrics(started_at=T0, marks=marks, resolved_at=None, closed_at=None)
    assert metrics.impact == mins(20)


def test_unknown_mark_kinds_are_ignored() -> None:
    metrics = derive_metrics(
        started_at=T0, marks={"note": at(3), "declared": at(1)}, resolved_at=None, closed_at=None
    )
    assert metrics == Metrics(None, None, None, None)


# ---- impact_from_marks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "end", "impact"),
    [
        ({"impact-start": at(2), "impact-end": at(29)}, None, mins(27)),
        ({"impact-start": at(2), "impact-end": at(29)}, at(60), mins(27)),  # the mark wins
        ({"impact-start": at(2)}, at(60), mins(58)),  # never marked as ended: until the end
        ({"impact-start": at(2)}, None, None),  # still going
        ({"impact-end": at(29)}, at(60), None),  # no start
        ({}, at(60), None),
        ({"impact-start": at(30), "impact-end": at(20)}, at(60), None),  # no fallback then
    ],
)
def test_impact_from_marks(
    marks: dict[str, datetime], end: datetime | None, impact: timedelta | None
) -> None:
    assert impact_from_marks(marks, end) == impact


def test_derive_metrics_uses_the_same_impact_fallback() -> None:
    marks = {"impact-start": at(2)}
    resolved = derive_metrics(started_at=T0, marks=marks, resolved_at=at(30), closed_at=at(90))
    closed = derive_metrics(started_at=T0, marks=marks, resolved_at=None, closed_at=at(90))
    assert resolved.impact == mins(28)
    assert closed.impact == mins(88)


# ---- as_minutes ----------------------------------------------------------------------------


def test_as_minutes_rounds_to_one_decimal() -> None:
    metrics = Metrics(
        time_to_detect=timedelta(seconds=90),
        time_to_mitigate=timedelta(seconds=100),  # 1.666…
        time_to_resolve=timedelta(hours=26, seconds=2),
        impact=timedelta(0),
    )
    assert metrics.as_minutes() == {
        "time_to_detect": 1.5,
        "time_to_mitigate": 1.7,
        "time_to_resolve": 1560.0,
        "impact": 0.0,
    }
    assert all(isinstance(v, float) for v in metrics.as_minutes().values())


def test_as_minutes_keeps_unknowns() -> None:
    assert Metrics(mins(5), None, None, mins(1)).as_minutes() == {
        "time_to_detect": 5.0,
        "time_to_mitigate": None,
        "time_to_resolve": None,
        "impact": 1.0,
    }


def test_metrics_are_frozen() -> None:
    metrics = Metrics(None, None, None, None)
    with pytest.raises(AttributeError):
        metrics.impact = mins(1)  # type: ignore[misc]


# ---- latest_marks --------------------------------------------------------------------------


def test_latest_marks_keeps_the_latest_of_each_kind() -> None:
    entries = [
        ("detected", at(5)),
        ("note", at(50)),
        ("detected", at(3)),  # an earlier mark, written later: still not the latest
        ("mitigated", at(20)),
        ("mitigated", at(25)),
        ("declared", at(0)),
        ("impact-start", at(1)),
        ("status", at(40)),
    ]
    assert latest_marks(entries) == {"detected": at(5), "mitigated": at(25), "impact-start": at(1)}


def test_latest_marks_of_nothing() -> None:
    assert latest_marks([]) == {}
    assert latest_marks(iter([("note", at(1)), ("Detected", at(2))])) == {}


def test_latest_marks_feed_derive_metrics() -> None:
    entries = [("mitigated", at(10)), ("mitigated", at(12)), ("impact-start", at(0))]
    metrics = derive_metrics(
        started_at=T0, marks=latest_marks(entries), resolved_at=None, closed_at=at(20)
    )
    assert metrics == Metrics(None, mins(12), mins(20), mins(20))
