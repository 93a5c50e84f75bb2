"""Effects after commit: what must still be said to Slack, kept as rows (the outbox).

A service writes an `Effect` in the same transaction as the change it follows; a dispatcher
delivers it once the transaction has committed and retries what failed. The rules here are pure:
how long to wait before the next try and when to give up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.messages import N_

# What each kind of effect does (the dispatcher in handlers/outbox.py has one function each).
KINDS = {
    "channel_setup": N_("set up the incident channel"),
    "close_outcome": N_("announce the close"),
    "summary_refresh": N_("refresh the pinned summary"),
    "draft_share": N_("share the postmortem draft"),
    "retro_invite": N_("invite to the retro"),
    "review_request": N_("ask a reviewer"),
    "publication": N_("publication"),
}
# cancelled: its reason went before it was delivered (say, an approved postmortem edited back
# into review before its publication went out); the reason is kept as its last error.
STATES = ("pending", "sending", "sent", "failed", "cancelled")
LIVE = ("pending", "sending", "failed")  # what `outbox list` shows without --all
MAX_ATTEMPTS = 10  # with the backoff below: a few hours of trying before giving up
MAX_BACKOFF = timedelta(hours=1)
METADATA_EVENT = "furikaeri_effect"  # Slack message metadata: which effect posted a message

# Slack errors no retry can mend: the person or the app is gone for good.
HOPELESS = frozenset(
    {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "users_not_found"}
)
# Slack errors a person can mend (invite the bot, unarchive, grant a scope): retried with
# backoff so the effect goes out once they have, and a person is told what to do.
FIXABLE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "missing_scope",
        "restricted_action",
        "invalid_auth",
        "not_authed",
        "account_inactive_team",
    }
)


class Moot(Exception):
    """Raised by a delivery whose reason has gone: nothing is sent, the row says why."""


@dataclass(frozen=True)
class Effect:
    """One Slack effect owed after a committed change."""

    id: int
    kind: str  # one of KINDS
    subject_id: int  # the incident it belongs to
    key: str  # idempotency key: the same effect is never written twice
    payload: dict[str, Any] = field(default_factory=dict)
    state: str = "pending"  # pending | sending | sent | failed
    attempts: int = 0  # tries so far (a claim counts as one)
    due_at: datetime | None = None  # next try; while sending, when its lease ends
    created_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None

    @property
    def retried(self) -> bool:
        """An earlier try may have reached Slack: look before doing it again."""
        return self.attempts > 1


@dataclass(frozen=True)
class Outcome:
    """What to do with an effect after a failed try."""

    state: str  # pending (try again at due_at) | failed
    due_at: datetime
    tell: bool  # a person should hear about it now


def after_failure(
    effect: Effect,
    error: str,
    *,
    now: datetime,
    base: timedelta,
    retry_after: timedelta | None = None,
    waiting: bool = False,
) -> Outcome:
    """The next try (Slack's Retry-After, else exponential backoff), or give up.

    A person hears of it the first time an error they can mend appears (any error, when someone
    is `waiting` for the effect, like a declarer for their channel), and when it is given up.
    """
    hopeless = error in HOPELESS or error.startswith("bug:")
    if hopeless or effect.attempts >= MAX_ATTEMPTS:
        return Outcome("failed", now, tell=True)
    wait = retry_after if retry_after is not None else backoff(effect.attempts, base)
    first_time = error != effect.last_error
    return Outcome("pending", now + wait, tell=first_time and (waiting or error in FIXABLE))


def backoff(attempts: int, base: timedelta) -> timedelta:
    """base, 2·base, 4·base … capped at an hour."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 of any base is past the cap already
    return min(base * (1 << doublings), MAX_BACKOFF)
