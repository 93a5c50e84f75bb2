"""Reading and writing the times and durations people type into Slack.

Everything here is pure: the clock (``now``) and the time zone are passed in. Parsers raise
``BadTime`` — and only ``BadTime`` — for any text they cannot use, with a message that is safe
to show the person who typed it.

Accepted durations: ``30s``, ``25m``, ``4h``, ``2d``, ``1h30m``, ``1d2h`` — units d, h, m, s in
that order, each at most once, case-insensitive, no spaces. ``0m`` (any all-zero form) means zero.

Accepted times (see ``parse_time``): ``10:42`` (also ``9:05``), ``2021-12-28 10:42``,
``2021-12-28T10:42`` (both local to the given zone), and ISO 8601 with an offset or ``Z``:
``2017-01-31T23:27Z``, ``2017-02-28T09:37-08:00``, ``2017-02-28 09:37:15+09:00``. Seconds
(``:SS``) are optional everywhere; an offset needs a date (``10:42Z`` is refused).

Japanese forms are read too: ``10時30分``, ``10時``, ``10時半``, ``午後3時``, ``午前9時15分`` (also
after a date). Times are read after NFKC normalisation, so the full-width digits and colons an IME
types (``１３：５８``) are the same as ``13:58``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.errors import BadTime
from bot.domain.messages import N_, Message, Moment, echo

MAX_DURATION = timedelta(days=365)
DURATION_EXAMPLES = Message(N_("Try 25m, 4h, 1h30m or 2d."))
TIME_EXAMPLES = Message(N_("Try 10:42, 2021-12-28 10:42 or 2021-12-28T10:42+09:00."))
# What people read the future-refusal against: the clocks of two devices may disagree this much.
SKEW = timedelta(minutes=1)

# Twelve digits per unit is far past the one-year cap, and the bound keeps int() away from
# thousand-digit numbers (which it refuses with a ValueError of its own).
_DURATION = re.compile(
    r"(?:(?P<d>[0-9]{1,12})d)?(?:(?P<h>[0-9]{1,12})h)?"
    r"(?:(?P<m>[0-9]{1,12})m)?(?:(?P<s>[0-9]{1,12})s)?",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}

# One grammar for "a time", shared by parse_time and split_leading_time so that whatever the
# note prefix recognises is exactly what the parser accepts (or rejects with a precise reason).
# A date-and-time with a space in it is two words; the T form is one.
_TIME_GRAMMAR = (
    r"(?:(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[Tt]|[ \t]+))?"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)
_TIME = re.compile(_TIME_GRAMMAR)
_LEADING_TIME = re.compile(rf"{_TIME_GRAMMAR}(?=\s|\Z)")
# 10時30分, 10時, 10時半, 午後3時, 午前9時15分20秒, after an optional date (read after NFKC).
_JA_TIME = re.compile(
    r"(?:(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]*)?"
    r"(?P<half_day>午前|午後)?[ \t]*(?P<hour>[0-9]{1,2})時"
    r"(?:(?P<minute>[0-9]{1,2})分(?:(?P<second>[0-9]{1,2})秒)?|(?P<half>半))?"
)
# A word that looks like a time but may not be one we can read (1:5, 12:30pm, 午後 3): refused
# with a hint rather than left in a note's text, where the time would be silently lost.
_TIME_LIKE = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ])?(?:[0-9]{1,2}[:時]|(?:午前|午後)\s*[0-9])"
)


@dataclass(frozen=True)
class _TimeParts:
    """The fields of a syntactically valid time, before a zone is applied."""

    day: date | None  # None: "today" in the caller's zone
    hour: int
    minute: int
    second: int
    offset: timezone | None  # None: local to the caller's zone


# 25分, 1時間30分, 1時間半, 2日, 30秒: the Japanese units, read as d, h, m, s.
_JA_UNITS = (("時間半", "h30m"), ("時間", "h"), ("分", "m"), ("日", "d"), ("秒", "s"))


def parse_duration(raw: str) -> timedelta:
    """Read ``25m``, ``4h``, ``1h30m``, ``2d``, ``30s``… into a timedelta (0 to 365 days).

    Full-width digits and the Japanese units (``25分``, ``1時間30分``, ``1時間半``) are read too."""
    text = normal(raw)
    for unit, letter in _JA_UNITS:
        text = text.replace(unit, letter)
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise BadTime(
            N_("I couldn't read %(raw)s as a duration. %(examples)s"),
            raw=echo(raw),
            examples=DURATION_EXAMPLES,
        )
    # Sum as plain ints first: timedelta() itself overflows on absurd input.
    seconds = sum(int(v) * _UNIT_SECONDS[u] for u, v in match.groupdict().items() if v)
    if seconds > MAX_DURATION.total_seconds():
        raise BadTime(
            N_("%(raw)s is longer than a year, which can't be right. %(examples)s"),
            raw=echo(raw),
            examples=DURATION_EXAMPLES,
        )
    return timedelta(seconds=seconds)


def minutes(td: timedelta) -> int:
    """Whole minutes in ``td``, rounded down (so 19 min 59 s is 19)."""
    return td // timedelta(minutes=1)


def format_duration(td: timedelta) -> str:
    """Human text for a duration, as used in trigger reasons.

    Under a minute: seconds (``45 s``); zero is ``0 min``. Otherwise whole minutes, rounded
    down, written as the non-zero units among d, h, min: ``27 min``, ``2 h``, ``1 h 30 min``,
    ``3 d 4 h``, ``1 d 5 min``. Negative values get a leading ``-``.
    """
    if td < timedelta(0):
        return "-" + format_duration(-td)
    if td == timedelta(0):
        return "0 min"
    if td < timedelta(minutes=1):
        return f"{int(td.total_seconds())} s"
    days, rest = divmod(minutes(td), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n]
    return " ".join(parts)


def format_duration_ja(td: timedelta) -> str:
    """The Japanese twin of ``format_duration``: ``27分``, ``1時間30分``, ``3日4時間``."""
    if td < timedelta(0):
        return "-" + format_duration_ja(-td)
    if td < timedelta(minutes=1):
        return f"{int(td.total_seconds())}秒" if td else "0分"
    days, rest = divmod(minutes(td), 24 * 60)
    hours, mins = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((days, "日"), (hours, "時間"), (mins, "分")) if n)


_DURATION_BY_LANGUAGE = {"ja": format_duration_ja}


def format_duration_in(lang: str, td: timedelta) -> str:
    """``td`` as people of the language ``lang`` write it: ``1 h 30 min``, ``1時間30分``."""
    return _DURATION_BY_LANGUAGE.get(lang, format_duration)(td)


def _parse_offset(raw: str) -> timezone:
    """``Z``, ``+09:00``, ``-0800`` → a fixed offset."""
    if raw in ("Z", "z"):
        return UTC
    digits = raw[1:].replace(":", "")
    hours, mins = int(digits[:2]), int(digits[2:])
    if hours > 23 or mins > 59:
        raise BadTime(
            N_("%(raw)s is not a valid UTC offset. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        )
    sign = -1 if raw[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=mins))


def _parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadTime(
            N_("There is no day %(raw)s in the calendar. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        ) from None


def normal(raw: str) -> str:
    """``raw`` as the time grammar reads it: NFKC (full-width digits, colons and spaces become
    ASCII), trimmed."""
    return unicodedata.normalize("NFKC", raw).strip()


def _time_parts(raw: str) -> _TimeParts:
    """Check the form and the field ranges of a time, without any zone."""
    text = normal(raw)
    match = _TIME.fullmatch(text)
    if match is None:
        return _ja_time_parts(raw, text)
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    return _checked_parts(raw, match["date"], hour, minute, second, match["offset"])


def _ja_time_parts(raw: str, text: str) -> _TimeParts:
    match = _JA_TIME.fullmatch(text)
    if match is None:
        raise BadTime(
            N_("I couldn't read %(raw)s as a time. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        )
    hour = int(match["hour"])
    minute = 30 if match["half"] else int(match["minute"] or 0)
    if match["half_day"]:
        if hour > 12:
            raise BadTime(
                N_("%(raw)s mixes 午前/午後 with a 24-hour time. Write 15時 or 午後3時."),
                raw=echo(raw),
            )
        hour = hour % 12 + (12 if match["half_day"] == "午後" else 0)
    return _checked_parts(raw, match["date"], hour, minute, int(match["second"] or 0), None)


def _checked_parts(
    raw: str, day: str | None, hour: int, minute: int, second: int, offset: str | None
) -> _TimeParts:
    if hour > 23 or minute > 59 or second > 59:
        raise BadTime(
            N_("%(raw)s is not a time of day: hours go 0-23 and minutes 0-59. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        )
    if offset and not day:
        # "10:42Z" leaves the day open to two readings (today here, or today in UTC).
        raise BadTime(
            N_("%(raw)s has an offset but no date. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        )
    return _TimeParts(
        _parse_day(day) if day else None,
        hour,
        minute,
        second,
        _parse_offset(offset) if offset else None,
    )


def check_time(raw: str) -> str:
    """Validate a time's form without a zone (for command parsing); return it normalised.

    Zone-dependent problems (a local time skipped by DST) are only found by ``parse_time``.
    """
    _time_parts(raw)
    return normal(raw)


def _localize(naive: datetime, tz: ZoneInfo, raw: str) -> datetime:
    """Attach ``tz``; reject times skipped by DST, take the earlier of repeated ones."""
    aware = naive.replace(tzinfo=tz, fold=0)  # fold=0: the first of two repeated wall times
    # A wall time in the spring-forward gap does not survive a round trip through UTC.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise BadTime(
            N_(
                "%(raw)s never happened in %(zone)s: the clocks went forward then. "
                "Try a time just before or after the change."
            ),
            raw=echo(raw),
            zone=tz.key or Message(N_("your time zone")),
        )
    return aware


def has_offset(raw: str) -> bool:
    """True when the time says its own offset (``Z`` or ``+09:00``): no zone is needed."""
    match = _TIME.fullmatch(normal(raw))
    return bool(match and match.group("offset"))


def parse_time(raw: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    """Read a time typed by a person in zone ``tz``; return it as an aware UTC datetime.

    ``HH:MM`` (no date) means the most recent such time in ``tz`` that is not in the future:
    ``23:48`` typed at 00:33 is yesterday's (callers check it against the incident with
    ``validate_occurrence``). Times without an offset are local to ``tz``; times with ``Z`` or
    ``±HH:MM`` ignore ``tz``.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    parts = _time_parts(raw)
    try:
        if parts.day is None:
            return _most_recent(parts, raw, tz, now)
        day = parts.day
        naive = datetime(day.year, day.month, day.day, parts.hour, parts.minute, parts.second)
        if parts.offset is not None:
            return naive.replace(tzinfo=parts.offset).astimezone(UTC)
        return _localize(naive, tz, raw).astimezone(UTC)
    except (OverflowError, ValueError):
        # Only reachable at the very edges of the calendar (year 1 or 9999 plus an offset).
        raise BadTime(
            N_("%(raw)s is too far from today. %(examples)s"),
            raw=echo(raw),
            examples=TIME_EXAMPLES,
        ) from None


