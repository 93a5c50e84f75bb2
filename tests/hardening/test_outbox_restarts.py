"""A committed change whose Slack effect was cut off — kill -9, or SIGTERM while Slack hangs —
gets that effect exactly once after the restart (issue 10, cases 5 and 6, and the outbox)."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
from aiohttp import web

from tests.hardening.helpers import bot_env, bot_process, incident_number
from tests.support.fake_slack import FakeSlack
from tests.support.review import CLOSE, click, write_required_at
from tests.test_cli import base_env, run

POLICY = "reminders: {business_days: false, poll_interval: 1s}\n"


class HangsAfterDoing(FakeSlack):
    """Slack does what a call asks, then never answers it (within the test: the hang ends when
    the fake stops, so that stopping need not wait it out)."""

    hang: tuple[str, str] | None = None  # (method, a fragment of its text or its channel)

    async def start(self) -> HangsAfterDoing:
        self._hung = asyncio.Event()
        await super().start()
        return self

    async def stop(self) -> None:
        self._hung.set()
        await super().stop()

    async def _answer(self, method: str, args: dict, request: web.Request):
        response = await super()._answer(method, args, request)
        said = f"{args.get('text') or ''} {args.get('channel') or ''}"
        if self.hang and self.hang[0] == method and self.hang[1] in said:
            self.hang = None
            await self._hung.wait()
        return response


def env_for(fake, database_url, tmp_path, extra: str = ""):
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY + extra)
    return bot_env(fake, database_url, FURIKAERI_POLICY=str(policy))


def messages(fake: FakeSlack, channel: str, fragment: str) -> list[dict]:
    return [
        m for (ch, _), m in fake.messages.items() if ch == channel and fragment in m.get("text", "")
    ]


async def told_channel(fake: FakeSlack, timeout: float = 20) -> str:
    done = await fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=timeout
    )
    return re.search(r"<#(C\w+)>", done.args["text"]).group(1)


async def test_kill_9_after_start_commits_sets_up_one_channel_after_restart(
    database_url, fake_slack, tmp_path
):
    env = env_for(fake_slack, database_url, tmp_path)
    creating = fake_slack.hold("conversations.create")  # Slack creates it; we never hear
    async with aiohttp.ClientSession() as session:
        async with bot_process(env, session, fake_slack) as bot:
            reply = await bot.slack.command("start Killed while creating")
            assert incident_number(reply) == 1
            create = await fake_slack.wait_for("conversations.create")
            bot.kill9()
            await bot.proc.wait()
        creating.set()
        await fake_slack.answered([create])  # the channel now exists in Slack, unknown to the db
        async with bot_process(env, session, fake_slack):
            channel = await told_channel(fake_slack)
            await fake_slack.wait_for("pins.add")
    ours = [c for c in fake_slack.channels.values() if c["name"].startswith("inc-1-")]
    assert [c["id"] for c in ours] == [channel]  # adopted, not inc-1-…-2
    assert len(messages(fake_slack, channel, "INC-1")) == 1  # one summary
    assert "U1" in fake_slack.channels[channel]["members"]


async def test_kill_9_after_close_commits_announces_and_shares_once_after_restart(
    database_url, fake_slack, tmp_path
):
    env = env_for(fake_slack, database_url, tmp_path)
    async with aiohttp.ClientSession() as session:
        async with bot_process(env, session, fake_slack) as bot:
            await bot.slack.command("start Killed while closing")
            channel = await told_channel(fake_slack)
            slack_acts = fake_slack.hold("*", times=None)  # every call of the close is cut off
            await bot.slack.command(CLOSE, channel_id=channel)
            await fake_slack.wait_for("chat.postMessage", lambda c: "closed" in c.args["text"])
            bot.kill9()
            await bot.proc.wait()
        slack_acts.set()  # what it was asked, Slack does now; the bot never hears
        await fake_slack.answered(fake_slack.calls)
        fake_slack.rules.clear()
        async with bot_process(env, session, fake_slack):
            await fake_slack.wait_for(
                "chat.postMessage", lambda c: "postmortem draft" in c.args["text"], timeout=20
            )
            await asyncio.sleep(1)
    assert len(messages(fake_slack, channel, "closed")) == 1  # found by its metadata
    assert len(messages(fake_slack, channel, "postmortem draft")) == 1


async def test_sigterm_while_slack_hangs_on_the_announcement_posts_it_once(
    database_url, tmp_path
):
    async with HangsAfterDoing() as fake:
        env = env_for(fake, database_url, tmp_path)
        async with aiohttp.ClientSession() as session:
            async with bot_process(env, session, fake) as bot:
                await bot.slack.command("start Stopped while Slack hangs")
                channel = await told_channel(fake)
                fake.hang = ("chat.postMessage", "closed")
                await bot.slack.command(CLOSE, channel_id=channel)
                await fake.wait_for("chat.postMessage", lambda c: "closed" in c.args["text"])
                await bot.stop()  # SIGTERM, with the post unanswered
            async with bot_process(env, session, fake):
                await fake.wait_for(
                    "conversations.history",
                    lambda c: c.args.get("channel") == channel,
                    timeout=20,
                )
                await fake.wait_for(
                    "chat.postMessage", lambda c: "postmortem draft" in c.args["text"], timeout=20
                )
                await asyncio.sleep(1.5)
        assert len(messages(fake, channel, "closed")) == 1


async def test_kill_9_after_approval_commits_publishes_once_after_restart(database_url, tmp_path):
    async with HangsAfterDoing() as fake:
        env = env_for(fake, database_url, tmp_path, "review: {publish_channel: CPUBLIC}\n")
        async with aiohttp.ClientSession() as session:
            async with bot_process(env, session, fake) as bot:
                await bot.slack.command("start Killed while publishing")
                channel = await told_channel(fake)
                await bot.slack.command(f"{CLOSE} --reviewers <@U8>", channel_id=channel)
                await fake.wait_for(
                    "chat.postMessage", lambda c: "postmortem draft" in c.args["text"], timeout=20
                )
                await write_required_at(database_url, 1)
                await bot.slack.command("postmortem ready", channel_id=channel)
                request = await fake.wait_for(
                    "chat.postMessage", lambda c: c.args["channel"] == fake.dms.get("U8")
                )
                fake.hang = ("chat.postMessage", "CPUBLIC")  # posted, never answered
                await click(bot, request, "review_approve", "U8")
                await fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == "CPUBLIC")
                bot.kill9()
                await bot.proc.wait()
            async with bot_process(env, session, fake):
                await fake.wait_for(
                    "chat.postMessage", lambda c: "Thank you" in c.args["text"], timeout=20
                )
            code, out, err = await run(
                "export", "INC-1", "--format", "json", env=base_env(DATABASE_URL=database_url)
            )
        assert code == 0, err
        assert json.loads(out)["postmortem"]["status"] == "published"
        assert len([m for (ch, _), m in fake.messages.items() if ch == "CPUBLIC"]) == 1
        assert len(messages(fake, channel, "Thank you")) == 1
