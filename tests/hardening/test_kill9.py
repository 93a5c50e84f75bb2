"""Kill -9 in the middle of a burst of notes: every acknowledged note survives, none twice.

The bot runs as a real `furikaeri run --http` process; the test is Slack (signed requests in,
the fake Web API out) and, afterwards, an operator running `furikaeri export`.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import aiohttp

from tests.hardening.helpers import bot_env, bot_process, declared_channel, incident_number
from tests.test_cli import base_env, run

BURST = 400  # notes sent
CONCURRENCY = 32  # in flight at once
KILL_AFTER = 60  # acknowledgements seen before the kill


async def test_acknowledged_notes_survive_kill_9_and_restart(database_url, fake_slack):
    env = bot_env(fake_slack, database_url)
    acked: list[str] = []
    refused: list[str] = []  # answered, but not with the in-channel echo
    lost: list[str] = []  # no answer at all (the process died)

    async with aiohttp.ClientSession() as session:
        async with bot_process(env, session, fake_slack) as bot:
            reply = await bot.slack.command("start Kill nine during a burst")
            assert reply.status == 200, reply.body
            number = incident_number(reply)
            channel = await declared_channel(fake_slack, number)

            gate = asyncio.Semaphore(CONCURRENCY)

            async def note(i: int) -> None:
                text = f"burst note {i:04d}"
                async with gate:
                    if bot.proc.returncode is not None:
                        lost.append(text)
                        return
                    try:
                        r = await bot.slack.command(f"note {text}", channel_id=channel)
                    except (aiohttp.ClientError, ConnectionError):
                        lost.append(text)
                        return
                if r.status == 200 and r.json and r.json.get("response_type") == "in_channel":
                    assert text in r.json["text"]
                    acked.append(text)
                    if len(acked) == KILL_AFTER:
                        bot.kill9()
                else:
                    refused.append(text)

            await asyncio.gather(*(note(i) for i in range(BURST)))
            await bot.proc.wait()
            assert bot.proc.returncode == -9, "the bot was not killed by the test"

        # The kill really landed mid-burst: some notes were acknowledged and some never were.
        assert len(acked) >= KILL_AFTER and lost, (len(acked), len(lost), refused)
        assert refused == [], refused  # before the kill, nothing was turned away

        # Restart on the same database: it serves again.
        async with bot_process(env, session, fake_slack) as again:
            after = await again.slack.command("note after the restart", channel_id=channel)
            assert after.status == 200 and after.json["response_type"] == "in_channel", after.body

            code, out, err = await run(
                "export",
                f"INC-{number}",
                "--format",
                "json",
                env=base_env(DATABASE_URL=database_url),
            )
            assert code == 0, err

    texts = Counter(e["text"] for e in json.loads(out)["timeline"])
    missing = [t for t in acked if texts[t] != 1]
    assert missing == [], f"acknowledged but not stored exactly once: {missing}"
    twice = [t for t, n in texts.items() if n > 1]
    assert twice == [], f"stored more than once: {twice}"
    assert texts["after the restart"] == 1
    # Anything stored but not acknowledged is a note whose answer the kill cut off.
    extra = {t for t in texts if t.startswith("burst note")} - set(acked)
    assert extra <= set(lost)
