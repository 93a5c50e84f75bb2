"""The outbox's use cases: owe effects inside a change's own unit of work, claim what is due
exactly once, and settle each try.

Claiming marks a row `sending` and moves its `due_at` to the end of a lease, in the transaction
that locks it (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers): two processes
never deliver the same effect at once, and a process that dies mid-delivery leaves a row that is
claimed again when its lease ends. The effect's handler then looks before it acts again (see
handlers/outbox.py), so a retry after an unknown outcome does not repeat what Slack already did.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.authority import Action, require
from bot.domain.model import Incident, Postmortem
from bot.domain.outbox import Effect, after_failure
from bot.services.common import roles_in
from bot.services.ports import UnitOfWork

CLAIM_BATCH = 50


# ---- owed inside the change's own unit of work ------------------------------------------------


async def owe_channel_setup(
    uow: UnitOfWork, incident: Incident, *, response_url: str | None, now: datetime
) -> None:
    """Declared: create the channel, invite the declarer, post and pin the summary, tell them."""
    payload = {"user": incident.declared_by, "response_url": response_url}
    await uow.outbox.add(
        kind="channel_setup",
        subject_id=incident.id,
        key=f"start:{incident.id}",
        payload=payload,
        now=now,
    )


async def owe_close_effects(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem | None,
    *,
    by: str,
    response_url: str | None,
    now: datetime,
) -> None:
    """Closed: the outcome, the summary, and with a postmortem its draft and the retro invite —
    independent of each other, so they go out side by side."""
    told = {"user": by, "response_url": response_url}
    await _owe(uow, "close_outcome", incident.id, f"close:{incident.id}:outcome", told, now)
    await _owe(uow, "summary_refresh", incident.id, f"close:{incident.id}:summary", {}, now)
    if pm is not None:
        await owe_draft(uow, incident, pm, by=by, response_url=response_url, now=now)
        if pm.retro_due_at is not None:
            payload = {"postmortem_id": pm.id}
            await _owe(uow, "retro_invite", incident.id, f"retro:{pm.id}", payload, now)


async def owe_draft(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem,
    *,
    by: str,
    response_url: str | None,
    now: datetime,
) -> None:
    """Render the draft and share it in the incident channel."""
    payload = {"postmortem_id": pm.id, "user": by, "response_url": response_url}
    await _owe(uow, "draft_share", incident.id, f"draft:{pm.id}", payload, now)


async def owe_review_requests(
    uow: UnitOfWork,
    pm: Postmortem,
    reviewers: tuple[str, ...],
    now: datetime,
    *,
    changed_by: str | None = None,
) -> None:
    """In review: one DM per reviewer, each its own effect, so they go out side by side.
    `changed_by`: who changed the approved text, so the reviewers are asked again."""
    for reviewer in reviewers:
        payload = {"postmortem_id": pm.id, "reviewer": reviewer, "round": pm.review_round}
        if changed_by is not None:
            payload["changed_by"] = changed_by
        key = f"review:{pm.id}:{pm.review_round}:{reviewer}"
        await _owe(uow, "review_request", pm.incident_id, key, payload, now)


async def owe_publication(uow: UnitOfWork, pm: Postmortem, now: datetime) -> None:
    """Approved: post it in the publish channel, record it published, thank its people. Once per
    postmortem and review round, however often that round's approval is reached."""
    payload = {"postmortem_id": pm.id, "round": pm.review_round}
    key = f"publish:{pm.id}:{pm.review_round}"  # an approval of a later round is owed anew
    await _owe(uow, "publication", pm.incident_id, key, payload, now)


async def _owe(
    uow: UnitOfWork, kind: str, subject_id: int, key: str, payload: dict[str, Any], now: datetime
) -> None:
    await uow.outbox.add(kind=kind, subject_id=subject_id, key=key, payload=payload, now=now)


# ---- the dispatcher's side --------------------------------------------------------------------


async def claim_due(*, uow: UnitOfWork, now: datetime, lease: timedelta) -> list[Effect]:
    """Claim what is due, each for `lease`; nobody else delivers it meanwhile."""
    claimed = []
    async with uow:
        for effect in await uow.outbox.lock_due(now, CLAIM_BATCH):
            attempts = effect.attempts + 1
            await uow.outbox.set(effect.id, state="sending", attempts=attempts, due_at=now + lease)
            claimed.append(Effect(**{**effect.__dict__, "state": "sending", "attempts": attempts}))
        await uow.commit()
    return claimed


async def settle_sent(*, uow: UnitOfWork, effect: Effect, now: datetime) -> None:
    async with uow:
        await uow.outbox.settle(
            effect.id, effect.attempts, state="sent", sent_at=now, last_error=None
        )
        await uow.commit()


async def settle_failure(
    *,
    uow: UnitOfWork,
    effect: Effect,
    error: str,
    now: datetime,
    base: timedelta,
    retry_after: timedelta | None = None,
    waiting: bool = False,
) -> tuple[Effect, bool]:
    """A try failed: when to try again (or that it failed for good); and whether to tell."""
    outcome = after_failure(
        effect, error, now=now, base=base, retry_after=retry_after, waiting=waiting
    )
    async with uow:
        await uow.outbox.settle(
            effect.id,
            effect.attempts,
            state=outcome.state,
            due_at=outcome.due_at,
            last_error=error[:500],
        )
        await uow.commit()
    settled = Effect(
        **{**effect.__dict__, "state": outcome.state, "due_at": outcome.due_at, "last_error": error}
    )
    return settled, outcome.tell


async def settle_moot(*, uow: UnitOfWork, effect: Effect, why: str, now: datetime) -> None:
    """Its reason went before it was delivered: cancelled, saying why (visible, not `sent`)."""
    async with uow:
        await uow.outbox.settle(
            effect.id, effect.attempts, state="cancelled", sent_at=now, last_error=why[:500]
        )
        await uow.commit()


async def release(*, uow: UnitOfWork, effect: Effect, now: datetime) -> None:
    """Shutting down mid-delivery: due again at once (the next start looks before it acts)."""
    async with uow:
        await uow.outbox.settle(effect.id, effect.attempts, state="pending", due_at=now)
        await uow.commit()


async def retry_now(
    *,
    uow: UnitOfWork,
    incident_id: int,
    kind: str,
    now: datetime,
    by: str | None = None,
    member: bool = False,
) -> int:
    """A person (`by`; None: the operator) asks for a waiting or failed effect to be tried
    again now; the authority table's RETRY rule decides who may."""
    async with uow:
        if by is not None:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                return 0
            pm = await uow.postmortems.for_incident(incident_id)
            roles = await roles_in(uow, incident, by, postmortem=pm, member=member)
            require(roles, Action.RETRY)
        count = await uow.outbox.retry_now(incident_id, kind, now)
        await uow.commit()
    return count


async def listing(
    *, uow: UnitOfWork, states: tuple[str, ...]
) -> list[tuple[Effect, Incident | None]]:
    """Effects in these states, with the incident each belongs to."""
    async with uow:
        return [
            (effect, await uow.incidents.get(effect.subject_id))
            for effect in await uow.outbox.listing(states)
        ]


async def unsent(*, uow: UnitOfWork, incident_id: int) -> list[Effect]:
    """An incident's effects that are not delivered yet (for its status)."""
    async with uow:
        effects = await uow.outbox.for_subject(incident_id)
        return [e for e in effects if e.state not in ("sent", "cancelled")]
