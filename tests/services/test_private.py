"""Private incidents as use cases: the flag is kept with the incident, and a held-up start is
resumed only by declaring it again as private (or public) as it was."""

from __future__ import annotations

from datetime import timedelta

from bot.services import incidents as svc
from bot.services import outbox
from storage.uow import Storage
from tests.services.conftest import NOW

DECLARER = "U0ALICE"


async def _start(storage: Storage, *, private: bool, now=NOW):
    return await svc.open_incident(
        uow=storage.uow(),
        title="Leaked deploy keys",
        severity=1,
        declared_by=DECLARER,
        declared_in="C0GENERAL",
        started_at=now,
        now=now,
        private=private,
    )


async def test_a_held_up_start_resumes_only_as_private_as_it_was(storage: Storage) -> None:
    first = await _start(storage, private=True)
    assert first.private
    # Slack held its set-up up: tried once, waiting for another try.
    [effect] = await outbox.claim_due(uow=storage.uow(), now=NOW, lease=timedelta(minutes=2))
    await outbox.settle_failure(
        uow=storage.uow(), effect=effect, error="ratelimited", now=NOW, base=timedelta(seconds=30)
    )
    later = NOW + timedelta(minutes=1)

    again = await _start(storage, private=True, now=later)
    public = await _start(storage, private=False, now=later)

    assert (again.id, again.number, again.private) == (first.id, first.number, True)
    assert public.id != first.id and public.number == first.number + 1 and not public.private
    async with storage.uow() as uow:
        assert (await uow.incidents.get(first.id)).private is True
        assert (await uow.incidents.get(public.id)).private is False
