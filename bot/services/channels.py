"""Which channels are incident channels: asked for every event, so cached."""

from __future__ import annotations

import time

from storage.uow import Storage

NEGATIVE_TTL_SECONDS = 5.0


class IncidentChannels:
    """channel id → incident id. A channel never stops being an incident's channel, so hits are
    kept for good; misses only briefly (another process may have just created the channel)."""

    def __init__(self, storage: Storage, negative_ttl: float = NEGATIVE_TTL_SECONDS) -> None:
        self._storage = storage
        self._negative_ttl = negative_ttl
        self._known: dict[str, int] = {}
        self._misses: dict[str, float] = {}

    def remember(self, channel_id: str, incident_id: int) -> None:
        self._known[channel_id] = incident_id
        self._misses.pop(channel_id, None)

    async def incident_id(self, channel_id: str) -> int | None:
        if channel_id in self._known:
            return self._known[channel_id]
        missed = self._misses.get(channel_id)
        if missed is not None and time.monotonic() - missed < self._negative_ttl:
            return None
        async with self._storage.uow() as uow:
            incident = await uow.incidents.by_channel(channel_id)
        if incident is None:
            self._misses[channel_id] = time.monotonic()
            return None
        self.remember(channel_id, incident.id)
        return incident.id
