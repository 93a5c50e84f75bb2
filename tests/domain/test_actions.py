"""Action item rules: due dates, SLOs by priority, and the flags an open item deserves."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.actions import (
    DEFAULT_PRIORITY,
    DEFAULT_SLO,
    NO_DUE_DATE,
    NO_OWNER,
    OVERDUE,
    PRIORITIES,
    check_due,
    flags,
    parse_due_duration,
    resolve_due,
    slo_deadline,
    slo_due,
)
from bot.domain.errors import BadCommand, BadTime

TODAY = date(2021, 12, 28)


# ---- constants -----------------------------------------------------------------------------


def test_priorities_and_default_slos() -> None:
    assert PRIORITIES == ("high", "medium", "low")
    assert DEFAULT_PRIORITY == "medium"
    assert dict(DEFAULT_SLO) == {
        "high": timedelta(days=15),
        "medium": timedelta(days=30),
        "low": timedelta(days=60),
    }


def test_bad_time_is_a_bad_command() -> None:
    assert issubclass(BadTime, BadCommand)


# ---- durations in days and weeks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "days"),
    [
        ("0d", 0),
        ("1d", 1),
        ("10d", 10),
        ("2w", 14),
        ("2W", 14),
        ("1w3d", 10),
        ("1W3D", 10),
        ("0w0d", 0),
        (" 2w ", 14),
        ("52w", 364),
        ("52w1d", 365),
        ("365d", 365),
        ("000010d", 10),
    ],
)
def test_parse_due_duration(raw: str, days: int) -> None:
    assert parse_due_duration(raw) == timedelta(days=days)


@pytest.mark.parametrize(
    "raw", ["", " ", "w", "d", "2", "2h", "1d2h", "2d1w", "2 w", "-2w", "2.5w", "٢w", "1234567d"]
)
def test_parse_due_duration_refuses(raw: str) -> None:
    with pytest.raises(BadTime, match=r"as a number of days or weeks\. Try 2021-12-31, 10d or 2w"):
        parse_due_duration(raw)


@pytest.mark.parametrize("raw", ["366d", "53w", "52w2d", "999999w"])
def test_parse_due_duration_at_most_a_year(raw: str) -> None:
    with pytest.raises(BadTime, match=r"is more than a year away; if you mean it, give the date"):
        parse_due_duration(raw)


# ---- check_due (the parser's check of form) ------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("2w", "2w"),
        ("10D", "10D"),
        (" 2021-12-31 ", "2021-12-31"),
        ("2000-01-01", "2000-01-01"),  # past dates are refused later, by resolve_due
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_check_due_keeps_the_text(raw: str, kept: str) -> None:
    assert check_due(raw) == kept


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "I couldn't read '' as a due date. Try 2021-12-31, 10d or 2w."),
        ("next week", "I couldn't read 'next week' as a due date. Try 2021-12-31, 10d or 2w."),
        ("20211231", "I couldn't read '20211231' as a due date. Try 2021-12-31, 10d or 2w."),
        ("2021-W52", "I couldn't read '2021-W52' as a due date. Try 2021-12-31, 10d or 2w."),
        ("12/31", "I couldn't read '12/31' as a due date. Try 2021-12-31, 10d or 2w."),
        ("2023-02-29", "There is no day '2023-02-29' in the calendar. Try 2021-12-31, 10d or 2w."),
        ("0000-01-01", "There is no day '0000-01-01' in the calendar. Try 2021-12-31, 10d or 2w."),
        ("x" * 100, "I couldn't read '" + "x" * 40 + "…' as a due date."),
    ],
)
def test_check_due_refuses(raw: str, message: str) -> None:
    with pytest.raises(BadTime) as info:
        check_due(raw)
    assert str(info.value).startswith(message)


# ---- resolve_due ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "due"),
    [
        (None, None),
        ("0d", TODAY),
        ("1d", date(2021, 12, 29)),
        ("10d", date(2022, 1, 7)),  # across the year's end
        ("2w", date(2022, 1, 11)),
        ("1w3d", date(2022, 1, 7)),
        ("52w1d", date(2022, 12, 28)),
        ("2021-12-28", TODAY),  # today is still fine
        ("2021-12-31", date(2021, 12, 31)),
        (" 2022-06-30 ", date(2022, 6, 30)),
        ("9999-12-31", date(9999, 12, 31)),
    ],
)
def test_resolve_due(raw: str | None, due: date | None) -> None:
    assert resolve_due(raw, today=TODAY) == due


@pytest.mark.parametrize("raw", ["2021-12-27", "2000-01-01", "0001-01-01"])
def test_resolve_due_refuses_a_date_that_has_passed(raw: str) -> None:
    with pytest.raises(BadTime) as info:
        resolve_due(raw, today=TODAY)
    assert str(info.value) == (
        f"That date has passed: {raw} is before today (2021-12-28). "
        "Give a later date, or a duration such as 2w."
    )


@pytest.mark.parametrize("raw", ["soon", "4h", "2023-02-29", "53w", ""])
def test_resolve_due_checks_the_form_too(raw: str) -> None:
    with pytest.raises(BadTime):
        resolve_due(raw, today=TODAY)


def test_resolve_due_at_the_end_of_the_calendar() -> None:
    assert resolve_due("0d", today=date.max) == date.max
    with pytest.raises(BadTime, match="past the end of the calendar"):
        resolve_due("1d", today=date.max)


# ---- SLOs ----------------------------------------------------------------------------------

CLOSED = datetime(2021, 12, 28, 10, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("priority", "due"),
    [
        ("high", date(2022, 1, 12)),
        ("medium", date(2022, 1, 27)),
        ("low", date(2022, 2, 26)),
        (None, date(2022, 1, 27)),  # no priority is held to medium
    ],
)
def test_slo_due_with_the_defaults(priority: str | None, due: date) -> None:
    assert slo_due(priority, CLOSED, DEFAULT_SLO) == due
    assert slo_due(priority, CLOSED) == due


def test_slo_due_follows_the_policy() -> None:
    slo = {"high": timedelta(days=7), "medium": timedelta(days=14), "low": timedelta(days=90)}
    assert slo_due("high", CLOSED, slo) == date(2022, 1, 4)
    assert slo_due(None, CLOSED, slo) == date(2022, 1, 11)
    assert slo_due("low", CLOSED, slo) == date(2022, 3, 28)


def test_a_priority_missing_from_the_policy_falls_back_to_the_default() -> None:
    assert slo_due("low", CLOSED, {"high": timedelta(days=1)}) == date(2022, 2, 26)


def test_slo_due_is_the_day_in_the_close_times_zone() -> None:
    # 23:30 UTC on the 28th is already the 29th in Tokyo.
    closed = datetime(2021, 12, 28, 23, 30, tzinfo=UTC)
    assert slo_due("high", closed) == date(2022, 1, 12)
    assert slo_due("high", closed.astimezone(ZoneInfo("Asia/Tokyo"))) == date(2022, 1, 13)


def test_slo_deadline_is_exact_for_second_scale_policies() -> None:
    slo = {"high": timedelta(seconds=2), "medium": timedelta(seconds=5), "low": timedelta(0)}
    assert slo_deadline("high", CLOSED, slo) == CLOSED + timedelta(seconds=2)
    assert slo_deadline(None, CLOSED, slo) == CLOSED + timedelta(seconds=5)
    assert slo_deadline("low", CLOSED, slo) == CLOSED
    assert slo_due("high", CLOSED, slo) == CLOSED.date()


@pytest.mark.parametrize("priority", ["urgent", "HIGH", ""])
def test_slo_refuses_an_unknown_priority(priority: str) -> None:
    # Priorities come from the parser, already lower-cased and checked: this is a bug.
    with pytest.raises(ValueError, match="unknown priority"):
        slo_due(priority, CLOSED)


# ---- flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "due", "expected"),
    [
        ("U1", date(2022, 1, 1), ()),
        ("U1", TODAY, ()),  # due today is not overdue yet
        (None, date(2022, 1, 1), (NO_OWNER,)),
        ("", date(2022, 1, 1), (NO_OWNER,)),
        ("U1", None, (NO_DUE_DATE,)),
        (None, None, (NO_OWNER, NO_DUE_DATE)),
        ("U1", date(2021, 12, 27), (OVERDUE,)),
        (None, date(2021, 12, 1), (NO_OWNER, OVERDUE)),
    ],
)
def test_flags_of_an_open_item(
    owner: str | None, due: date | None, expected: tuple[str, ...]
) -> None:
    assert flags(owner=owner, due=due, done=False, dropped=False, today=TODAY) == expected


def test_flag_words() -> None:
    assert (NO_OWNER, NO_DUE_DATE, OVERDUE) == ("no owner", "no date agreed", "overdue")
    assert flags(owner=None, due=date(2021, 1, 1), done=False, dropped=False, today=TODAY) == (
        "no owner",
        "overdue",
    )


@pytest.mark.parametrize(("done", "dropped"), [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize(("owner", "due"), [(None, None), ("U1", date(2021, 1, 1))])
def test_finished_items_have_no_flags(
    done: bool, dropped: bool, owner: str | None, due: date | None
) -> None:
    assert flags(owner=owner, due=due, done=done, dropped=dropped, today=TODAY) == ()


def test_flags_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        flags("U1", None, False, False, TODAY)  # type: ignore[misc]