def _most_recent(parts: _TimeParts, raw: str, tz: ZoneInfo, now: datetime) -> datetime:
    """The clock time of ``parts`` today in ``tz``, or yesterday when today's is still ahead."""
    today = now.astimezone(tz).date()
    for day in (today, today - timedelta(days=1)):
        naive = datetime(day.year, day.month, day.day, parts.hour, parts.minute, parts.second)
        at = _localize(naive, tz, raw).astimezone(UTC)
        if at <= now + SKEW:
            return at
    return at


def split_leading_time(text: str) -> tuple[str | None, str]:
    """Split ``note`` text into (leading time, the rest).

    A leading time is one of the strict forms ``parse_time`` reads: ``H:MM``/``HH:MM``,
    ``YYYY-MM-DD HH:MM`` (two words), or one ``YYYY-MM-DDTHH:MM`` word, optionally with seconds
    and an offset — followed by whitespace or the end. ``12:30pm`` or ``1:5`` are not times, so
    they stay part of the text. A time-shaped prefix with bad values (``25:00``) is still
    returned as the time so that parsing it reports the mistake instead of hiding it in the note.

    The time is returned normalised (``１３：５８`` → ``13:58``); the Japanese forms
    (``10時30分``, ``午後3時``) count as times, and so does any first word that looks like a time
    without being one we read (``1:5``, ``12:30pm``, ``午後``), so that parsing refuses it with a
    hint instead of storing the note at the wrong time.

    Outer whitespace is trimmed and the whitespace after the time is dropped; everything else
    (quotes, Markdown, newlines, inner spacing, any script or emoji) is returned exactly.
    """
    stripped = text.strip()
    norm, ends = _normal_with_ends(stripped)
    match = _LEADING_TIME.match(norm) or _LEADING_JA_TIME.match(norm)
    if match is not None:
        rest = stripped[ends[match.end() - 1] :]
        return match.group(0), (rest[1:] if rest[:1] in _AFTER_TIME else rest).lstrip()
    first = stripped.split(maxsplit=1)[0] if stripped else ""
    if _TIME_LIKE.match(normal(first)):
        return normal(first), stripped[len(first) :].lstrip()
    return None, stripped


