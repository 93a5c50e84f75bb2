"""The reminders policy: when nudges fall due, how often they repeat, and when they escalate.

Pure data with its defaults (the practice the bot automates); ``policy.py`` reads it from the
``reminders:`` section of the policy file, and the scheduling services turn it into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkCalendar, due_after


@dataclass(frozen=True)
class ReminderPolicy:
    """How the bot nudges. Spans of whole days count business days of ``calendar``
    (see ``calendar.due_after``), except ``retro_within_sev1``, which is calendar days: a sev 1
    retro must happen within three days whatever the weekend or holidays.

    ``escalate_after`` counts unanswered nudges; ``max_attempts`` counts tries to send one
    message before it is recorded as failed. ``digest_channel=None`` switches the digest off.
    """

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    author_after: timedelta = timedelta(days=2)
    author_every: timedelta = timedelta(days=2)
    reviewer_after: timedelta = timedelta(days=1)
    reviewer_every: timedelta = timedelta(days=1)
    escalate_after: int = 3
    retro_within: timedelta = timedelta(days=5)
    retro_within_sev1: timedelta = timedelta(days=3)
    retro_reminder_before: timedelta = timedelta(days=1)
    snooze: timedelta = timedelta(days=1)
    digest_channel: str | None = None  # a Slack channel id
    digest_every: timedelta = timedelta(days=7)
    poll_interval: timedelta = timedelta(seconds=30)
    max_attempts: int = 5
    action_every: timedelta = timedelta(days=2)  # an owner's reminders once an item is due
    keep_for: timedelta = timedelta(days=90)  # sent nudges and delivered effects; then purged

    def retro_deadline(
        self, closed_at: datetime, *, severity: int | None, tz: ZoneInfo
    ) -> datetime:
        """When the retro should have been held, for an incident closed at ``closed_at`` (UTC).

        Sev 1: ``retro_within_sev1`` of plain elapsed time, ignoring the business calendar.
        Otherwise ``retro_within`` as business days in ``tz`` (the incident's or team's zone),
        landing inside working hours.
        """
        if severity == 1:
            return due_after(
                closed_at, self.retro_within_sev1, tz=tz, cal=WorkCalendar(business_days=False)
            )
        return due_after(closed_at, self.retro_within, tz=tz, cal=self.calendar)
