"""`/incident timeline check` through the front door: it says what looks wrong, changes nothing."""

from __future__ import annotations

import re

import pytest

from bot.domain.policy import Policy
from tests.support.flows import declare, stored


async def test_check_names_out_of_order_moments_and_changes_nothing(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    number, channel = await declare(bot, '--at "2026-11-20 10:00" 決済障害')
    for text in (
        "mark mitigated 2026-11-20 09:30 切り戻し",  # 30 min before the start
        "status resolved 2026-11-20 10:40",
        "mark detected 2026-11-20 10:50 Sentry",  # after the resolution
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.status == 200
    before = await stored(bot, number)

    reply = await bot.slack.command("timeline check", channel_id=channel)

    text = reply.json["text"]
    assert reply.json["response_type"] == "ephemeral"
    assert "3 things to look at" in text  # and mitigated before detected
    assert "Mitigation (<!date^" in text and "is before the incident started" in text
    assert "Resolution (<!date^" in text and "comes before Detection" in text
    after = await stored(bot, number)
    assert [(e.kind, e.occurred_at) for e in after.timeline] == [
        (e.kind, e.occurred_at) for e in before.timeline
    ]


async def test_a_tidy_timeline_passes(bot):
    number, channel = await declare(bot, "Redis down")
    await bot.slack.command("mark detected Alert fired", channel_id=channel)

    reply = await bot.slack.command("timeline check", channel_id=channel)

    assert "in order and nothing is missing" in reply.json["text"]


async def test_a_long_timeline_is_paged_within_slacks_limit(bot):
    number, channel = await declare(bot, "Long night")
    long_text = "x" * 2_000  # each line is cut for the listing; the export keeps it whole
    for i in range(99):
        await bot.slack.command(f"note {i} {long_text}", channel_id=channel)

    newest = (await bot.slack.command("timeline", channel_id=channel)).json["text"]
    first = (await bot.slack.command("timeline 1", channel_id=channel)).json["text"]
    beyond = (await bot.slack.command("timeline 9", channel_id=channel)).json["text"]

    assert "(100 entries)" in newest and "Page 3 of 3" in newest
    assert newest.count("\n`#") == 20 and "`#100`" in newest
    assert "Page 1 of 3" in first and first.count("\n`#") == 40 and "`#1` " in first
    assert max(len(newest), len(first)) < 20_000  # Slack shows up to 40,000 characters
    assert "only 3 pages" in beyond


async def test_the_close_outcome_says_what_in_the_timeline_looks_wrong(bot):
    number, channel = await declare(bot, '--at "2021-12-28 10:00" Checkout errors')
    await bot.slack.command("mark mitigated 2021-12-28 09:30 Rolled back", channel_id=channel)
    await bot.slack.command("status resolved 2021-12-28 11:01", channel_id=channel)

    await bot.slack.command(
        "close --impact 90m --data-loss no --intervention rollback --detected-by monitoring",
        channel_id=channel,
    )

    outcome = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == channel and "closed" in c.args["text"]
    )
    said = "\n".join(b["text"]["text"] for b in outcome.args["blocks"] if b.get("text"))
    assert "*Timeline check*: 4 things to look at" in said
    assert "Mitigation (<!date^" in said  # before the start, in each reader's zone
    assert "The impact (1 h 30 min) is longer than the incident (1 h 1 min" in said
    assert "Nobody marked when it was detected" in said
    assert "Nothing was recorded from" in said  # nothing between the start and the end
    assert (await stored(bot, number)).incident.facts.impact.total_seconds() == 90 * 60


def _said(view: dict) -> str:
    """Everything a modal says outside its inputs (sections and context blocks)."""
    texts = []
    for block in view["blocks"]:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return "\n".join(texts)


async def test_the_close_form_shows_what_in_the_timeline_looks_wrong(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    number, channel = await declare(bot, '--at "2021-12-28 10:00" 決済障害')
    await bot.slack.command("mark detected 2021-12-28 10:05 Sentry", channel_id=channel)
    await bot.slack.command("mark mitigated 2021-12-28 09:30 切り戻し", channel_id=channel)
    await bot.slack.command("status resolved 2021-12-28 10:40", channel_id=channel)
    before = await stored(bot, number)

    await bot.slack.command("close --data-loss no", channel_id=channel, trigger_id="tr.c")

    view = (await bot.fake.wait_for("views.open")).args["view"]
    said = _said(view)
    # 09:30 JST is 00:30Z: Slack shows it in the reader's own zone; the fallback is the only UTC.
    assert "Mitigation (<!date^1640651400^" in said and "is before the incident started" in said
    assert "Mitigation (<!date^1640651400^" in said and "comes before Detection" in said
    assert "before you close" in said and "nothing is changed" in said
    assert "UTC" not in re.sub(r"<!date[^>]*>", "", said)
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["closed_at", "impact", "data_loss", "intervention", "detected_by", "reviewers"]
    after = await stored(bot, number)
    assert after.incident.status == "resolved" and after.incident.closed_at is None
    assert [(e.kind, e.occurred_at) for e in after.timeline] == [
        (e.kind, e.occurred_at) for e in before.timeline
    ]


async def test_the_close_form_of_a_tidy_timeline_has_no_findings(bot):
    number, channel = await declare(bot, "Redis down")
    await bot.slack.command("mark detected Alert fired", channel_id=channel)
    await bot.slack.command("status resolved", channel_id=channel)

    await bot.slack.command("close", channel_id=channel)

    view = (await bot.fake.wait_for("views.open")).args["view"]
    assert [b["type"] for b in view["blocks"]] == ["input"] * 6
    assert _said(view) == ""


@pytest.mark.parametrize("policy", [Policy.from_mapping({"locale": "ja"})])
async def test_the_close_form_says_its_findings_in_japanese(bot):
    number, channel = await declare(bot, '--at "2021-12-28 10:00" 決済障害')
    await bot.slack.command("mark mitigated 2021-12-28 09:30 切り戻し", channel_id=channel)

    await bot.slack.command("close --impact 2h", channel_id=channel)

    said = _said((await bot.fake.wait_for("views.open")).args["view"])
    assert "タイムラインチェック" in said
    assert "緩和（<!date^" in said and "より前になっています" in said
    assert "検出時刻が記録されていません" in said
    assert not re.search(r"\b(before|nothing|Nobody|Mitigation)\b", said), said
