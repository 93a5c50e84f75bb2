"""Status, severity, roles and key moments: each a timeline entry; the summary follows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.export import to_json
from tests.support.flows import declare, eventually, stored

START = '--at "2021-12-28T10:00Z" --sev 3 Aurora failover'


def kinds(report) -> list[str]:
    return [e.kind for e in report.timeline]


async def summary_updates(bot, channel: str):
    return [c for c in bot.fake.calls_to("chat.update") if c.args["channel"] == channel]


async def test_status_changes_are_entries_and_resolved_sets_the_resolution_time(bot):
    number, channel = await declare(bot, START)
    for text in (
        "status identified 2021-12-28T10:20Z",
        "status monitoring 2021-12-28T11:00Z",
        "status resolved 2021-12-28T11:30Z",
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.json["response_type"] == "in_channel", reply.json

    report = await stored(bot, number)
    assert report.incident.status == "resolved"
    assert report.incident.resolved_at == datetime(2021, 12, 28, 11, 30, tzinfo=UTC)
    assert [e["text"] for e in to_json(report)["timeline"] if e["kind"] == "status"] == [
        "Status: identified",
        "Status: monitoring",
        "Status: resolved",
    ]
    update = await bot.fake.wait_for(
        "chat.update", lambda c: "Resolved" in json.dumps(c.args["blocks"])
    )
    assert update.args["ts"] == report.incident.summary_ts

    # Closing days later: the duration trigger measures to the resolution, not to the close.
    await bot.slack.command(
        "close --impact 10m --data-loss no --intervention none --detected-by monitoring",
        channel_id=channel,
    )
    await bot.fake.wait_for("chat.postMessage", lambda c: "closed" in c.args.get("text", ""))
    closed = await stored(bot, number)
    assert [t.reason for t in closed.postmortem.triggers] == ["time to resolve 1 h 30 min ≥ 1 h"]
    assert to_json(closed)["incident"]["metrics"]["time_to_resolve"] == 90.0


async def test_a_resolved_incident_that_comes_back_is_unresolved(bot):
    number, channel = await declare(bot, START)
    await bot.slack.command("status resolved 2021-12-28T10:30Z", channel_id=channel)
    await bot.slack.command("status investigating", channel_id=channel)
    report = await stored(bot, number)
    assert (report.incident.status, report.incident.resolved_at) == ("investigating", None)


async def test_severity_changes_say_what_it_was(bot):
    number, channel = await declare(bot, START)
    reply = await bot.slack.command("sev 1", channel_id=channel)
    assert "SEV1 (was SEV3)" in reply.json["text"]
    report = await stored(bot, number)
    assert report.incident.severity == 1
    await bot.fake.wait_for("chat.update", lambda c: "SEV1" in json.dumps(c.args["blocks"]))


async def test_a_role_is_announced_briefed_privately_and_listed(bot):
    bot.fake.users["U9"] = {"tz": "UTC", "name": "rin", "real_name": "Rin"}
    number, channel = await declare(bot, START)

    reply = await bot.slack.command("role commander <@U9|rin>", channel_id=channel)

    assert reply.json["response_type"] == "in_channel" and "<@U9>" in reply.json["text"]
    invite = await bot.fake.wait_for("conversations.invite", lambda c: c.args["users"] == "U9")
    assert invite.args["channel"] == channel
    dm = await bot.fake.wait_for("chat.postMessage", lambda c: c.args["channel"].startswith("D"))
    assert "commander" in dm.args["text"] and "Leads the response" in dm.args["text"]
    assert bot.fake.calls_to("conversations.open")[0].args["users"] == "U9"
    await bot.fake.wait_for("chat.update", lambda c: "Commander" in json.dumps(c.args["blocks"]))

    listing = await bot.slack.command("role", channel_id=channel)
    assert listing.json["response_type"] == "ephemeral"
    assert (
        "*Commander:* <@U9>" in listing.json["text"]
        and "*Scribe:* _nobody yet_" in listing.json["text"]
    )
    report = await stored(bot, number)
    assert report.roles == {"commander": "U9"}
    exported = to_json(report)["timeline"]
    assert [e["text"] for e in exported if e["kind"] == "role"] == ["Commander: rin"]


async def test_marks_give_metrics_and_the_impact_at_close(bot):
    number, channel = await declare(bot, START)
    for text in (
        "mark impact-start 2021-12-28T10:00Z",
        "mark detected 2021-12-28T10:05Z Sentry alert",
        "mark mitigated 2021-12-28T10:40Z",
        "mark impact-end 2021-12-28T10:45Z",
    ):
        assert (await bot.slack.command(text, channel_id=channel)).status == 200

    # No --impact: it comes from the marks (45 min), so these options are enough to close.
    await bot.slack.command(
        "close --at 2021-12-28T11:00Z --data-loss no --intervention restart "
        "--detected-by monitoring",
        channel_id=channel,
    )
    await bot.fake.wait_for("canvases.create")
    report = await stored(bot, number)
    assert report.incident.facts.impact == timedelta(minutes=45)
    assert to_json(report)["incident"]["metrics"] == {
        "time_to_detect": 5.0,
        "time_to_mitigate": 40.0,
        "time_to_resolve": 60.0,
        "impact": 45.0,
    }
    assert [e.text for e in report.timeline if e.kind == "detected"] == ["Sentry alert"]
    markdown = bot.fake.calls_to("canvases.create")[0].args["document_content"]["markdown"]
    assert "time to detect 5 min" in markdown and "user impact 45 min" in markdown


async def test_the_close_form_is_prefilled_with_the_marked_impact(bot):
    _, channel = await declare(bot, START)
    await bot.slack.command("mark impact-start 2021-12-28T10:00Z", channel_id=channel)
    await bot.slack.command("mark impact-end 2021-12-28T10:25Z", channel_id=channel)
    await bot.slack.command("close", channel_id=channel)
    view = (await bot.fake.wait_for("views.open")).args["view"]
    impact = next(b for b in view["blocks"] if b["block_id"] == "impact")
    assert impact["element"]["initial_value"] == "25m"


async def test_timeline_lists_numbered_entries_in_time_order(bot):
    _, channel = await declare(bot, START)
    await bot.slack.command("note 2021-12-28T10:30Z second", channel_id=channel)
    await bot.slack.command("note 2021-12-28T10:10Z first <!channel>", channel_id=channel)
    reply = await bot.slack.command("timeline", channel_id=channel)
    text = reply.json["text"]
    assert reply.json["response_type"] == "ephemeral"
    assert text.index("`#3`") < text.index("`#2`")  # #3 happened first
    assert "first &lt;!channel&gt;" in text and "<!date^" in text


async def test_corrections_by_author_or_commander_only_and_every_change_is_kept(bot):
    number, channel = await declare(bot, START, user="U1")
    await bot.slack.command(
        "note 2021-12-28T10:30Z Rolled back deploy 1234", channel_id=channel, user_id="U2"
    )

    refused = await bot.slack.command(
        "note edit 2 Rolled back deploy 9999", channel_id=channel, user_id="U3"
    )
    assert (
        refused.json["response_type"] == "ephemeral" and "Only the author" in refused.json["text"]
    )

    await bot.slack.command("note edit 2 Rolled back deploy 1235", channel_id=channel, user_id="U2")
    await bot.slack.command(
        "note move #2 2021-12-28T10:35Z", channel_id=channel, user_id="U1"
    )  # declarer = commander
    await bot.slack.command("role commander <@U4>", channel_id=channel, user_id="U1")
    await bot.slack.command("note delete 2", channel_id=channel, user_id="U4")
    missing = await bot.slack.command("note edit 2 again", channel_id=channel, user_id="U2")
    assert "no entry #2" in missing.json["text"]

    exported = to_json(await stored(bot, number))
    [entry] = exported["removed_entries"]
    assert [(h["action"], h["by"]) for h in entry["history"]] == [
        ("edit", "U2"),
        ("move", "U1"),
        ("delete", "U4"),
    ]
    assert entry["history"][0]["before"]["text"] == "Rolled back deploy 1234"
    assert entry["history"][1]["after"]["at"] == "2021-12-28T10:35:00Z"


async def test_lifecycle_commands_outside_an_incident_channel_are_refused(bot):
    for text in ("status identified", "sev 2", "role commander <@U9>", "mark detected", "timeline"):
        reply = await bot.slack.command(text, channel_id="CRANDOM")
        assert reply.json["response_type"] == "ephemeral", text
        assert "isn't an incident channel" in reply.json["text"], text


async def test_changes_after_close_are_refused_but_marks_are_not(bot):
    number, channel = await declare(bot, START)
    await bot.slack.command(
        "close --impact none --data-loss no --intervention none --detected-by monitoring",
        channel_id=channel,
    )
    reply = await bot.slack.command("status identified", channel_id=channel)
    assert "already closed" in reply.json["text"]
    # A key moment remembered during the write-up can still be marked.
    late = await bot.slack.command("mark detected 2021-12-28T10:07Z paged", channel_id=channel)
    assert late.json["response_type"] == "in_channel"
    report = await eventually(lambda: stored(bot, number), lambda r: "detected" in kinds(r))
    assert report.metrics.time_to_detect == timedelta(minutes=7)


async def test_state_changes_in_the_timeline_cannot_be_rewritten(bot):
    number, channel = await declare(bot, START)
    await bot.slack.command("status resolved 2021-12-28T11:30Z", channel_id=channel)
    [status] = [e for e in (await stored(bot, number)).timeline if e.kind == "status"]
    for text in (f"note delete {status.seq}", f"note move {status.seq} 2021-12-28T10:10Z"):
        reply = await bot.slack.command(text, channel_id=channel)
        assert "can't rewrite" in reply.json["text"], text
    report = await stored(bot, number)
    assert report.incident.resolved_at == datetime(2021, 12, 28, 11, 30, tzinfo=UTC)
    assert [e.seq for e in report.timeline if e.kind == "status"] == [status.seq]
