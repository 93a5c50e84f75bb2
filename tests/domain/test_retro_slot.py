"""The retro's proposed slot: inside working hours in the team's zone, before the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar, in_working_hours, slot_before
from bot.domain.ics import retro_invitation

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = WorkCalendar()  # Mon–Fri, 10:00–18:00
HOUR = timedelta(hours=1)


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def test_the_last_working_hour_before_an_evening_deadline() -> None:
    # Closed Monday 18:30; due five business days later, Monday 18:30: 17:00–18:00 that day.
    assert slot_before(jst(30, 18, 30), HOUR, tz=TOKYO, cal=CAL, now=jst(23, 18, 30)) == (
        jst(30, 17),
        jst(30, 18),
    )


def test_a_sev1_closed_on_saturday_night_meets_on_monday_afternoon() -> None:
    # Closed Saturday 03:00 (the 28th); three calendar days: Tuesday 03:00.
    tuesday_3am = datetime(2026, 12, 1, 3, tzinfo=TOKYO)
    start, end = slot_before(tuesday_3am, HOUR, tz=TOKYO, cal=CAL, now=jst(28, 3))
    assert (start, end) == (jst(30, 17), jst(30, 18))


def test_a_deadline_inside_working_hours_ends_on_the_hour_before_it() -> None:
    assert slot_before(jst(26, 14, 40), HOUR, tz=TOKYO, cal=CAL, now=jst(24, 9)) == (
        jst(26, 13),
        jst(26, 14),
    )


def test_too_close_a_deadline_gets_the_first_working_slot_after_now() -> None:
    start, end = slot_before(jst(27, 20), HOUR, tz=TOKYO, cal=CAL, now=jst(27, 17, 30))
    assert (start, end) == (jst(30, 10), jst(30, 11))  # Friday evening → Monday morning
    assert in_working_hours(start, tz=TOKYO, cal=CAL)


def test_without_business_days_it_is_the_hour_before_the_deadline() -> None:
    plain = WorkCalendar(business_days=False)
    assert slot_before(jst(27, 20, 30), HOUR, tz=TOKYO, cal=plain, now=jst(27, 9)) == (
        jst(27, 19),
        jst(27, 20),
    )


def test_the_invitation_carries_the_slot_in_utc() -> None:
    ics = retro_invitation(
        uid="u",
        title="Retro",
        description="d",
        deadline=jst(30, 18, 30),
        now=jst(23, 18, 30),
        tz=TOKYO,
        cal=CAL,
    )
    assert "DTSTART:20261130T080000Z\r\n" in ics and "DTEND:20261130T090000Z\r\n" in ics