# Japanese writers often follow a time with a comma or colon instead of a space (10時30分、…).
_AFTER_TIME = frozenset("、，,：:")
_LEADING_JA_TIME = re.compile(rf"(?:{_JA_TIME.pattern})(?![0-9])")


def _normal_with_ends(text: str) -> tuple[str, list[int]]:
    """``text`` normalised character by character, and for each normalised character the index
    in ``text`` just past the character it came from (to cut the original at a match's end)."""
    parts, ends = [], []
    for i, char in enumerate(text):
        normalised = unicodedata.normalize("NFKC", char)
        parts.append(normalised)
        ends.extend([i + 1] * len(normalised))
    return "".join(parts), ends


def _is_time(raw: str) -> bool:
    text = normal(raw)
    return bool(_TIME.fullmatch(text) or _JA_TIME.fullmatch(text))


_DATE_WORD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_time_word(raw: str, *, date_only: bool = False) -> bool:
    """True for a word that reads as a time (or, with ``date_only``, a date that a clock word
    may follow): what commands take as the time they end with."""
    if date_only:
        return bool(_DATE_WORD.fullmatch(normal(raw)))
    return _is_time(raw)


def validate_occurrence(
    at: datetime,
    *,
    started_at: datetime,
    now: datetime,
    skew: timedelta = timedelta(minutes=1),
) -> None:
    """Reject a time for an incident event that is in the future or long before the start.

    ``skew`` forgives clocks (the user's and ours) that disagree a little. The times in the
    refusal are ``Moment``s: each reader sees them in their own zone, date spelled out.
    """
    if at > now + skew:
        raise BadTime(
            N_("That time (%(at)s) is in the future; it is now %(now)s. Did you mean another day?"),
            at=Moment(at),
            now=Moment(now),
        )
    if at < started_at - timedelta(days=1):
        raise BadTime(
            N_(
                "That time (%(at)s) is more than a day before the incident started at "
                "%(started)s. Please check the date."
            ),
            at=Moment(at),
            started=Moment(started_at),
        )
