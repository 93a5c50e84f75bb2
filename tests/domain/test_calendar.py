"""Working-hours arithmetic: weekends, holidays, window edges, far zones, DST, and its limits."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import (
    MAX_SEARCH_DAYS,
    WorkCalendar,
    deliverable,
    due_after,
    in_working_hours,
    is_working_day,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+5:30
ST_JOHNS = ZoneInfo("America/St_Johns")  # UTC-3:30, -2:30 in summer
APIA = ZoneInfo("Pacific/Apia")  # skipped 2011-12-30 entirely

CAL = WorkCalendar()
EVERY_DAY = frozenset(range(7))
NEW_YEAR = WorkCalendar(holidays=frozenset({date(2021, 12, 31), date(2022, 1, 3)}))
OFF = WorkCalendar(business_days=False)


def at(tz: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    """A wall time in ``tz``, as an aware datetime.

    Expected values in a DST gap or fold are written in UTC instead: Python compares such
    datetimes as unequal to any instant in another zone, and adds to them in wall time.
    """
    return datetime(*fields, tzinfo=tz, fold=fold)  # type: ignore[misc]


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)  # type: ignore[misc]


def deliver(when: datetime, tz: ZoneInfo, cal: WorkCalendar = CAL) -> datetime:
    result = deliverable(when, tz=tz, cal=cal)
    assert result.tzinfo is UTC
    return result


# ---- the calendar itself ----------------------------------------------------------------


def test_defaults() -> None:
    assert CAL.business_days is True
    assert (CAL.start, CAL.end) == (time(10), time(18))
    assert CAL.days == frozenset({0, 1, 2, 3, 4})
    assert CAL.holidays == frozenset()


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"start": time(18), "end": time(10)}, "start before they end"),
        ({"start": time(10), "end": time(10)}, "start before they end"),
        ({"days": frozenset({7})}, "0 (Monday) to 6"),
        ({"days": frozenset({-1, 0})}, "0 (Monday) to 6"),
        ({"start": time(10, tzinfo=UTC)}, "naive"),
    ],
)
def test_invalid_calendars(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        WorkCalendar(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "cal", "expected"),
    [
        (date(2021, 12, 27), CAL, True),  # Monday
        (date(2021, 12, 31), CAL, True),  # Friday
        (date(2022, 1, 1), CAL, False),  # Saturday
        (date(2022, 1, 2), CAL, False),  # Sunday
        (date(2021, 12, 31), NEW_YEAR, False),  # a holiday on a Friday
        (date(2022, 1, 3), NEW_YEAR, False),  # a holiday on a Monday
        (date(2022, 1, 4), NEW_YEAR, True),
        (date(2022, 1, 2), WorkCalendar(days=EVERY_DAY), True),
        (date(2021, 12, 27), WorkCalendar(days=frozenset({6})), False),
    ],
)
def test_is_working_day(day: date, cal: WorkCalendar, expected: bool) -> None:
    assert is_working_day(day, cal) is expected


# ---- deliverable: window edges, weekends, holidays ---------------------------------------


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(TOKYO, 2021, 12, 27, 9, 59), at(TOKYO, 2021, 12, 27, 10)),  # just before
        (at(TOKYO, 2021, 12, 27, 0, 0), at(TOKYO, 2021, 12, 27, 10)),  # midnight
        (at(TOKYO, 2021, 12, 27, 10), at(TOKYO, 2021, 12, 27, 10)),  # exactly the start
        (at(TOKYO, 2021, 12, 27, 13, 7, 5), at(TOKYO, 2021, 12, 27, 13, 7, 5)),
        (at(TOKYO, 2021, 12, 27, 17, 59, 59, 999999), at(TOKYO, 2021, 12, 27, 17, 59, 59, 999999)),
        (at(TOKYO, 2021, 12, 27, 18), at(TOKYO, 2021, 12, 28, 10)),  # exactly the end
        (at(TOKYO, 2021, 12, 27, 23, 59), at(TOKYO, 2021, 12, 28, 10)),
        (at(TOKYO, 2021, 12, 31, 18), at(TOKYO, 2022, 1, 3, 10)),  # Friday evening
        (at(TOKYO, 2022, 1, 1, 12), at(TOKYO, 2022, 1, 3, 10)),  # Saturday
        (at(TOKYO, 2022, 1, 2, 23, 59), at(TOKYO, 2022, 1, 3, 10)),  # Sunday night
    ],
)
def test_deliverable_edges_and_weekends(when: datetime, expected: datetime) -> None:
    assert deliver(when, TOKYO) == expected


def test_an_instant_given_in_another_zone_is_read_in_the_recipients() -> None:
    # Monday 10:30 in Tokyo is Monday 01:30 UTC: fine for the Tokyo recipient as given.
    assert deliver(utc(2021, 12, 27, 1, 30), TOKYO) == utc(2021, 12, 27, 1, 30)
    assert deliver(at(LA, 2021, 12, 26, 17, 30), TOKYO) == utc(2021, 12, 27, 1, 30)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(TOKYO, 2021, 12, 30, 19), at(TOKYO, 2022, 1, 4, 10)),  # over Fri, weekend, Mon
        (at(TOKYO, 2021, 12, 31, 10), at(TOKYO, 2022, 1, 4, 10)),  # on the holiday itself
        (at(TOKYO, 2021, 12, 30, 17), at(TOKYO, 2021, 12, 30, 17)),  # the day before is fine
    ],
)
def test_deliverable_skips_holidays(when: datetime, expected: datetime) -> None:
    assert deliver(when, TOKYO, NEW_YEAR) == expected


def test_a_long_holiday_run_is_searched_through() -> None:
    closed = frozenset(date(2022, 1, 1) + timedelta(days=n) for n in range(300))
    cal = WorkCalendar(holidays=closed)
    assert deliver(at(TOKYO, 2021, 12, 31, 19), TOKYO, cal) == at(TOKYO, 2022, 10, 28, 10)


@pytest.mark.parametrize(
    "cal",
    [
        WorkCalendar(days=frozenset()),
        WorkCalendar(holidays=frozenset(date(2022, 1, 1) + timedelta(days=n) for n in range(400))),
    ],
)
def test_no_working_day_is_an_error(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match=f"no working day in the {MAX_SEARCH_DAYS} days"):
        deliverable(at(TOKYO, 2021, 12, 31, 19), tz=TOKYO, cal=cal)
    with pytest.raises(ValueError, match="no working day"):
        due_after(at(TOKYO, 2021, 12, 31, 12), timedelta(days=1), tz=TOKYO, cal=cal)


@pytest.mark.parametrize(
    "when",
    [at(TOKYO, 2022, 1, 1, 3, 0), at(LA, 2021, 3, 14, 3, 30), utc(2021, 12, 27, 12, 0, 0, 1)],
)
def test_business_days_off_passes_the_instant_through(when: datetime) -> None:
    assert deliver(when, TOKYO, OFF) == when
    assert in_working_hours(when, tz=TOKYO, cal=OFF)


def test_off_ignores_an_empty_calendar() -> None:
    cal = WorkCalendar(business_days=False, days=frozenset())
    assert deliver(utc(2022, 1, 1), TOKYO, cal) == utc(2022, 1, 1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        deliverable(datetime(2021, 12, 27, 12), tz=TOKYO, cal=CAL)
    with pytest.raises(ValueError, match="aware"):
        due_after(datetime(2021, 12, 27, 12), timedelta(days=1), tz=TOKYO, cal=CAL)


# ---- far from UTC -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "when", "expected"),
    [
        # +14: Monday 10:00 is still Sunday 20:00 in UTC.
        (KIRITIMATI, utc(2021, 12, 26, 20), utc(2021, 12, 26, 20)),
        (KIRITIMATI, utc(2021, 12, 26, 19, 59), utc(2021, 12, 26, 20)),
        (KIRITIMATI, utc(2021, 12, 31, 4), utc(2022, 1, 2, 20)),  # Fri 18:00 → Mon 10:00
        # −11: Friday 17:00 is already Saturday 04:00 in UTC.
        (PAGO_PAGO, utc(2022, 1, 1, 4), utc(2022, 1, 1, 4)),
        (PAGO_PAGO, utc(2022, 1, 1, 5), utc(2022, 1, 3, 21)),  # Fri 18:00 → Mon 10:00
        (PAGO_PAGO, utc(2021, 12, 31, 20), utc(2021, 12, 31, 21)),  # Fri 09:00 → 10:00
        # Half-hour offsets.
        (KOLKATA, utc(2021, 12, 27, 4, 29), utc(2021, 12, 27, 4, 30)),
        (KOLKATA, utc(2021, 12, 27, 12, 30), utc(2021, 12, 28, 4, 30)),  # exactly 18:00
        (ST_JOHNS, utc(2021, 12, 27, 13), utc(2021, 12, 27, 13, 30)),  # −3:30 in winter
        (ST_JOHNS, utc(2021, 7, 5, 12), utc(2021, 7, 5, 12, 30)),  # −2:30 in summer
        (ST_JOHNS, utc(2021, 7, 5, 20, 29), utc(2021, 7, 5, 20, 29)),  # 17:59 NDT
    ],
)
def test_far_zones(tz: ZoneInfo, when: datetime, expected: datetime) -> None:
    assert deliver(when, tz) == expected


def test_one_instant_lands_differently_per_recipient() -> None:
    friday_noon_utc = utc(2021, 12, 31, 12)  # Fri 21:00 Tokyo, Sat 02:00 +14, Fri 01:00 −11
    assert deliver(friday_noon_utc, TOKYO) == at(TOKYO, 2022, 1, 3, 10)
    assert deliver(friday_noon_utc, KIRITIMATI) == at(KIRITIMATI, 2022, 1, 3, 10)
    assert deliver(friday_noon_utc, PAGO_PAGO) == at(PAGO_PAGO, 2021, 12, 31, 10)
    assert deliver(friday_noon_utc, ZoneInfo("UTC")) == friday_noon_utc


def test_a_day_removed_from_the_calendar() -> None:
    # Samoa skipped Friday 2011-12-30: Thursday evening goes straight to Monday morning.
    assert deliver(at(APIA, 2011, 12, 29, 18), APIA) == at(APIA, 2012, 1, 2, 10)


# ---- DST ----------------------------------------------------------------------------------

ALL_WEEK = WorkCalendar(days=EVERY_DAY)


def window(start: time, end: time = time(18)) -> WorkCalendar:
    return WorkCalendar(start=start, end=end, days=EVERY_DAY)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # Fri 18:00 PST → Mon 10:00 PDT: 64 hours of wall time, 63 elapsed.
        (at(LA, 2021, 3, 12, 18), utc(2021, 3, 15, 17)),
        (at(LA, 2021, 3, 14, 9), utc(2021, 3, 14, 17)),  # the morning after spring-forward
        (at(LA, 2021, 11, 5, 18), utc(2021, 11, 8, 18)),  # Fri PDT → Mon PST
        (at(LA, 2021, 11, 7, 9), utc(2021, 11, 7, 18)),  # the morning after fall-back
    ],
)
def test_dst_around_a_normal_window(when: datetime, expected: datetime) -> None:
    assert deliver(when, LA, ALL_WEEK if when.day in (7, 14) else CAL) == expected


@pytest.mark.parametrize(
    ("start", "when", "expected"),
    [
        # LA 2021-03-14: 02:00 PST jumps to 03:00 PDT (10:00 UTC). A start in the gap opens
        # the window at the first instant after it.
        (time(2), at(LA, 2021, 3, 14, 0), utc(2021, 3, 14, 10)),
        (time(2, 30), at(LA, 2021, 3, 14, 0), utc(2021, 3, 14, 10)),
        (time(2, 59), at(LA, 2021, 3, 14, 1, 59, 59), utc(2021, 3, 14, 10)),
        (time(3), at(LA, 2021, 3, 14, 0), utc(2021, 3, 14, 10)),
        (time(1, 30), at(LA, 2021, 3, 14, 0), utc(2021, 3, 14, 9, 30)),  # before the gap
        # Berlin 2021-03-28: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        (time(2, 15), at(BERLIN, 2021, 3, 28, 0), utc(2021, 3, 28, 1)),
    ],
)
def test_a_start_in_the_spring_forward_gap(start: time, when: datetime, expected: datetime) -> None:
    tz = when.tzinfo
    assert isinstance(tz, ZoneInfo)
    assert deliver(when, tz, window(start)) == expected


@pytest.mark.parametrize(
    ("tz", "start", "when", "expected"),
    [
        # LA 2021-11-07: 01:00–02:00 happens twice (PDT, then PST). A start in it opens the
        # window at its first occurrence...
        (LA, time(1, 30), at(LA, 2021, 11, 7, 0), utc(2021, 11, 7, 8, 30)),
        (LA, time(1), at(LA, 2021, 11, 7, 0, 30), utc(2021, 11, 7, 8)),
        # ...and the window stays open through the repeated hour.
        (LA, time(1, 30), at(LA, 2021, 11, 7, 1, 10, fold=1), utc(2021, 11, 7, 9, 10)),
        (LA, time(1, 30), at(LA, 2021, 11, 7, 1, 40, fold=1), utc(2021, 11, 7, 9, 40)),
        # Berlin 2021-10-31: 02:00–03:00 happens twice (CEST, then CET).
        (BERLIN, time(2, 30), at(BERLIN, 2021, 10, 31, 1), utc(2021, 10, 31, 0, 30)),
    ],
)
def test_a_start_in_the_repeated_hour(
    tz: ZoneInfo, start: time, when: datetime, expected: datetime
) -> None:
    assert deliver(when, tz, window(start)) == expected


def test_an_end_in_the_repeated_hour_closes_at_its_first_occurrence() -> None:
    cal = window(time(1), time(1, 30))
    assert deliver(at(LA, 2021, 11, 7, 1, 15), LA, cal) == utc(2021, 11, 7, 8, 15)
    # 01:15 PST: the window closed at 01:30 PDT, so tomorrow at 01:00.
    assert deliver(at(LA, 2021, 11, 7, 1, 15, fold=1), LA, cal) == at(LA, 2021, 11, 8, 1)


def test_a_window_inside_the_gap_vanishes_for_that_day() -> None:
    cal = window(time(2, 10), time(2, 50))
    assert deliver(at(LA, 2021, 3, 14, 0), LA, cal) == at(LA, 2021, 3, 15, 2, 10)
    assert deliver(at(LA, 2021, 3, 13, 2, 20), LA, cal) == at(LA, 2021, 3, 13, 2, 20)


def test_in_working_hours() -> None:
    assert in_working_hours(at(TOKYO, 2021, 12, 27, 10), tz=TOKYO, cal=CAL)
    assert not in_working_hours(at(TOKYO, 2021, 12, 27, 18), tz=TOKYO, cal=CAL)
    assert not in_working_hours(at(TOKYO, 2021, 12, 31, 12), tz=TOKYO, cal=NEW_YEAR)
    assert in_working_hours(utc(2021, 3, 14, 10), tz=LA, cal=window(time(2, 30)))
    assert not in_working_hours(utc(2021, 3, 14, 9, 59, 59), tz=LA, cal=window(time(2, 30)))


# ---- due_after ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        # The docstring's examples.
        (at(TOKYO, 2021, 12, 24, 15), timedelta(days=2), at(TOKYO, 2021, 12, 28, 15)),
        (at(TOKYO, 2021, 12, 24, 19), timedelta(days=1), at(TOKYO, 2021, 12, 28, 10)),
        (at(TOKYO, 2021, 12, 25, 12), timedelta(days=1), at(TOKYO, 2021, 12, 27, 12)),
        (at(TOKYO, 2021, 12, 23, 16), timedelta(hours=4), at(TOKYO, 2021, 12, 24, 10)),
        # Within a day, and a remainder after whole days.
        (at(TOKYO, 2021, 12, 27, 11), timedelta(hours=2), at(TOKYO, 2021, 12, 27, 13)),
        (at(TOKYO, 2021, 12, 24, 15), timedelta(days=1, hours=2), at(TOKYO, 2021, 12, 27, 17)),
        (at(TOKYO, 2021, 12, 24, 17), timedelta(days=1, hours=2), at(TOKYO, 2021, 12, 28, 10)),
        # Five business days (the retro window) from Monday is next Monday.
        (at(TOKYO, 2021, 12, 20, 15), timedelta(days=5), at(TOKYO, 2021, 12, 27, 15)),
        # Zero: only moved into working hours.
        (at(TOKYO, 2021, 12, 25, 12), timedelta(0), at(TOKYO, 2021, 12, 27, 10)),
        (at(TOKYO, 2021, 12, 27, 12), timedelta(0), at(TOKYO, 2021, 12, 27, 12)),
        # Far zones keep their own local time of day.
        (at(KIRITIMATI, 2021, 12, 31, 15), timedelta(days=1), at(KIRITIMATI, 2022, 1, 3, 15)),
        (at(PAGO_PAGO, 2021, 12, 31, 15), timedelta(days=1), at(PAGO_PAGO, 2022, 1, 3, 15)),
    ],
)
def test_due_after(start: datetime, span: timedelta, expected: datetime) -> None:
    tz = start.tzinfo
    assert isinstance(tz, ZoneInfo)
    result = due_after(start, span, tz=tz, cal=CAL)
    assert result == expected
    assert result.tzinfo is UTC


def test_due_after_skips_holidays() -> None:
    start = at(TOKYO, 2021, 12, 30, 15)
    assert due_after(start, timedelta(days=1), tz=TOKYO, cal=NEW_YEAR) == at(TOKYO, 2022, 1, 4, 15)


def test_due_after_counts_days_in_the_recipients_zone() -> None:
    # Friday 23:00 UTC is Saturday 08:00 in Tokyo: one business day later is Monday there.
    start = utc(2021, 12, 24, 23)
    assert due_after(start, timedelta(days=1), tz=TOKYO, cal=CAL) == at(TOKYO, 2021, 12, 27, 10)
    assert due_after(start, timedelta(days=1), tz=LA, cal=CAL) == at(LA, 2021, 12, 27, 15)


def test_due_after_keeps_the_local_time_across_dst() -> None:
    start = at(LA, 2021, 3, 12, 15)  # Friday, PST
    result = due_after(start, timedelta(days=1), tz=LA, cal=CAL)
    assert result == at(LA, 2021, 3, 15, 15)  # Monday, PDT
    assert result - start == timedelta(hours=71)


def test_due_after_landing_in_the_gap_takes_the_first_instant_after_it() -> None:
    cal = WorkCalendar(start=time(0), end=time(23, 59), days=EVERY_DAY)
    result = due_after(at(LA, 2021, 3, 13, 2, 30), timedelta(days=1), tz=LA, cal=cal)
    assert result == utc(2021, 3, 14, 10)  # 03:00 PDT


@pytest.mark.parametrize(
    ("start", "span"),
    [
        (utc(2022, 1, 1, 3), timedelta(seconds=30)),  # a Saturday night
        (utc(2021, 12, 27, 17, 59, 50), timedelta(days=2, seconds=1)),
        (utc(2021, 3, 14, 9, 59), timedelta(minutes=1)),  # LA's spring-forward
    ],
)
def test_due_after_with_business_days_off_is_plain_time(start: datetime, span: timedelta) -> None:
    for tz in (TOKYO, LA):
        assert due_after(start, span, tz=tz, cal=OFF) == start + span


def test_due_after_refuses_a_negative_span() -> None:
    with pytest.raises(ValueError, match="negative"):
        due_after(utc(2021, 12, 27), timedelta(seconds=-1), tz=TOKYO, cal=CAL)


# ---- properties ---------------------------------------------------------------------------

ZONES = [
    ZoneInfo("UTC"),
    TOKYO,
    LA,
    BERLIN,
    KIRITIMATI,
    PAGO_PAGO,
    KOLKATA,
    ST_JOHNS,
    APIA,
    ZoneInfo("Australia/Lord_Howe"),  # a 30-minute DST shift
    ZoneInfo("America/Santiago"),  # falls back from Sunday 00:00 to Saturday 23:00
]
# Zones with a fixed offset since 2000, where wall times are never skipped or repeated.
FIXED_ZONES = [ZoneInfo("UTC"), TOKYO, KIRITIMATI, PAGO_PAGO, KOLKATA]
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    first, last = sorted(
        draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2, max_size=2, unique=True))
    )
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    base = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
    holidays = draw(st.frozensets(st.integers(0, 30).map(lambda n: base + timedelta(days=n))))
    return WorkCalendar(
        start=time(first // 60, first % 60),
        end=time(last // 60, last % 60),
        days=days,
        holidays=holidays,
    )


def assert_wall_time_inside(result: datetime, tz: ZoneInfo, cal: WorkCalendar) -> None:
    local = result.astimezone(tz)
    assert is_working_day(local.date(), cal)
    assert cal.start <= local.time().replace(tzinfo=None) < cal.end


@settings(max_examples=250, deadline=None)
@given(INSTANTS, st.sampled_from(ZONES), calendars())
def test_deliverable_properties(when: datetime, tz: ZoneInfo, cal: WorkCalendar) -> None:
    result = deliverable(when, tz=tz, cal=cal)
    assert result >= when
    assert in_working_hours(result, tz=tz, cal=cal)
    assert deliverable(result, tz=tz, cal=cal) == result
    if result > when:  # nothing earlier would have done
        assert not in_working_hours(when, tz=tz, cal=cal)
        assert not in_working_hours(result - timedelta(microseconds=1), tz=tz, cal=cal)


@settings(max_examples=150, deadline=None)
@given(INSTANTS, st.sampled_from(FIXED_ZONES), calendars())
def test_deliverable_wall_time_in_fixed_zones(
    when: datetime, tz: ZoneInfo, cal: WorkCalendar
) -> None:
    assert_wall_time_inside(deliverable(when, tz=tz, cal=cal), tz, cal)


@settings(max_examples=150, deadline=None)
@given(INSTANTS, st.sampled_from(ZONES))
def test_deliverable_wall_time_with_default_hours(when: datetime, tz: ZoneInfo) -> None:
    # No zone here changes its clocks between 10:00 and 18:00.
    assert_wall_time_inside(deliverable(when, tz=tz, cal=CAL), tz, CAL)


@settings(max_examples=150, deadline=None)
@given(
    INSTANTS,
    st.sampled_from(ZONES),
    calendars(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
)
def test_due_after_properties(
    start: datetime, tz: ZoneInfo, cal: WorkCalendar, span: timedelta
) -> None:
    result = due_after(start, span, tz=tz, cal=cal)
    assert result >= start + span - timedelta(days=span.days)
    assert in_working_hours(result, tz=tz, cal=cal)
    off = WorkCalendar(business_days=False, start=cal.start, end=cal.end, days=cal.days)
    assert due_after(start, span, tz=tz, cal=off) == start + span
