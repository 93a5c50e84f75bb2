"""The bot's flows as use cases: start, note, close, capture, review and publication, each run
through the services with the effects they owe checked in the outbox (Slack is not reached here:
the effects are delivered by handlers/outbox.py, tested in tests/slack and tests/hardening)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import BadCommand, FurikaeriError, InvalidTransition
from bot.domain.model import CloseFacts
from bot.domain.outbox import Moot
from bot.domain.policy import Policy
from bot.i18n import placeholders
from bot.services import capture as capturing
from bot.services import effects, outbox, review
from bot.services import incidents as svc
from bot.services.channels import IncidentChannels
from bot.services.notes import NoteWriter
from bot.services.timeline import read_timeline
from storage.uow import Storage
from tests.services.conftest import NOW
from tests.support.review import write_required

DECLARER, REVIEWER, OTHER = "U0ALICE", "U0BOB", "U0CAROL"
FIRED = CloseFacts(
    impact=timedelta(minutes=45), data_loss=False, intervention="rollback", detected_by="human"
)
HINTS = placeholders()  # the draft's hints, which don't count as writing
QUIET = CloseFacts(
    impact=timedelta(0), data_loss=False, intervention="none", detected_by="monitoring"
)


async def _effects(storage: Storage, incident_id: int) -> list[str]:
    return [e.kind for e in await outbox.unsent(uow=storage.uow(), incident_id=incident_id)]


async def _declared(storage: Storage, channel: str = "C0INC") -> int:
    incident = await svc.open_incident(
        uow=storage.uow(),
        title="Aurora failover caused write errors",
        severity=2,
        declared_by=DECLARER,
        declared_in="C0GENERAL",
        started_at=NOW - timedelta(minutes=40),
        now=NOW - timedelta(minutes=35),
    )
    await svc.attach_channel(
        uow=storage.uow(), incident_id=incident.id, channel_id=channel, channel_name="inc-1"
    )
    return incident.id


async def _closed(storage: Storage, policy: Policy, facts: CloseFacts = FIRED) -> svc.CloseOutcome:
    await _declared(storage)
    return await svc.close_incident(
        uow=storage.uow(),
        channel_id="C0INC",
        closed_by=DECLARER,
        closed_at=NOW,
        facts=facts,
        reviewers=(REVIEWER,),
        policy=policy,
        now=NOW,
    )


async def test_start_numbers_the_incident_and_owes_its_channel(storage: Storage) -> None:
    first = await svc.open_incident(
        uow=storage.uow(),
        title="Kafka brokers partly down",
        severity=3,
        declared_by=DECLARER,
        declared_in="C0GENERAL",
        started_at=NOW - timedelta(minutes=5),
        now=NOW,
    )
    second = await svc.open_incident(
        uow=storage.uow(),
        title="Redis failover",
        severity=2,
        declared_by=OTHER,
        declared_in="C0GENERAL",
        started_at=NOW,
        now=NOW,
    )
    assert (first.ref, second.ref) == ("INC-1", "INC-2")
    assert await _effects(storage, first.id) == ["channel_setup"]


async def test_a_start_in_the_future_is_refused_and_nothing_is_written(storage: Storage) -> None:
    with pytest.raises(FurikaeriError):
        await svc.open_incident(
            uow=storage.uow(),
            title="Tomorrow",
            severity=None,
            declared_by=DECLARER,
            declared_in="C0GENERAL",
            started_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    later = await svc.open_incident(
        uow=storage.uow(),
        title="Now",
        severity=None,
        declared_by=DECLARER,
        declared_in="C0GENERAL",
        started_at=NOW,
        now=NOW,
    )
    assert later.ref == "INC-1"  # the refused one took no number


async def test_notes_are_written_in_order_and_refused_before_the_start(storage: Storage) -> None:
    incident_id = await _declared(storage)
    writer = NoteWriter(storage, IncidentChannels(storage))
    at = NOW - timedelta(minutes=38)
    noted = await writer.add(
        channel_id="C0INC", author=OTHER, text="Failover promoted the replica", at=at, now=NOW
    )
    await writer.add(channel_id="C0INC", author=DECLARER, text="Writes back", at=None, now=NOW)
    assert noted.occurred_at == at and noted.incident_id == incident_id
    with pytest.raises(FurikaeriError):
        await writer.add(
            channel_id="C0INC",
            author=OTHER,
            text="Before it began",
            at=NOW - timedelta(days=3),
            now=NOW,
        )
    _, entries = await read_timeline(uow=storage.uow(), channel_id="C0INC")
    notes = [e.text for e in entries if e.kind == "note"]
    assert notes == ["Failover promoted the replica", "Writes back"]


async def test_close_fires_the_triggers_opens_a_draft_and_owes_its_effects(
    storage: Storage, policy: Policy
) -> None:
    outcome = await _closed(storage, policy)
    assert [t.id for t in outcome.triggers] == ["impact", "intervention", "detection"]
    assert outcome.postmortem is not None and outcome.postmortem.status == "draft"
    assert outcome.postmortem.author == DECLARER and outcome.postmortem.reviewers == (REVIEWER,)
    owed = await _effects(storage, outcome.incident.id)
    assert {"close_outcome", "draft_share"} <= set(owed)


async def test_a_quiet_close_opens_no_draft(storage: Storage, policy: Policy) -> None:
    outcome = await _closed(storage, policy, QUIET)
    assert outcome.triggers == [] and outcome.postmortem is None
    with pytest.raises(InvalidTransition):  # closing twice: one close only
        await svc.close_incident(
            uow=storage.uow(),
            channel_id="C0INC",
            closed_by=DECLARER,
            closed_at=NOW,
            facts=QUIET,
            reviewers=(),
            policy=policy,
            now=NOW,
        )


async def test_capture_records_a_message_once_under_its_author(storage: Storage) -> None:
    incident_id = await _declared(storage)
    message = capturing.Message(
        ts=f"{(NOW - timedelta(minutes=30)).timestamp():.6f}",
        author=OTHER,
        text="Rolled back the config",
        permalink="https://example.slack.com/archives/C0INC/p1",
    )
    for by in (OTHER, DECLARER):  # two pins on one message: one entry
        await capturing.add_vote(
            uow=storage.uow(), incident_id=incident_id, message_ts=message.ts, user=by
        )
        await capturing.capture(
            uow_factory=storage.uow,
            incident_id=incident_id,
            message=message,
            by=by,
            source="reaction",
            now=NOW,
        )
    _, entries = await read_timeline(uow=storage.uow(), channel_id="C0INC")
    captured = [e for e in entries if e.message_ts == message.ts]
    assert len(captured) == 1
    assert captured[0].author == OTHER and captured[0].occurred_at == NOW - timedelta(minutes=30)


async def test_review_waits_for_the_required_sections(storage: Storage, policy: Policy) -> None:
    outcome = await _closed(storage, policy)
    assert outcome.postmortem is not None
    with pytest.raises(BadCommand) as refused:
        await review.request_review(
            uow=storage.uow(),
            postmortem_id=outcome.postmortem.id,
            by=DECLARER,
            policy=policy,
            now=NOW,
            placeholders=HINTS,
        )
    said = str(refused.value.message)
    assert all(f"edit {s}" in said for s in ("summary", "impact", "root-cause", "action-items"))


async def test_review_then_publication_happens_once(storage: Storage, policy: Policy) -> None:
    outcome = await _closed(storage, policy)
    pm = await write_required(storage, outcome.incident.number)
    with pytest.raises(FurikaeriError):  # only the author asks for review
        await review.request_review(
            uow=storage.uow(),
            postmortem_id=pm.id,
            by=OTHER,
            policy=policy,
            now=NOW,
            placeholders=HINTS,
        )
    asked = await review.request_review(
        uow=storage.uow(),
        postmortem_id=pm.id,
        by=DECLARER,
        policy=policy,
        now=NOW,
        placeholders=HINTS,
    )
    assert asked.postmortem.status == "in_review" and asked.waiting_on == (REVIEWER,)
    with pytest.raises(FurikaeriError):  # the author can't approve their own postmortem
        await review.decide(
            uow=storage.uow(),
            postmortem_id=pm.id,
            round_=asked.postmortem.review_round,
            reviewer=DECLARER,
            decision="approved",
            comment=None,
            policy=policy,
            now=NOW,
        )
    approved = await review.decide(
        uow=storage.uow(),
        postmortem_id=pm.id,
        round_=asked.postmortem.review_round,
        reviewer=REVIEWER,
        decision="approved",
        comment="Clear",
        policy=policy,
        now=NOW,
    )
    assert approved.approved_now and approved.postmortem.status == "approved"
    assert "publication" in await _effects(storage, outcome.incident.id)
    round_ = approved.postmortem.review_round
    published = await effects.record_published(
        uow=storage.uow(), postmortem_id=pm.id, round_=round_, ts="1.2", now=NOW
    )
    again = await effects.record_published(
        uow=storage.uow(), postmortem_id=pm.id, round_=round_, ts="1.2", now=NOW
    )
    assert (published, again) == (True, False)


async def test_a_publication_for_an_earlier_round_is_moot(storage: Storage, policy: Policy) -> None:
    outcome = await _closed(storage, policy)
    pm = await write_required(storage, outcome.incident.number)
    await review.request_review(
        uow=storage.uow(),
        postmortem_id=pm.id,
        by=DECLARER,
        policy=policy,
        now=NOW,
        placeholders=HINTS,
    )
    with pytest.raises(Moot):  # still in review: a publication must not record it published
        await effects.record_published(
            uow=storage.uow(), postmortem_id=pm.id, round_=1, ts="1.2", now=NOW
        )


async def test_retention_purges_what_was_sent_long_ago_and_keeps_the_rest(
    storage: Storage, policy: Policy
) -> None:
    from bot.services import retention

    outcome = await _closed(storage, policy)  # owes effects and schedules nudges
    pm = outcome.postmortem
    assert pm is not None
    later = NOW + timedelta(days=100)
    async with storage.uow() as uow:
        for effect in await uow.outbox.for_subject(outcome.incident.id):
            if effect.kind == "close_outcome":
                await uow.outbox.set(effect.id, state="sent", sent_at=NOW)
        pending = await uow.reminders.for_postmortem(pm.id)
        await uow.reminders.set(pending[0].id, state="sent", sent_at=NOW)
        await uow.commit()
    assert await retention.purge(uow=storage.uow(), now=later, keep_for=timedelta(days=90)) == (
        1,
        1,
    )
    async with storage.uow() as uow:
        kinds = [e.kind for e in await uow.outbox.for_subject(outcome.incident.id)]
        left = await uow.reminders.for_postmortem(pm.id)
    assert "close_outcome" not in kinds and "draft_share" in kinds  # pending stays
    assert len(left) == len(pending) - 1 and all(r.state == "pending" for r in left)
    # Within the period nothing goes.
    assert await retention.purge(uow=storage.uow(), now=later, keep_for=timedelta(days=200)) == (
        0,
        0,
    )
