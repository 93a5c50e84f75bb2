"""What the bot sends stays within Slack's Block Kit limits however long people write (issue 12):
the fake Slack refuses, as Slack does, a payload over a limit, and the test that caused it fails
(tests/support/block_kit.py). Each case here was refused before its builder was fixed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.domain.policy import Policy
from tests.slack.test_writing import open_section, save
from tests.support.clock import FakeClock
from tests.support.flows import stored
from tests.support.review import buttons, click, closed_with_draft

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)  # a Monday
SECTION_MAX = 3000


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def policy():
    return Policy.from_mapping(
        {
            "reminders": {
                "business_days": False,
                "poll_interval": "1h",
                "digest": {"channel": "CDIGEST", "every": "7d"},
            },
            "review": {"publish_channel": "CPUBLIC"},
        }
    )


def section_texts(call) -> list[str]:
    return [b["text"]["text"] for b in call.args["blocks"] if b["type"] == "section"]


async def approve(bot, channel: str, reviewer: str = "U8"):
    """Ask for review, approve it; returns the review request and the publication."""
    await bot.slack.command("postmortem ready", channel_id=channel)
    request = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == bot.fake.dms.get(reviewer) and "review_approve" in buttons(c)
        ),
    )
    await click(bot, request, "review_approve", reviewer)
    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CPUBLIC"
    )
    return request, published


async def test_a_summary_written_as_one_long_paragraph_is_published_shortened(bot):
    _, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    view = await open_section(bot, channel, "summary")
    await save(bot, view, "The writer failed over and the pools kept the old one. " * 53)

    _, published = await approve(bot, channel)

    assert published.problems == []  # it was over 3,000 characters, and Slack refused it
    [text] = section_texts(published)
    summary, tail = text.split("\n")[-2:]
    assert len(text) <= SECTION_MAX and summary.startswith("The writer failed over")
    assert summary.endswith("…") and len(summary) > 2000  # shortened, yet most of it is there
    assert tail.startswith("*Action items:* 0") and "*Read it:*" in tail  # what follows is kept


async def test_a_very_long_title_still_reaches_the_reviewer_and_the_company(bot):
    title = "Checkout failed " + "for every customer paying by card " * 88  # ~3,000 characters
    _, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", title=title)

    request, published = await approve(bot, channel)

    assert request.problems == [] and published.problems == []
    for call in (request, published):
        texts = section_texts(call)
        assert all(len(t) <= SECTION_MAX for t in texts) and "INC-1" in texts[0]
    assert "Checkout failed for every customer" in section_texts(request)[0]
    assert not bot.fake.invalid


async def test_the_digest_of_many_long_titled_postmortems_lists_every_one(bot, clock):
    for n in range(6):
        title = f"Incident {n}: " + "a long and careful description of what broke " * 9
        await closed_with_draft(bot, user="U1", title=title)
    clock.advance(days=7, seconds=1)

    await bot.runtime.nudges.tick()

    digest = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CDIGEST"][
        -1
    ]
    assert digest.problems == []  # one section of ~3,300 characters, refused
    texts = section_texts(digest)
    assert all(len(t) <= SECTION_MAX for t in texts)
    listed = re.findall(r"\*(INC-\d+)\*", "\n".join(texts))
    assert listed == [f"INC-{n}" for n in range(1, 7)]  # nobody's postmortem is left out
    assert "6 waiting" in texts[0]


async def test_a_conflict_over_text_full_of_markup_shows_theirs_within_the_limit(bot):
    number, channel, _ = await closed_with_draft(bot)
    bot.fake.join(channel, "U2")
    mine = await open_section(bot, channel, "references", user="U1", trigger="tr.a")
    theirs = await open_section(bot, channel, "references", user="U2", trigger="tr.b")
    snippet = "<td>p99 &amp; p50</td>\n" * 120  # 2,760 characters, ~4,900 once escaped
    assert (await save(bot, theirs, snippet, user="U2")).status == 200

    clash = await save(bot, mine, "Mine.", user="U1")

    assert clash.json["response_action"] == "update"
    assert not bot.fake.invalid  # the acknowledgement's view was over Slack's limit
    shown = [b["text"]["text"] for b in clash.json["view"]["blocks"] if b["type"] == "section"]
    assert shown[1].startswith("```&lt;td&gt;p99 &amp;amp; p50&lt;/td&gt;")
    assert shown[1].endswith("…```") and len(shown[1]) <= SECTION_MAX
    assert json.dumps(clash.json["view"]).count("```") == 2  # the fence is closed
    saved = (await stored(bot, number)).postmortem.sections["references"]
    assert saved.startswith("<td>p99 &amp; p50</td>") and len(saved) >= 2700  # theirs, whole
