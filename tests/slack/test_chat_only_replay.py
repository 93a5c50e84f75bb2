"""Issue "incident channel life", done when: responders only chat, react and change status —
no `/incident note` at all — and the export is a timeline and metrics an SRE would accept."""

from __future__ import annotations

from datetime import datetime

from bot.export import to_json
from tests.support.flows import declare, eventually, reaction, send_event, stored

CHAT = [  # (when, user, text) as posted in the incident channel
    ("02:04", "U2", "API 5xx rate at 30% since a few minutes"),
    ("02:06", "U3", "Sentry: ActiveRecord::ReadOnlyError on write endpoints"),
    ("02:15", "U2", "Aurora failed over at 02:00; some unicorns still hold the old writer"),
    ("05:20", "U3", "Rolling restart of unicorn started"),
    ("05:50", "U2", "Error rate back to baseline"),
]


def slack_ts(hh_mm: str) -> str:
    at = datetime.fromisoformat(f"2021-06-01T{hh_mm}:00+00:00")
    return f"{int(at.timestamp())}.000100"


async def test_chat_reactions_and_status_alone_make_a_postmortem_timeline(bot):
    number, channel = await declare(
        bot, '--at "2021-06-01T02:00Z" --sev 2 Aurora failover write errors'
    )
    for user in ("U2", "U3"):
        await send_event(bot, {"type": "member_joined_channel", "user": user, "channel": channel})
    posted = [
        bot.fake.post_as_user(channel, user, text, ts=slack_ts(at)) for at, user, text in CHAT
    ]
    bot.fake.post_as_user(channel, "U4", "anyone for coffee?")  # chatter nobody pins
    for ts in posted:
        await send_event(bot, reaction(channel, ts, "U3"))
    await send_event(bot, reaction(channel, posted[1], "U2"))  # pinned twice, still one entry
    await bot.slack.command("role commander <@U2>", channel_id=channel, user_id="U1")
    for text in (
        "mark impact-start 2021-06-01T02:00Z",
        "mark detected 2021-06-01T02:03Z",
        "status identified 2021-06-01T02:20Z",
        "mark mitigated 2021-06-01T05:40Z",
        "mark impact-end 2021-06-01T05:50Z",
        "status resolved 2021-06-01T06:00Z",
    ):
        reply = await bot.slack.command(text, channel_id=channel, user_id="U2")
        assert reply.json["response_type"] == "in_channel", (text, reply.json)

    report = await eventually(
        lambda: stored(bot, number),
        lambda r: (
            len([e for e in r.timeline if e.kind == "message"]) == len(CHAT)
            and len(r.responders) == 2
        ),
    )
    exported = to_json(report)

    captured = [(e["at"][11:16], e["text"]) for e in exported["timeline"] if e["kind"] == "message"]
    assert captured == [(at, text) for at, _, text in CHAT]  # at the time they were said
    assert "anyone for coffee?" not in {e["text"] for e in exported["timeline"]}
    assert all(e["permalink"] for e in exported["timeline"] if e["kind"] == "message")
    assert [e["kind"] for e in exported["timeline"]].count("status") == 2
    during = [e["kind"] for e in exported["timeline"] if e["at"] < "2021-06-01T07"]
    assert during[:4] == ["impact-start", "detected", "message", "message"]
    assert exported["incident"]["metrics"] == {
        "time_to_detect": 3.0,
        "time_to_mitigate": 220.0,
        "time_to_resolve": 240.0,
        "impact": 230.0,
    }
    assert exported["incident"]["roles"] == {"commander": "U2"}
    assert exported["incident"]["responders"] == ["U2", "U3"]
    numbers = [e["n"] for e in exported["timeline"]]
    assert len(numbers) == len(set(numbers))  # every entry has its own number
