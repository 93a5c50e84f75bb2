"""What the bot records (a declaration, a status, a severity, a role, a mark without words, a
close, the reasons of the triggers) is kept as fields and said in each reader's language; what
people write is kept as written and never translated, however much it reads like the bot. The
JSON export keeps its English `text` and `reason` and adds the fields beside them."""

from __future__ import annotations

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from tests.support.flows import declare, stored

JA = Policy.from_mapping({"locale": "ja"})
START = "--sev 3 --at 2021-12-28T10:00Z"


async def test_the_export_keeps_its_english_and_adds_what_the_bot_said(bot):
    bot.fake.users["U9"] = {"tz": "UTC", "name": "rin", "real_name": "Rin"}
    number, channel = await declare(bot, f"Redis: down {START}")
    for command in (
        "status identified 2021-12-28T10:20Z",
        "sev 2 2021-12-28T10:21Z",
        "role commander <@U9|rin>",
        "mark detected 2021-12-28T10:05Z",
        "mark mitigated 2021-12-28T10:40Z failover done",
        "note 2021-12-28T10:41Z Status: resolved",  # a person's words, reading like the bot's
    ):
        reply = await bot.slack.command(command, channel_id=channel)
        assert reply.json["response_type"] == "in_channel", reply.json
    await bot.slack.command(
        "close --at 2021-12-28T12:00Z --impact 27m30s --data-loss no --intervention data-patch "
        "--detected-by customer",
        channel_id=channel,
    )
    await bot.fake.wait_for("chat.postMessage", lambda c: "closed" in c.args.get("text", ""))

    exported = to_json(await stored(bot, number))

    said = {(e["kind"], e["text"]): e["said"] for e in exported["timeline"]}
    assert said == {
        ("declared", f"Declared INC-{number}: Redis: down"): {
            "number": number,
            "title": "Redis: down",
        },
        ("status", "Status: identified"): {"status": "identified"},
        ("severity", "Severity: SEV2 (was SEV3)"): {"severity": 2, "was": 3},
        ("role", "Commander: rin"): {"role": "commander", "user": "U9", "name": "rin"},
        ("detected", "Detected"): {},
        ("mitigated", "failover done"): None,
        ("note", "Status: resolved"): None,
        ("closed", f"Closed INC-{number}"): {"number": number},
    }
    assert exported["triggers"] == [
        {
            "id": "impact",
            "reason": "user impact 27 min ≥ 20 min",
            "said": {"impact": 1650, "threshold": 1200},
        },
        {
            "id": "intervention",
            "reason": "engineers intervened (data-patch)",
            "said": {"how": "data-patch"},
        },
        {
            "id": "duration",
            "reason": "time to resolve 2 h ≥ 1 h",
            "said": {"took": 7200, "threshold": 3600},
        },
        {
            "id": "detection",
            "reason": "detected by a customer, not by monitoring",
            "said": {"by": "customer"},
        },
    ]


@pytest.mark.parametrize("policy", [JA])
async def test_a_persons_words_on_a_mark_stay_theirs_even_when_they_read_like_the_bots(bot):
    _, channel = await declare(bot, "Redis down")

    theirs = await bot.slack.command("mark detected Detected", channel_id=channel)
    ours = await bot.slack.command("mark mitigated", channel_id=channel)
    listed = await bot.slack.command("timeline", channel_id=channel)

    assert theirs.json["text"].endswith(" · _検知_ · Detected"), theirs.json["text"]
    assert ours.json["text"].endswith(" · _緩和_ · 緩和"), ours.json["text"]
    lines = listed.json["text"].splitlines()
    assert lines[-2].endswith(" · Detected") and lines[-1].endswith(" · 緩和"), lines


async def test_a_mark_the_bot_worded_then_corrected_keeps_its_history_in_english(bot):
    number, channel = await declare(bot, "Redis down")
    await bot.slack.command("mark detected", channel_id=channel)  # entry #2

    reply = await bot.slack.command("note edit 2 Sentry alert on the write API", channel_id=channel)

    assert reply.json["text"].endswith(" · _detected_ · Sentry alert on the write API")
    [mark] = [e for e in to_json(await stored(bot, number))["timeline"] if e["n"] == 2]
    assert (mark["kind"], mark["text"], mark["said"]) == (
        "detected",
        "Sentry alert on the write API",
        None,
    )
    [edit] = mark["history"]
    assert (edit["before"]["text"], edit["after"]["text"]) == (
        "Detected",
        "Sentry alert on the write API",
    )
