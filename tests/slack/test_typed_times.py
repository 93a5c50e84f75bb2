"""Times as people type them, through the front door: an IME's full-width digits, the Japanese
forms, quotes, and a night shift that crosses midnight (issue 11)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import FakeClock
from tests.support.flows import declare, stored
from tests.support.slack_requests import element_state, view_submission_payload

# 00:33 in Tokyo on 2026-11-29: the incident began at 23:43 the evening before.
NOW = datetime(2026, 11, 28, 15, 33, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(NOW)


def jst(day: int, hour: int, minute: int) -> datetime:
    """A Tokyo wall time in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


@pytest.fixture
def tokyo(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    return bot


async def test_ime_times_after_midnight_are_stored_when_they_happened(tokyo):
    bot = tokyo
    number, channel = await declare(bot, '--at "2026-11-28 23:43" 決済障害')
    typed = [
        "note ２３：４８ 決済APIのエラー率上昇を検知",  # full-width digits and colon
        "note 23：50 DBフェイルオーバー開始",  # a full-width colon only
        "note 23時55分、切り戻し完了",  # the Japanese form, a comma instead of a space
        "note 午前0時20分 復旧を確認",  # 00:20 today
        "note 0時半 監視継続",
    ]
    for text in typed:
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.json["response_type"] == "in_channel", reply.json

    entries = [e for e in (await stored(bot, number)).timeline if e.kind == "note"]
    assert [(e.occurred_at, e.text) for e in entries] == [
        (jst(28, 23, 48), "決済APIのエラー率上昇を検知"),
        (jst(28, 23, 50), "DBフェイルオーバー開始"),
        (jst(28, 23, 55), "切り戻し完了"),
        (jst(29, 0, 20), "復旧を確認"),
        (jst(29, 0, 30), "監視継続"),
    ]


async def test_a_quoted_time_is_a_time_for_every_command(tokyo):
    bot = tokyo
    number, channel = await declare(bot, '--at "2026-11-28 23:43" 決済障害')
    await bot.slack.command('mark detected "2026-11-28 23:45" Sentry alert', channel_id=channel)
    await bot.slack.command("mark mitigated “23:58” 切り戻し", channel_id=channel)
    await bot.slack.command('status resolved "０：１０"', channel_id=channel)

    report = await stored(bot, number)
    marks = {e.kind: (e.occurred_at, e.text) for e in report.timeline}
    assert marks["detected"] == (jst(28, 23, 45), "Sentry alert")
    assert marks["mitigated"] == (jst(28, 23, 58), "切り戻し")
    assert report.incident.resolved_at == jst(29, 0, 10)


@pytest.mark.parametrize("typed", ["12:30pm lunch orders failed", "1:5 ratio", "10時30 再開"])
async def test_a_time_we_cant_read_is_refused_not_lost_in_the_text(tokyo, typed):
    bot = tokyo
    number, channel = await declare(bot, '--at "2026-11-28 23:43" 決済障害')

    reply = await bot.slack.command(f"note {typed}", channel_id=channel)

    assert reply.json["response_type"] == "ephemeral"
    assert "couldn't read" in reply.json["text"]
    assert "/incident note 10:42" in reply.json["text"]  # the example shows the way
    assert [e for e in (await stored(bot, number)).timeline if e.kind == "note"] == []


async def test_refusals_show_times_in_each_readers_zone_not_utc(tokyo):
    bot = tokyo
    number, channel = await declare(bot, '--at "2026-11-28 23:43" 決済障害')

    future = await bot.slack.command("note 2026-11-29 01:00 予定", channel_id=channel)
    too_early = await bot.slack.command("close --at 2026-11-28T23:00+09:00 --impact none --data-loss no --intervention none --detected-by monitoring", channel_id=channel)

    for reply, moments in ((future, 2), (too_early, 1)):
        text = reply.json["text"]
        assert reply.json["response_type"] == "ephemeral"
        # Slack renders <!date^…> in the reader's own zone; the fallback is the only UTC.
        dates = re.findall(r"<!date\^(\d+)\^\{date_num\} \{time\}\|[^>]*UTC>", text)
        assert len(dates) == moments, text
        assert "UTC" not in re.sub(r"<!date[^>]*>", "", text)
    assert int(re.findall(r"<!date\^(\d+)", future.json["text"])[0]) == int(
        jst(29, 1, 0).timestamp()
    )


async def test_a_modal_error_shows_its_time_in_the_readers_zone(tokyo):
    bot = tokyo
    _, channel = await declare(bot, '--at "2026-11-28 23:43" 決済障害')
    payload = view_submission_payload(
        "close_incident",
        {
            "closed_at": {
                "closed_at": element_state("datetimepicker", int(jst(28, 23, 0).timestamp()))
            },
            "impact": {"impact": element_state("plain_text_input", "none")},
            "data_loss": {"data_loss": element_state("radio_buttons", "no")},
            "intervention": {"intervention": element_state("static_select", "none")},
            "detected_by": {"detected_by": element_state("static_select", "monitoring")},
            "reviewers": {"reviewers": element_state("multi_users_select", [])},
        },
        private_metadata=json.dumps({"incident_id": 1, "channel_id": channel}),
    )

    reply = await bot.slack.interactive(payload)

    assert reply.json["errors"]["closed_at"] == (
        "INC-1 started at 2026-11-28 23:43 JST; it can't be closed before that."
    )


async def test_an_imes_full_width_quotes_and_option_words_are_read_as_typed(tokyo):
    # An IME in full-width mode types ＂ for ", ２ for 2 and －－ｓｅｖ for --sev: a quoted time
    # left in the text would store the mark now, at the wrong time.
    bot = tokyo
    number, channel = await declare(bot, "－－ａｔ ＂2026-11-28 23:43＂ －－ｓｅｖ ２ 決済障害")
    for text in (
        "mark mitigated ＂２３：５８＂ 切り戻し",
        "note ＇０：１０＇ 監視継続",
        "sev ３",
        "close －－at ０：２０ －－impact ３０分 －－data-loss ｎｏ --intervention ｒｏｌｌｂａｃｋ "
        "--detected-by monitoring",
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.status == 200 and "couldn't" not in (reply.body or ""), (text, reply.body)

    report = await stored(bot, number)
    assert report.incident.started_at == jst(28, 23, 43)
    said = {e.kind: (e.occurred_at, e.text) for e in report.timeline}
    assert said["mitigated"] == (jst(28, 23, 58), "切り戻し")
    assert said["note"] == (jst(29, 0, 10), "監視継続")
    assert report.incident.severity == 3
    assert report.incident.closed_at == jst(29, 0, 20)
    assert report.incident.facts.intervention == "rollback"
    assert report.incident.facts.impact.total_seconds() == 30 * 60
