"""`/incident close`: the modal, the triggers, the draft."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.policy import Policy
from tests.support.flows import declare, eventually, stored
from tests.support.slack_requests import (
    block_actions_payload,
    element_state,
    view_submission_payload,
)

ALL_FACTS = "--impact 27m --data-loss no --intervention rollback --detected-by monitoring"


async def outcome(bot, channel: str):
    return await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == channel and "closed" in c.args["text"]
    )


async def test_close_with_all_options_fires_triggers_and_shares_a_canvas_draft(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" --sev 2 Aurora failover')
    await bot.slack.command(
        "note 2021-12-28T10:05Z Sentry: write errors on API", channel_id=channel
    )

    reply = await bot.slack.command(
        f"close --at 2021-12-28T14:00Z {ALL_FACTS} --reviewers <@U8|rin> <@U9>", channel_id=channel
    )

    assert reply.status == 200
    posted = await outcome(bot, channel)
    text = json.dumps(posted.args["blocks"], ensure_ascii=False)
    assert "user impact 27 min ≥ 20 min" in text
    assert "engineers intervened (rollback)" in text
    assert "time to resolve 4 h ≥ 1 h" in text
    assert "`detection`" not in text and "`data-loss`" not in text
    canvas = await bot.fake.wait_for("canvases.create")
    markdown = canvas.args["document_content"]["markdown"]
    assert canvas.args["channel_id"] == channel
    assert "# INC-1: Aurora failover" in markdown
    assert "Sentry: write errors on API" in markdown
    link = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "postmortem draft" in c.args["text"]
    )
    assert "https://example.slack.com/docs/" in link.args["text"]

    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.doc_id is not None
    )
    assert report.incident.status == "closed"
    assert report.incident.closed_at == datetime(2021, 12, 28, 14, 0, tzinfo=UTC)
    assert report.incident.facts.impact == timedelta(minutes=27)
    assert [t.id for t in report.postmortem.triggers] == ["impact", "intervention", "duration"]
    assert report.postmortem.author == "U1"
    assert report.postmortem.reviewers == ("U8", "U9")
    assert (report.postmortem.doc_kind, report.postmortem.doc_id) == ("canvas", canvas_id(bot))


def canvas_id(bot) -> str:
    return next(iter(bot.fake.canvases))


async def test_close_without_options_opens_a_prefilled_modal_that_closes_on_submit(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" Admin Redis down')
    await bot.slack.command("role commander <@U3>", channel_id=channel)  # the commander closes
    reply = await bot.slack.command(
        "close --data-loss no", channel_id=channel, trigger_id="tr.close", user_id="U3"
    )

    assert reply.status == 200 and not reply.body  # a bare ack; the modal is the answer
    opened = await bot.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "tr.close"
    view = opened.args["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert set(blocks) == {
        "closed_at",
        "impact",
        "data_loss",
        "intervention",
        "detected_by",
        "reviewers",
    }
    assert blocks["data_loss"]["initial_option"]["value"] == "no"
    assert "initial_option" not in blocks["intervention"]
    assert (await stored(bot, number)).incident.status == "investigating"

    closed_at = int(datetime(2021, 12, 28, 12, 0, tzinfo=UTC).timestamp())
    payload = view_submission_payload(
        view["callback_id"],
        {
            "closed_at": {"closed_at": element_state("datetimepicker", closed_at)},
            "impact": {"impact": element_state("plain_text_input", "2h")},
            "data_loss": {"data_loss": element_state("radio_buttons", "no")},
            "intervention": {"intervention": element_state("static_select", "failover")},
            "detected_by": {"detected_by": element_state("static_select", "human")},
            "reviewers": {"reviewers": element_state("multi_users_select", ["U5"])},
        },
        private_metadata=view["private_metadata"],
        user_id="U3",
    )
    submitted = await bot.slack.interactive(payload)

    assert submitted.status == 200 and not submitted.body
    await bot.fake.wait_for("canvases.create")
    report = await stored(bot, number)
    assert report.incident.closed_by == "U3"
    assert report.incident.facts.detected_by == "human"
    assert [t.id for t in report.postmortem.triggers] == [
        "impact",
        "intervention",
        "duration",
        "detection",
    ]
    assert report.postmortem.reviewers == ("U5",)


async def test_a_bad_field_in_the_modal_is_shown_beside_it_and_nothing_closes(bot):
    number, channel = await declare(bot, "Logs lost")
    payload = view_submission_payload(
        "close_incident",
        {
            "closed_at": {
                "closed_at": element_state("datetimepicker", int(datetime.now(UTC).timestamp()))
            },
            "impact": {"impact": element_state("plain_text_input", "forever")},
            "data_loss": {"data_loss": element_state("radio_buttons", "yes")},
            "intervention": {"intervention": element_state("static_select", "none")},
            "detected_by": {"detected_by": element_state("static_select", "human")},
            "reviewers": {"reviewers": element_state("multi_users_select", [])},
        },
        private_metadata=json.dumps({"incident_id": 1, "channel_id": channel}),
    )

    reply = await bot.slack.interactive(payload)

    assert reply.json["response_action"] == "errors"
    assert "forever" in reply.json["errors"]["impact"]
    assert (await stored(bot, number)).incident.status == "investigating"


def _close_form(channel: str, impact: str) -> dict:
    return view_submission_payload(
        "close_incident",
        {
            "closed_at": {
                "closed_at": element_state("datetimepicker", int(datetime.now(UTC).timestamp()) + 1)
            },
            "impact": {"impact": element_state("plain_text_input", impact)},
            "data_loss": {"data_loss": element_state("radio_buttons", "no")},
            "intervention": {"intervention": element_state("static_select", "none")},
            "detected_by": {"detected_by": element_state("static_select", "monitoring")},
            "reviewers": {"reviewers": element_state("multi_users_select", [])},
        },
        private_metadata=json.dumps({"incident_id": 1, "channel_id": channel}),
    )


@pytest.mark.parametrize(
    ("typed", "impact"),
    [("なし", None), ("影響なし", None), ("２５分", timedelta(minutes=25)), ("1時間半", timedelta(minutes=90))],
)
async def test_the_close_form_reads_impact_as_a_japanese_writer_types_it(bot, typed, impact):
    number, channel = await declare(bot, "決済障害")

    reply = await bot.slack.interactive(_close_form(channel, typed))

    assert reply.status == 200 and not reply.body
    report = await eventually(lambda: stored(bot, number), lambda r: r.incident.facts is not None)
    assert report.incident.facts.impact == impact


async def test_an_unreadable_impact_says_how_to_write_none(bot):
    number, channel = await declare(bot, "決済障害")

    reply = await bot.slack.interactive(_close_form(channel, "ずっと"))

    assert "none" in reply.json["errors"]["impact"]
    assert (await stored(bot, number)).incident.status == "investigating"


async def test_closing_twice_is_refused_politely(bot):
    _, channel = await declare(bot, "Kafka brokers down")
    await bot.slack.command(f"close {ALL_FACTS}", channel_id=channel)
    again = await bot.slack.command(f"close {ALL_FACTS}", channel_id=channel)
    assert again.json["response_type"] == "ephemeral"
    assert "already closed" in again.json["text"]
    modal = await bot.slack.command("close", channel_id=channel)
    assert "already closed" in modal.json["text"]


async def test_close_outside_an_incident_channel_is_refused(bot):
    reply = await bot.slack.command(f"close {ALL_FACTS}", channel_id="CRANDOM")
    assert reply.json["response_type"] == "ephemeral"
    assert "isn't an incident channel" in reply.json["text"]


async def test_close_before_the_start_is_refused(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" Kafka')
    reply = await bot.slack.command(f"close --at 2021-12-28T09:00Z {ALL_FACTS}", channel_id=channel)
    assert reply.json["response_type"] == "ephemeral"
    assert "before" in reply.json["text"]
    assert (await stored(bot, number)).incident.status == "investigating"


async def test_no_trigger_offers_a_button_that_writes_one_anyway(bot):
    number, channel = await declare(bot, "Tiny blip")
    await bot.slack.command(
        "close --impact none --data-loss no --intervention none --detected-by monitoring",
        channel_id=channel,
    )
    posted = await outcome(bot, channel)
    assert "No postmortem trigger fired" in posted.args["blocks"][0]["text"]["text"]
    button = posted.args["blocks"][1]["elements"][0]
    assert (await stored(bot, number)).postmortem is None
    bot.fake.join(channel, "U4")  # the button is for people in the channel (issue 10)

    await bot.slack.interactive(
        block_actions_payload(
            button["action_id"],
            button["value"],
            user_id="U4",
            channel_id=channel,
            response_url=bot.fake.response_url("button"),
        )
    )

    canvas = await bot.fake.wait_for("canvases.create")
    assert "# INC-1: Tiny blip" in canvas.args["document_content"]["markdown"]
    report = await stored(bot, number)
    assert (report.postmortem.author, report.postmortem.triggers) == ("U4", ())


@pytest.mark.parametrize("policy", [Policy.from_mapping({"share": "auto"})])
async def test_without_canvases_the_draft_is_a_markdown_file(bot):
    bot.fake.fail("canvases.create", error="team_tier_cannot_create_canvases")
    number, channel = await declare(bot, "Kafka brokers down")
    await bot.slack.command(f"close {ALL_FACTS}", channel_id=channel)

    done = await bot.fake.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == channel
    assert "postmortem draft" in done.args["initial_comment"]
    content = bot.fake.uploads[done.args["files"][0]["id"]]
    assert content.decode().startswith("# INC-1: Kafka brokers down")
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.doc_id is not None
    )
    assert report.postmortem.doc_kind == "file"
    assert report.postmortem.doc_id == done.args["files"][0]["id"]


@pytest.mark.parametrize(
    "policy", [Policy.from_mapping({"postmortem": {"author": "declarer", "reviewers": ["U42"]}})]
)
async def test_policy_chooses_author_and_default_reviewers(bot):
    number, channel = await declare(bot, "Kafka brokers down", user="U10")
    await bot.slack.command("role commander <@U11>", channel_id=channel, user_id="U10")
    await bot.slack.command(f"close {ALL_FACTS}", channel_id=channel, user_id="U11")
    await bot.fake.wait_for("canvases.create")
    report = await stored(bot, number)
    assert (report.postmortem.author, report.postmortem.reviewers) == ("U10", ("U42",))


async def test_only_the_commander_or_the_declarer_may_close(bot):
    number, channel = await declare(bot, "Kafka brokers down", user="U1")
    for text in (f"close {ALL_FACTS}", "close"):
        reply = await bot.slack.command(text, channel_id=channel, user_id="U7")
        assert reply.json["response_type"] == "ephemeral"
        assert "Only the incident commander or the person who declared INC-1" in reply.json["text"]
    assert bot.fake.calls_to("views.open") == []
    assert (await stored(bot, number)).incident.status == "investigating"
