"""The seed's four example incidents, replayed through Slack's front door, backdated to their
real periods; each must fire the triggers the practice expects and draft a useful postmortem."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from bot.export_markdown import to_markdown
from tests.support.flows import declare, eventually, stored


@dataclass(frozen=True)
class Replay:
    start: str
    notes: tuple[str, ...]
    close: str
    fired: list[str]
    draft_has: tuple[str, ...]


KAFKA = Replay(
    start="--at 2021-12-24T01:00Z --sev 3 Kafka brokers partly down",
    notes=(
        "2021-12-24T01:00Z Two brokers dropped out of the cluster (ZooKeeper no longer sees them)",
        "2022-01-01T23:30Z Noticed while checking CloudWatch before the holidays; no user impact",
        "2022-01-02T00:10Z Restarted both brokers; automatic rebalancing confirmed",
    ),
    close="--at 2022-01-02T01:00Z --impact none --data-loss no --intervention restart --detected-by human",
    fired=["intervention", "duration", "detection"],
    draft_has=("Restarted both brokers", "detected by a human, not by monitoring"),
)
AURORA = Replay(
    start="--at 2021-06-01T02:00Z --sev 2 Aurora failover caused write errors",
    notes=(
        "2021-06-01T02:00Z Aurora failover promoted the replica",
        "2021-06-01T02:03Z Sentry alert: write API errors on part of the Unicorn processes",
        "2021-06-01T05:50Z Restarted Unicorn; pools reconnect to the new writer",
    ),
    close="--at 2021-06-01T06:00Z --impact 4h --data-loss no --intervention restart --detected-by monitoring",
    fired=["impact", "intervention", "duration"],
    draft_has=("user impact 4 h ≥ 20 min", "Sentry alert"),
)
REDIS = Replay(
    start="--at 2021-09-10T01:00Z 管理画面用Redisインスタンスのダウン",
    notes=(
        "2021-09-10T01:05Z 運用チームから管理画面が500を返すと報告",
        "2021-09-10T02:30Z レプリカを強制フェイルオーバー",
    ),
    close="--at 2021-09-10T03:00Z --impact none --data-loss no --intervention failover --detected-by human",
    fired=["intervention", "duration", "detection"],
    draft_has=("レプリカを強制フェイルオーバー", "## 根本原因", "## タイムライン"),
)
LOGS = Replay(
    start="--at 2021-11-01T00:00Z 20% of logs lost",
    notes=(
        "2021-11-07T03:00Z Found a ~20% gap between the two log destinations while answering a request",
        "2021-11-08T01:00Z Raised Mem_Buf_Size and switched fluent-bit to a file buffer",
    ),
    close="--at 2021-11-08T02:00Z --impact none --data-loss yes --intervention config-change --detected-by human",
    fired=["data-loss", "intervention", "duration", "detection"],
    draft_has=("data was lost", "file buffer"),
)


async def replay(bot, case: Replay):
    number, channel = await declare(bot, case.start)
    for note in case.notes:
        reply = await bot.slack.command(f"note {note}", channel_id=channel)
        assert reply.json["response_type"] == "in_channel", reply.json
    await bot.slack.command(f"close {case.close}", channel_id=channel)
    canvas = await bot.fake.wait_for("canvases.create")
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.doc_id is not None
    )
    return canvas.args["document_content"]["markdown"], report


@pytest.mark.parametrize("case", [KAFKA, AURORA, LOGS], ids=["kafka", "aurora", "logs"])
async def test_seed_incident_fires_the_expected_triggers(any_db_bot, case):
    markdown, report = await replay(any_db_bot, case)

    assert [t.id for t in report.postmortem.triggers] == case.fired
    for text in case.draft_has:
        assert text.lower() in markdown.lower(), text
    exported = to_json(report)
    assert [t["id"] for t in exported["triggers"]] == case.fired
    notes = [e["text"] for e in exported["timeline"] if e["kind"] == "note"]
    assert notes == [n.split(" ", 1)[1] for n in case.notes]
    positions = [markdown.index(n) for n in notes]
    assert positions == sorted(positions)  # the draft's timeline is in time order


@pytest.mark.parametrize(
    "policy", [Policy.from_mapping({"locale": "ja", "display_timezone": "Asia/Tokyo"})]
)
async def test_japanese_seed_incident_drafts_in_japanese(bot):
    markdown, report = await replay(bot, REDIS)

    assert [t.id for t in report.postmortem.triggers] == REDIS.fired
    for text in REDIS.draft_has:
        assert text.lower() in markdown.lower(), text
    assert "2021-09-10 11:30" in markdown  # 02:30Z shown in the policy's zone, JST
    assert bot.fake.calls_to("conversations.create")[0].args["name"] == (
        "inc-1-管理画面用redisインスタンスのダウン"
    )


async def test_markdown_export_is_the_rendered_draft(bot):
    _, report = await replay(bot, AURORA)
    markdown = to_markdown(report, policy=bot.runtime.policy, renderer=bot.runtime.deps.renderer)
    assert "\n# INC-1: Aurora failover caused write errors\n" in markdown
    assert "Restarted Unicorn" in markdown
    assert (
        json.loads(json.dumps(to_json(report)))["incident"]["closed_at"] == "2021-06-01T06:00:00Z"
    )
