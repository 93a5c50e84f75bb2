"""Who people are: time zones and display names from `users.info`, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0


@dataclass(frozen=True)
class Profile:
    name: str
    tz: str | None


class People:
    """A small TTL cache in front of `users.info`; failures fall back instead of failing."""

    def __init__(self, client: AsyncWebClient, ttl: float = TTL_SECONDS) -> None:
        self._client = client
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Profile]] = {}

    async def profile(self, user_id: str) -> Profile:
        hit = self._cache.get(user_id)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            user = (await self._client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return Profile(name=user_id, tz=None)
        profile = Profile(name=_display_name(user, user_id), tz=user.get("tz"))
        self._cache[user_id] = (time.monotonic(), profile)
        return profile

    async def timezone(self, user_id: str, fallback: ZoneInfo) -> ZoneInfo:
        tz = (await self.profile(user_id)).tz
        try:
            return ZoneInfo(tz) if tz else fallback
        except (ZoneInfoNotFoundError, ValueError):
            return fallback

    async def names(self, user_ids: set[str]) -> dict[str, str]:
        ids = sorted(user_ids)
        profiles = await asyncio.gather(*(self.profile(uid) for uid in ids))
        return {uid: p.name for uid, p in zip(ids, profiles, strict=True)}


def _display_name(user: dict, fallback: str) -> str:
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or fallback
    )
