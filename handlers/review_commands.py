"""`/incident postmortem …` and `/incident retro held`: the review workflow from the channel."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain import commands as cmds
from bot.domain.model import Incident, Postmortem
from bot.services import review
from handlers import review_blocks
from handlers.commands import Invocation
from handlers.nudges import send_dm_or_post


async def on_show(cmd: cmds.PostmortemShow, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    await run.ack(text=review_blocks.status_text(view), response_type="ephemeral")


async def on_author(cmd: cmds.PostmortemAuthor, run: Invocation) -> None:
    view = await review.set_author(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        author=cmd.user,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    await run.ack(
        text=f"<@{cmd.user}> now writes the {view.incident.ref} postmortem.",
        response_type="in_channel",
    )


async def on_reviewers(cmd: cmds.PostmortemReviewers, run: Invocation) -> None:
    view, added = await review.set_reviewers(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        reviewers=cmd.users,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    names = ", ".join(f"<@{u}>" for u in cmd.users)
    await run.ack(
        text=f"Reviewers of the {view.incident.ref} postmortem: {names}.",
        response_type="in_channel",
    )
    await ask_reviewers(run.client, view.incident, view.postmortem, added)


async def on_ready(cmd: cmds.PostmortemReady, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    await request_review(run.client, run.deps, view.postmortem.id, run.user)
    await run.ack(
        text=f"The {view.incident.ref} postmortem is ready for review; I've asked the reviewers.",
        response_type="in_channel",
    )


async def on_waive(cmd: cmds.PostmortemWaive, run: Invocation) -> None:
    view = await review.waive(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        reason=cmd.reason,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    await run.ack(text=review_blocks.status_text(view), response_type="in_channel")


async def on_retro_held(cmd: cmds.RetroHeld, run: Invocation) -> None:
    view = await review.retro_held(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        notes=cmd.notes,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    await run.ack(
        text=f"Retro for {view.incident.ref} marked as held. Thank you for looking back together.",
        response_type="in_channel",
    )


async def request_review(client: AsyncWebClient, deps: Deps, postmortem_id: int, by: str) -> None:
    """Move to review (committed first), then ask every reviewer by DM."""
    view = await review.request_review(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        by=by,
        policy=deps.policy,
        now=deps.clock(),
    )
    await ask_reviewers(client, view.incident, view.postmortem, view.postmortem.reviewers)


async def ask_reviewers(
    client: AsyncWebClient, incident: Incident, pm: Postmortem, reviewers: tuple[str, ...]
) -> None:
    if pm.status != "in_review":
        return
    text, blocks = review_blocks.review_request(incident, pm)
    for reviewer in reviewers:
        await send_dm_or_post(client, reviewer, text, blocks)
