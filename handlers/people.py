"""Who people are: time zones and display names from `users.info`, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.model import Person
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0
FAILURE_TTL_SECONDS = 60.0  # after a failed lookup, don't ask again for every request
ACK_PATH_TIMEOUT = 1.0  # seconds a lookup may take before Slack's 3-second ack


@dataclass(frozen=True)
class Profile:
    name: str
    tz: str | None
    known: bool = True  # False when users.info did not answer (the name is then the id)


class People:
    """A small TTL cache in front of `users.info`; failures fall back instead of failing."""

    def __init__(
        self,
        client: AsyncWebClient,
        ttl: float = TTL_SECONDS,
        remember: Callable[[Person], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Profile]] = {}
        # Keeps what Slack said (the people table), so documents exported later show names.
        self._remember = remember
        self._keeping: set[asyncio.Task[None]] = set()

    async def profile(self, user_id: str, *, within: float | None = None) -> Profile:
        hit = self._cache.get(user_id)
        if hit and time.monotonic() < hit[0]:
            return hit[1]
        try:
            user = (await asyncio.wait_for(self._client.users_info(user=user_id), within))["user"]
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info failed for %s: %s", user_id, _reason(exc))
            failed = Profile(name=user_id, tz=None, known=False)
            self._cache[user_id] = (time.monotonic() + FAILURE_TTL_SECONDS, failed)
            return failed
        profile = Profile(name=_display_name(user, user_id), tz=user.get("tz"))
        self._cache[user_id] = (time.monotonic() + self._ttl, profile)
        self.keep(person_of(user, user_id))
        return profile

    def keep(self, person: Person) -> None:
        """Keep what Slack said of someone, off the request's path (a lookup may be on the way
        to an ack); `idle()` waits for what is under way."""
        if self._remember is not None:
            task = asyncio.create_task(self._kept(person))
            self._keeping.add(task)
            task.add_done_callback(self._keeping.discard)

    async def _kept(self, person: Person) -> None:
        assert self._remember is not None
        try:
            await self._remember(person)
        except Exception as exc:  # a name is a nicety: the bot goes on without it
            log.warning("could not keep what Slack said of %s: %s", person.id, exc)

    def forget(self, user_id: str) -> None:
        """Slack said this person changed: ask again next time."""
        self._cache.pop(user_id, None)

    async def idle(self) -> None:
        """Wait for the people being kept (at shutdown)."""
        if self._keeping:
            await asyncio.wait(set(self._keeping))

    async def timezone(
        self, user_id: str, fallback: ZoneInfo | None, *, within: float | None = None
    ) -> ZoneInfo | None:
        """The user's Slack time zone; `fallback` when Slack doesn't say (or answers too late)."""
        tz = (await self.profile(user_id, within=within)).tz
        try:
            return ZoneInfo(tz) if tz else fallback
        except (ZoneInfoNotFoundError, ValueError):
            return fallback

    async def names(self, user_ids: set[str]) -> dict[str, str]:
        ids = sorted(user_ids)
        profiles = await asyncio.gather(*(self.profile(uid) for uid in ids))
        return {uid: p.name for uid, p in zip(ids, profiles, strict=True)}


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return slack_error(exc)
    return exc.__class__.__name__


def person_of(user: dict, user_id: str) -> Person:
    """A Slack user object (users.info, a user_change event) as a Person."""
    profile = user.get("profile") or {}
    return Person(
        id=user_id,
        display_name=_display_name(user, user_id),
        real_name=profile.get("real_name") or user.get("real_name") or None,
        tz=user.get("tz"),
    )


def _display_name(user: dict, fallback: str) -> str:
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or fallback
    )
