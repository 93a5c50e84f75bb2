"""Which channels are incident channels: asked for every event and every note, so cached."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import Incident
from bot.services.ports import Storage

NEGATIVE_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class ChannelIncident:
    """What never changes about a channel's incident, so it can be kept for good."""

    id: int
    started_at: datetime  # set when the incident is declared (`--at`), never changed after
    ref: str  # INC-7


class IncidentChannels:
    """channel id → its incident. A channel never stops being an incident's channel, so hits are
    kept for good; misses only briefly (another process may have just created the channel)."""

    def __init__(self, storage: Storage, negative_ttl: float = NEGATIVE_TTL_SECONDS) -> None:
        self._storage = storage
        self._negative_ttl = negative_ttl
        self._known: dict[str, ChannelIncident] = {}
        self._misses: dict[str, float] = {}

    def remember(self, channel_id: str, incident: Incident) -> None:
        self._known[channel_id] = ChannelIncident(incident.id, incident.started_at, incident.ref)
        self._misses.pop(channel_id, None)

    async def incident(self, channel_id: str) -> ChannelIncident | None:
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
        self.remember(channel_id, incident)
        return self._known[channel_id]

    async def incident_id(self, channel_id: str) -> int | None:
        incident = await self.incident(channel_id)
        return None if incident is None else incident.id
