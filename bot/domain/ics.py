"""A calendar invitation (RFC 5545) for the retrospective, to add with one click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar, slot_before

RETRO_LENGTH = timedelta(minutes=60)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    # RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    # Lines are folded at 75 octets; continuation lines start with a space.
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    return [*out, current]


def retro_invitation(
    *,
    uid: str,
    title: str,
    description: str,
    deadline: datetime,
    now: datetime,
    tz: ZoneInfo,
    cal: WorkCalendar,
    length: timedelta = RETRO_LENGTH,
) -> str:
    """An event of ``length`` in working hours (in ``tz``) before ``deadline``: a slot to move.
    """
    start, end = slot_before(deadline, length, tz=tz, cal=cal, now=now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//furikaeri//retro//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(start)}",
        f"DTEND:{_stamp(end)}",
        f"SUMMARY:{_text(title)}",
        f"DESCRIPTION:{_text(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
