"""What the outbox's effects read and record while they are delivered: each a short unit of
work, so no transaction stays open while Slack is called."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Incident, Postmortem
from bot.domain.outbox import Moot
from bot.domain.postmortem_states import Event, step
from bot.domain.review import review_of
from bot.services.common import commander_of
from bot.services.ports import UnitOfWork


async def incident(*, uow: UnitOfWork, incident_id: int) -> Incident | None:
    async with uow:
        return await uow.incidents.get(incident_id)


async def incident_of_channel(*, uow: UnitOfWork, channel_id: str) -> Incident | None:
    async with uow:
        return await uow.incidents.by_channel(channel_id)


async def incident_and_postmortem(
    *, uow: UnitOfWork, incident_id: int
) -> tuple[Incident | None, Postmortem | None]:
    async with uow:
        found = await uow.incidents.get(incident_id)
        pm = await uow.postmortems.for_incident(incident_id) if found else None
    return found, pm


async def publishable(
    *, uow: UnitOfWork, incident_id: int
) -> tuple[Incident, Postmortem, int] | None:
    """The approved (or already published) postmortem and its live action items; None when
    it is neither any more (sent back to review, say)."""
    async with uow:
        found = await uow.incidents.get(incident_id)
        pm = await uow.postmortems.for_incident(incident_id) if found else None
        if found is None or pm is None or pm.status not in ("approved", "published"):
            return None
        items = await uow.writing.actions(incident_id)
    return found, pm, len([i for i in items if i.state != "dropped"])


async def record_published(
    *, uow: UnitOfWork, postmortem_id: int, round_: int, ts: str | None, now: datetime
) -> bool:
    """Approved and shared company-wide: published. Idempotent: False when it already was.
    Under the row lock: should it have gone back to review while it was being posted, the
    post is out but it is not recorded published (Moot: a later approval publishes it)."""
    async with uow:
        pm = await uow.postmortems.get(postmortem_id, for_update=True)
        if pm is None or pm.status == "published":
            return False
        if pm.status != "approved" or pm.review_round != round_:
            raise Moot("sent back to review while it was being published")
        moved = step(review_of(pm, (), None), Event.PUBLISH, frozenset(), actor="")
        await uow.postmortems.update(
            pm.id, status=moved.review.status, published_at=now, publish_ts=ts
        )
        await uow.commit()
    return True


async def commander(*, uow: UnitOfWork, incident_id: int) -> tuple[Incident | None, str | None]:
    """The incident and who commands it (the person to tell when an effect is stuck)."""
    async with uow:
        found = await uow.incidents.get(incident_id)
        return found, (await commander_of(uow, found) if found else None)
