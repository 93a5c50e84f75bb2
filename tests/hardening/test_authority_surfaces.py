"""Issue 10: every surface asks the one authority table (bot/domain/authority.py). Each surface
is tried by a stranger (not in the channel), a channel member, the postmortem's author, a
reviewer and the commander; only the people the table names get anything done."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from tests.slack.test_capture import shortcut_payload
from tests.support.flows import declare, eventually, stored
from tests.support.review import CLOSE, review_policy, write_required
from tests.support.settle import quiet
from tests.support.slack_requests import (
    block_actions_payload,
    element_state,
    view_submission_payload,
)

PEOPLE = {"stranger": "U9", "member": "U5", "author": "U2", "reviewer": "U8", "commander": "U3"}
QUIET = "close --impact none --data-loss no --intervention none --detected-by monitoring"


@pytest.fixture
def policy():
    return review_policy()


@dataclass
class World:
    bot: object
    number: int
    channel: str
    pm_id: int | None = None

    async def report(self):
        return await stored(self.bot, self.number)


async def incident(bot, *, close: str | None = CLOSE, ready: bool = False) -> World:
    """INC declared by U1 and commanded by U3; U2, U5 and U8 are in the channel, U9 is not.
    Closed by U1 (reviewer U8), then its writing handed to U2 (its required sections written)."""
    number, channel = await declare(bot, "Who may", user="U1")
    bot.fake.join(channel, "U2", "U5", "U8")
    await bot.slack.command("role commander <@U3>", channel_id=channel, user_id="U1")
    world = World(bot, number, channel)
    if close is None:
        return world
    await bot.slack.command(f"{close} --reviewers <@U8>", channel_id=channel, user_id="U1")
    report = await eventually(world.report, lambda r: r.incident.is_closed)
    if report.postmortem is None:
        return world
    await eventually(world.report, lambda r: r.postmortem.doc_id)
    await write_required(bot.runtime.deps.storage, number)
    await bot.slack.command("postmortem author <@U2>", channel_id=channel, user_id="U1")
    world.pm_id = report.postmortem.id
    if ready:
        await bot.slack.command("postmortem ready", channel_id=channel, user_id="U2")
        await eventually(world.report, lambda r: r.postmortem.status == "in_review")
    return world


def command(text: str):
    async def run(w: World, user: str):
        return await w.bot.slack.command(text, channel_id=w.channel, user_id=user)

    return run


async def approve(w: World, user: str):
    value = f"{w.pm_id}:1"  # what the review request's button carries: the id and the round
    return await w.bot.slack.interactive(
        block_actions_payload(
            "review_approve",
            value,
            user_id=user,
            channel_id=w.channel,
            response_url=w.bot.fake.response_url(f"a-{user}"),
        )
    )


async def request_changes(w: World, user: str):
    return await w.bot.slack.interactive(
        view_submission_payload(
            "review_changes_modal",
            {"comment": {"comment": element_state("plain_text_input", "Needs a why.")}},
            private_metadata=f"{w.pm_id}:1",
            user_id=user,
        )
    )


async def save_section(w: World, user: str):
    meta = {"pm": w.pm_id, "section": "summary", "version": 0, "joiners": []}
    return await w.bot.slack.interactive(
        view_submission_payload(
            "postmortem_edit_section",
            {"text_0": {"text_0": element_state("plain_text_input", f"Summary by {user}")}},
            private_metadata=json.dumps(meta),
            user_id=user,
        )
    )


async def note_edit(w: World, user: str):
    await w.bot.slack.command("note by U5", channel_id=w.channel, user_id="U5")
    report = await eventually(w.report, lambda r: any(e.text == "by U5" for e in r.timeline))
    seq = next(e.seq for e in report.timeline if e.text == "by U5")
    return await w.bot.slack.command(
        f"note edit {seq} edited by {user}", channel_id=w.channel, user_id=user
    )


async def capture(w: World, user: str):
    ts = w.bot.fake.post_as_user(w.channel, "U5", "failover forced")
    return await w.bot.slack.interactive(
        shortcut_payload(w.channel, ts, "x", user=user, response_url=w.bot.fake.response_url("s"))
    )


async def write_anyway(w: World, user: str):
    return await w.bot.slack.interactive(
        block_actions_payload(
            "postmortem_write_anyway",
            str((await w.report()).incident.id),
            user_id=user,
            channel_id=w.channel,
            response_url=w.bot.fake.response_url(f"w-{user}"),
        )
    )


Setup = Callable[[object], Awaitable[World]]
Done = Callable[[World, str], Awaitable[bool]]


async def _pm(w: World):
    return (await w.report()).postmortem


SURFACES: dict[str, tuple[Setup, Callable, Done, set[str]]] = {
    "close (command)": (
        lambda b: incident(b, close=None),
        command(CLOSE),
        lambda w, u: _is(w, lambda r: r.incident.is_closed),
        {"commander"},
    ),
    "postmortem author (command)": (
        incident,
        command("postmortem author <@U5>"),
        lambda w, u: _is(w, lambda r: r.postmortem.author == "U5"),
        {"author", "commander"},
    ),
    "postmortem reviewers (command)": (
        incident,
        command("postmortem reviewers <@U7>"),
        lambda w, u: _is(w, lambda r: r.postmortem.reviewers == ("U7",)),
        {"author", "commander"},
    ),
    "postmortem ready (command)": (
        incident,
        command("postmortem ready"),
        lambda w, u: _is(w, lambda r: r.postmortem.status == "in_review"),
        {"author", "commander"},
    ),
    "postmortem waive (command)": (
        incident,
        command("postmortem waive too small"),
        lambda w, u: _is(w, lambda r: r.postmortem.status == "waived"),
        {"author", "commander"},
    ),
    "approve (button)": (
        lambda b: incident(b, ready=True),
        approve,
        lambda w, u: _is(w, lambda r: r.postmortem.status in ("approved", "published")),
        {"reviewer"},
    ),
    "request changes (modal)": (
        lambda b: incident(b, ready=True),
        request_changes,
        lambda w, u: _is(w, lambda r: r.postmortem.status == "draft"),
        {"reviewer"},
    ),
    "edit a section (modal)": (
        incident,
        save_section,
        lambda w, u: _is(w, lambda r: r.postmortem.sections.get("summary") == f"Summary by {u}"),
        {"member", "author", "reviewer", "commander"},
    ),
    "note edit (command)": (
        lambda b: incident(b, close=None),
        note_edit,
        lambda w, u: _is(w, lambda r: any(e.text == f"edited by {u}" for e in r.timeline)),
        {"member", "commander"},  # the member is the note's author here
    ),
    "capture (shortcut)": (
        lambda b: incident(b, close=None),
        capture,
        lambda w, u: _opened(w),
        {"member", "author", "reviewer", "commander"},
    ),
    "write one anyway (button)": (
        lambda b: incident(b, close=QUIET),
        write_anyway,
        lambda w, u: _is(w, lambda r: r.postmortem is not None),
        {"member", "author", "reviewer", "commander"},
    ),
}


async def _is(w: World, check) -> bool:
    await quiet(w.bot.runtime)  # all that the action set off has finished
    return bool(check(await w.report()))


async def _opened(w: World) -> bool:
    await quiet(w.bot.runtime)
    return bool(w.bot.fake.calls_to("views.open"))


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("surface", list(SURFACES))
async def test_each_surface_lets_only_the_people_the_table_names(bot, surface, who):
    setup, act, done, allowed = SURFACES[surface]
    world = await setup(bot)
    bot.fake.clear()
    reply = await act(world, PEOPLE[who])
    assert reply.status == 200
    assert await done(world, PEOPLE[who]) == (who in allowed), (surface, who, reply.body)
