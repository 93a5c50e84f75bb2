"""Issue 10, case 8: edits after review. An approved text that changes goes back to review
(approvals of the round cleared, reviewers asked again); a published postmortem is amended only
by its author or the commander, each amendment shown as such in the document and the export."""

from __future__ import annotations

import json

import pytest

from bot.app import utcnow
from bot.domain.policy import Policy
from bot.export import to_json
from bot.services.outbox import retry_now
from tests.slack.test_writing import open_section, save
from tests.support.flows import eventually, stored
from tests.support.review import buttons, click, closed_with_draft, dms


@pytest.fixture
def policy():
    return Policy.from_mapping(
        {
            "reminders": {"business_days": False, "poll_interval": "1h"},
            "review": {"publish_channel": "CPUBLIC"},
        }
    )


async def approved(bot, *, publish: bool):
    """INC-1, written by U1, commanded by U3, reviewed by U8 and approved; published unless
    the publication fails."""
    number, channel, pm = await closed_with_draft(
        bot, reviewers="<@U8>", user="U1", before_close=("role commander <@U3>",)
    )
    bot.fake.join(channel, "U5", "U8")  # U5: a member of the channel; U9: a stranger
    await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    await eventually(lambda: _sleep0(dms(bot, "U8")), bool)
    if not publish:
        bot.fake.fail("chat.postMessage", error="not_in_channel")
    await click(bot, dms(bot, "U8")[-1], "review_approve", "U8")
    state = "published" if publish else "approved"
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == state)
    return number, channel, pm


async def _sleep0(value):
    return value


async def test_editing_an_approved_postmortem_sends_it_back_to_review(any_db_bot):
    bot = any_db_bot
    number, channel, _ = await approved(bot, publish=False)
    asked_before = len(dms(bot, "U8"))

    view = await open_section(bot, channel, "summary", user="U1")
    reply = await save(bot, view, "A changed summary.", user="U1")
    assert reply.status == 200 and not reply.body, reply.body

    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review"
    )
    assert report.postmortem.review_round == 2 and report.postmortem.approved_at is None
    again = await eventually(lambda: _sleep0(dms(bot, "U8")[asked_before:]), bool)
    assert "review it again" in again[-1].args["text"]
    assert "review_approve" in buttons(again[-1])
    tried = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CPUBLIC"]
    assert len(tried) == 1 and report.postmortem.published_at is None  # only the failed try


@pytest.mark.parametrize("who", ["U8", "U5"])  # a reviewer, a channel member
async def test_only_its_author_or_the_commander_may_change_an_approved_text(bot, who):
    number, channel, _ = await approved(bot, publish=False)
    reply = await bot.slack.command(
        "postmortem edit summary", channel_id=channel, user_id=who, trigger_id="tr.x"
    )
    assert reply.json["response_type"] == "ephemeral", reply.body
    assert "only the postmortem's author or the incident commander" in reply.json["text"]
    assert (await stored(bot, number)).postmortem.status == "approved"


@pytest.mark.parametrize("who", ["U1", "U3"])  # the author, the commander
async def test_a_published_postmortem_is_amended_and_shows_it(bot, who):
    number, channel, pm = await approved(bot, publish=True)
    bot.fake.clear()
    view = await open_section(bot, channel, "root-cause", user=who)
    reply = await save(bot, view, "The pool kept a stale writer.", user=who)
    assert reply.status == 200 and not reply.body, reply.body

    edit = await bot.fake.wait_for("canvases.edit")
    markdown = edit.args["changes"][0]["document_content"]["markdown"]
    assert "## Amendments" in markdown and "Root cause" in markdown.split("## Amendments")[1]
    report = await stored(bot, number)
    assert report.postmortem.status == "published"
    [revision] = to_json(report)["postmortem"]["revisions"]
    assert (revision["by"], revision["amendment"]) == (who, True)


@pytest.mark.parametrize("who", ["U8", "U5", "U9"])  # a reviewer, a member, a stranger
async def test_nobody_else_amends_a_published_postmortem(bot, who):
    number, channel, pm = await approved(bot, publish=True)
    view = await open_section(bot, channel, "root-cause", user="U1")  # a form the author had
    reply = await save(bot, view, "Rewritten by someone else.", user=who)
    assert reply.json["response_action"] == "errors", reply.body
    assert "author or the incident commander" in json.dumps(reply.json["errors"])
    report = await stored(bot, number)
    assert report.postmortem.sections["root_cause"] == pm.sections["root_cause"]  # unchanged
    assert report.revisions == []


async def test_edits_before_review_are_not_amendments(bot):
    number, channel, pm = await closed_with_draft(bot, reviewers="<@U8>", user="U1")
    view = await open_section(bot, channel, "summary", user="U1")
    await save(bot, view, "Draft words.", user="U1")
    report = await eventually(lambda: stored(bot, number), lambda r: r.revisions)
    assert [r["amendment"] for r in to_json(report)["postmortem"]["revisions"]] == [False]


async def test_a_failed_publication_then_an_edit_then_approval_again_publishes(any_db_bot):
    """Approved, its publication refused; the author edits it (back to review, round 2); the
    old publication's retry finds nothing to do (cancelled, saying why); approval of round 2
    publishes it. Nothing is left approved for good."""
    bot = any_db_bot
    number, channel, _ = await approved(bot, publish=False)
    view = await open_section(bot, channel, "summary", user="U1")
    await save(bot, view, "A changed summary.", user="U1")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.review_round == 2)

    # The round-1 publication's retry (made due now, as Retry now does): moot by then.
    await retry_now(
        uow=bot.runtime.deps.storage.uow(), incident_id=1, kind="publication", now=utcnow()
    )
    await bot.runtime.outbox.tick()

    async def cancelled():
        async with bot.runtime.deps.storage.uow() as uow:
            return [e for e in await uow.outbox.listing(("cancelled",)) if e.kind == "publication"]

    [first] = await eventually(cancelled, bool)  # delivered by this tick or the dispatcher
    assert "back to review" in (first.last_error or "")

    asked = await eventually(lambda: _sleep0(dms(bot, "U8")), lambda d: len(d) >= 2)
    await click(bot, asked[-1], "review_approve", "U8")
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.status == "published"
    )
    published = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CPUBLIC"]
    assert report.postmortem.publish_ts and published[-1].args["text"]
    assert "A changed summary." in json.dumps(to_json(report)["postmortem"]["sections"])


async def test_an_earlier_rounds_approve_button_does_not_count(bot):
    number, channel, _ = await approved(bot, publish=False)
    first_request = dms(bot, "U8")[0]  # round 1's request, already used
    view = await open_section(bot, channel, "summary", user="U1")
    await save(bot, view, "A changed summary.", user="U1")  # round 2 now
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.review_round == 2)

    await click(bot, first_request, "review_approve", "U8")

    told = await bot.fake.wait_for("response_url", lambda c: "earlier round" in c.args.get("text", ""))
    assert "newest request" in told.args["text"]
    report = await stored(bot, number)
    assert (report.postmortem.status, report.postmortem.review_round) == ("in_review", 2)
