"""Working hours: when a nudge may reach a person, and when a span of business days ends.

Everything here is pure: instants go in and come out as aware datetimes, the recipient's time
zone and the team's ``WorkCalendar`` are passed in.

The working window of a working day ``d`` runs from the moment the recipient's clock first
reads ``start`` on ``d`` up to (not including) the moment it first reads ``end`` on ``d``. Wall
times are read the way a person would: one skipped by a spring-forward gap (02:30 on a night
that jumps from 02:00 to 03:00) means the first instant after the gap, and one repeated by a
fall-back means its first occurrence. A day whose window vanishes that way (start and end both
inside one gap) has no window.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead to look for a working day. A year of holidays is a mistake in the calendar,
# and looping on forever would hide it.
MAX_SEARCH_DAYS = 366

_WEEK = frozenset(range(7))


@dataclass(frozen=True)
class WorkCalendar:
    """When people work, in their own local time. Days are numbered Monday=0 … Sunday=6.

    ``business_days=False`` switches the calendar off: nudges go out at any moment and spans
    are plain elapsed time (policies with second-scale durations rely on it).
    """

    business_days: bool = True
    start: time = time(10, 0)
    end: time = time(18, 0)
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    # A maintained public-holiday calendar to add: (country, subdivision or None), e.g. ("JP",
    # None). The domain only records it; bot/calendars.py adds its days to `holidays`.
    public_holidays: tuple[str, str | None] | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall times: start and end must be naive")
        if self.start >= self.end:
            raise ValueError(f"working hours must start before they end: {self.start}–{self.end}")
        if not self.days <= _WEEK:
            raise ValueError(f"working days are numbered 0 (Monday) to 6, got {sorted(self.days)}")


def is_working_day(day: date, cal: WorkCalendar) -> bool:
    """A working weekday that is not a holiday."""
    return day.weekday() in cal.days and day not in cal.holidays


def deliverable(at: datetime, *, tz: ZoneInfo, cal: WorkCalendar) -> datetime:
    """The first instant at or after ``at`` inside the recipient's working window, in UTC.

    With ``cal.business_days`` off it is ``at`` itself. Raises ``ValueError`` when no working
    day comes within ``MAX_SEARCH_DAYS`` (a calendar with no working day at all).
    """
    at = _utc(at, "at")
    if not cal.business_days or in_working_hours(at, tz=tz, cal=cal):
        return at
    # Outside every window, the next instant inside one is where the next window opens.
    for day in _working_days_from(at.astimezone(tz).date() - timedelta(days=1), cal):
        window = _window(day, tz, cal)
        if window is not None and window[0] >= at:
            return window[0]
    raise AssertionError("unreachable: _working_days_from raises first")  # pragma: no cover


def in_working_hours(at: datetime, *, tz: ZoneInfo, cal: WorkCalendar) -> bool:
    """Whether ``at`` is inside a working window (always, with ``business_days`` off)."""
    at = _utc(at, "at")
    if not cal.business_days:
        return True
    local_day = at.astimezone(tz).date()
    # The neighbours too: around a date-line or midnight transition a window can straddle days.
    for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
        window = _window(day, tz, cal) if is_working_day(day, cal) else None
        if window is not None and window[0] <= at < window[1]:
            return True
    return False


def due_after(start: datetime, span: timedelta, *, tz: ZoneInfo, cal: WorkCalendar) -> datetime:
    """When ``span`` after ``start`` falls due, in UTC, moved into the recipient's working hours.

    With ``cal.business_days`` off: ``start + span``, nothing else. Otherwise the whole days of
    ``span`` are business days, counted in the recipient's zone: each one moves to the next
    working day (skipping weekends and holidays) keeping the local time of day. The rest of
    ``span`` (hours, minutes, seconds) is then added as plain time, and the result goes through
    ``deliverable``. So, with the default calendar (Mon–Fri, 10:00–18:00):

    - 2d after Friday 15:00 → Tuesday 15:00;
    - 1d after Friday 19:00 → Monday 19:00 → delivered Tuesday 10:00;
    - 1d after Saturday 12:00 → Monday 12:00 (the next working day);
    - 4h after Thursday 16:00 → Thursday 20:00 → delivered Friday 10:00.
    """
    start = _utc(start, "start")
    if span < timedelta(0):
        raise ValueError(f"a span must not be negative, got {span}")
    if not cal.business_days:
        return start + span
    local = start.astimezone(tz)
    day = local.date()
    for _ in range(span.days):
        day = next(_working_days_from(day + timedelta(days=1), cal))
    moved = _instant(day, local.time(), tz) if span.days else start
    rest = span - timedelta(days=span.days)
    return deliverable(moved + rest, tz=tz, cal=cal)


def _utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return at.astimezone(UTC)


def _working_days_from(first: date, cal: WorkCalendar) -> Iterator[date]:
    """Working days from ``first`` on, in order; ``ValueError`` past ``MAX_SEARCH_DAYS``."""
    idle = 0
    day = first
    while True:
        if is_working_day(day, cal):
            idle = 0
            yield day
        else:
            idle += 1
            if idle > MAX_SEARCH_DAYS:
                raise ValueError(
                    f"no working day in the {MAX_SEARCH_DAYS} days from {first.isoformat()}: "
                    "check the calendar's working days and holidays"
                )
        day += timedelta(days=1)


def _window(day: date, tz: ZoneInfo, cal: WorkCalendar) -> tuple[datetime, datetime] | None:
    """The working window of ``day`` as UTC instants [opens, closes), or None if it vanished."""
    opens, closes = _instant(day, cal.start, tz), _instant(day, cal.end, tz)
    return (opens, closes) if opens < closes else None


def _instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant when the clock in ``tz`` first reads ``wall`` on ``day``.

    A repeated wall time gives its first occurrence; a skipped one, the end of the gap.
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)  # fold=0: the earlier reading
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # ``naive`` fell into a gap. PEP 495 reads it with the offset from before the gap (fold=0)
    # or after it (fold=1); the transition lies between the two readings.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return _transition(min(first, other), max(first, other), tz)


def _transition(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The first whole second in (before, after] with the UTC offset that ``after`` has in tz.

    Zone transitions fall on whole seconds, so a bisection over seconds finds it exactly.
    """
    target = after.astimezone(tz).utcoffset()
    before = before.replace(microsecond=0)
    lo, hi = 0, math.ceil((after - before).total_seconds())
    while hi - lo > 1:  # offset(before + lo) != target, offset(before + hi) == target
        mid = (lo + hi) // 2
        if (before + timedelta(seconds=mid)).astimezone(tz).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return before + timedelta(seconds=hi)


