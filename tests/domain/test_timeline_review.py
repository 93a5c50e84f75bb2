"""The timeline review: each case the replays met, and a timeline that is fine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.messages import Moment, Span
from bot.domain.timeline_review import GAP, TimelineFacts, review
from bot.i18n import translator

START = datetime(2021, 12, 28, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def codes(facts: TimelineFacts, *, closing: bool = False) -> list[str]:
    return [f.code for f in review(facts, closing=closing)]


def test_a_tidy_timeline_has_nothing_to_say() -> None:
    facts = TimelineFacts(
        started_at=START,
        marks={"impact-start": at(-5), "detected": at(4), "mitigated": at(20), "impact-end": at(25)},
        resolved_at=at(40),
        closed_at=at(45),
        impact=timedelta(minutes=30),
        entry_times=(at(10), at(30)),
    )
    assert review(facts, closing=True) == []


def test_a_moment_before_the_start_is_named_with_both_times() -> None:
    facts = TimelineFacts(started_at=START, marks={"mitigated": at(-30)}, resolved_at=None)
    [finding] = review(facts)
    assert finding.code == "before-start"
    assert finding.message.params["at"] == Moment(at(-30))
    assert finding.message.params["started"] == Moment(START)
    assert "Mitigation" in str(finding.message)


def test_impact_may_start_before_the_incident_was_declared() -> None:
    facts = TimelineFacts(started_at=START, marks={"impact-start": at(-10)}, resolved_at=at(30))
    assert "before-start" not in codes(facts)


@pytest.mark.parametrize(
    ("marks", "resolved", "expected"),
    [
        ({"detected": at(50)}, at(40), "Resolution"),  # detected after resolved
        ({"detected": at(20), "mitigated": at(10)}, None, "Mitigation"),
        ({"impact-start": at(30), "impact-end": at(20)}, None, "The end of the impact"),
    ],
)
def test_key_moments_out_of_order(marks, resolved, expected: str) -> None:
    facts = TimelineFacts(started_at=START, marks=marks, resolved_at=resolved)
    found = review(facts)
    assert [f.code for f in found] == ["out-of-order"]
    assert str(found[0].message).startswith(expected)


def test_impact_longer_than_the_incident() -> None:
    facts = TimelineFacts(
        started_at=START, marks={}, resolved_at=at(61), impact=timedelta(minutes=90)
    )
    [finding] = [f for f in review(facts) if f.code == "impact-longer"]
    assert finding.message.params == {
        "impact": Span(timedelta(minutes=90)),
        "lasted": Span(timedelta(minutes=61)),
    }


def test_impact_that_began_before_the_start_may_be_longer_than_start_to_end() -> None:
    facts = TimelineFacts(
        started_at=START,
        marks={"impact-start": at(-30)},
        resolved_at=at(61),
        impact=timedelta(minutes=90),
    )
    assert "impact-longer" not in codes(facts)


def test_missing_detection_and_resolution_only_matter_at_close() -> None:
    running = TimelineFacts(started_at=START, marks={}, resolved_at=None)
    assert codes(running) == []
    assert codes(running, closing=True) == ["no-detection", "no-resolution"]
    closed = TimelineFacts(started_at=START, marks={}, resolved_at=None, closed_at=at(30))
    assert codes(closed) == ["no-detection", "no-resolution"]


def test_a_long_silence_is_a_gap() -> None:
    facts = TimelineFacts(
        started_at=START,
        marks={"detected": at(5)},
        resolved_at=at(180),
        entry_times=(at(10), at(130)),
    )
    [gap] = [f for f in review(facts) if f.code == "gap"]
    assert gap.message.params["since"] == Moment(at(10))
    assert gap.message.params["until"] == Moment(at(130))
    assert gap.message.params["gap"] == Span(timedelta(minutes=120))
    assert str(gap.message).endswith("(2 h). Was anything tried or seen then?")


def test_a_gap_is_relative_to_a_long_incidents_length() -> None:
    # 14 hours: two hours without an entry is ordinary there, four is not.
    marks = {"detected": at(1)}
    quiet = TimelineFacts(
        started_at=START,
        marks=marks,
        resolved_at=at(14 * 60),
        entry_times=tuple(at(m) for m in range(0, 14 * 60, 120)),
    )
    assert "gap" not in codes(quiet)
    silent = TimelineFacts(
        started_at=START, marks=marks, resolved_at=at(14 * 60), entry_times=(at(60), at(6 * 60))
    )
    assert "gap" in codes(silent)
    assert timedelta(hours=1) == GAP


def test_lengths_of_time_are_said_as_the_readers_language_writes_durations() -> None:
    week = TimelineFacts(started_at=START, marks={"detected": at(1)}, resolved_at=at(9 * 1440))
    [gap] = [f for f in review(week) if f.code == "gap"]
    assert "(8 d 23 h 59 min)" in translator("en").say(gap.message)
    assert "（8日23時間59分）" in translator("ja").say(gap.message)