def slot_before(
    deadline: datetime, length: timedelta, *, tz: ZoneInfo, cal: WorkCalendar, now: datetime
) -> tuple[datetime, datetime]:
    """A meeting of ``length`` inside working hours in ``tz``, on the hour, ending by
    ``deadline``: the latest such slot after ``now`` (people need the time to prepare). When none
    fits (a deadline too close), the first slot in working hours after ``now``.
    """
    deadline, now = _utc(deadline, "deadline"), _utc(now, "now")
    if not cal.business_days:
        end = deadline.replace(minute=0, second=0, microsecond=0)
        return end - length, end
    day = deadline.astimezone(tz).date()
    while day >= now.astimezone(tz).date():
        slot = _latest_in(day, deadline, length, tz, cal) if is_working_day(day, cal) else None
        if slot is not None and slot[0] >= now:
            return slot
        day -= timedelta(days=1)
    start = deliverable(now, tz=tz, cal=cal)
    start = _next_hour(start, tz)
    if not in_working_hours(start + length - timedelta(seconds=1), tz=tz, cal=cal):
        start = deliverable(start + length, tz=tz, cal=cal)
    return start, start + length


def _latest_in(
    day: date, deadline: datetime, length: timedelta, tz: ZoneInfo, cal: WorkCalendar
) -> tuple[datetime, datetime] | None:
    window = _window(day, tz, cal)
    if window is None:
        return None
    end = min(window[1], deadline)
    local_end = end.astimezone(tz)
    end = end - timedelta(
        minutes=local_end.minute, seconds=local_end.second, microseconds=local_end.microsecond
    )
    start = end - length
    return (start, end) if start >= window[0] else None


def _next_hour(at: datetime, tz: ZoneInfo) -> datetime:
    local = at.astimezone(tz)
    if (local.minute, local.second, local.microsecond) == (0, 0, 0):
        return at
    return (
        at
        + timedelta(hours=1)
        - timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
    )
