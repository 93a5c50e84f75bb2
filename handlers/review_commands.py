"""`/incident postmortem …` and `/incident retro held`: the review workflow from the channel."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain import commands as cmds
from bot.domain.blameless import PEOPLE_HINTS, Finding, blocking, check
from bot.domain.errors import BadCommand
from bot.domain.model import Incident, Postmortem
from bot.domain.mrkdwn import escape
from bot.services import review, writing
from bot.services.reports import incident_report
from handlers import review_blocks
from handlers.commands import Invocation
from handlers.nudges import send_dm_or_post
from handlers.writing import open_editor
from handlers.writing_blocks import LABELS


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
    await review.check_request(
        uow=run.deps.storage.uow(),
        postmortem_id=view.postmortem.id,
        by=run.user,
        policy=run.deps.policy,
    )
    await run.ack()  # the blameless check and the reviewers' DMs take a moment
    await request_review(run.client, run.deps, view.postmortem.id, run.user)
    await run.respond(
        text=f"The {view.incident.ref} postmortem is ready for review; I've asked the reviewers.",
        response_type="in_channel",
    )


async def on_edit(cmd: cmds.PostmortemEdit, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    await run.ack()
    await open_editor(run.client, run.deps, run.trigger_id, view.postmortem.id, cmd.section)


async def on_check(cmd: cmds.PostmortemCheck, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    findings = await blameless_findings(run.deps, view.incident, view.postmortem)
    await run.ack(text=blameless_text(view.incident, findings), response_type="ephemeral")


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


async def blameless_findings(deps: Deps, incident: Incident, pm: Postmortem) -> list[Finding]:
    """The blameless check of the sections, knowing the names of the people involved."""
    report = await incident_report(uow=deps.storage.uow(), incident_id=incident.id)
    people = (
        {e.author for e in report.timeline} | set(report.responders) | set(report.roles.values())
    )
    people |= {pm.author, *pm.reviewers, incident.declared_by}
    names = await deps.people.names(people)
    return check(
        pm.sections,
        deps.policy.blameless_rules,
        people=names,
        people_hint=PEOPLE_HINTS.get(deps.policy.locale, PEOPLE_HINTS["en"]),
    )


def blameless_text(incident: Incident, findings: list[Finding]) -> str:
    if not findings:
        return f"The {incident.ref} postmortem reads blameless. Thank you for writing it that way."
    lines = [
        f"*Blameless check of the {incident.ref} postmortem:* {len(findings)} thing(s) to look at"
    ]
    for f in findings:
        lines.append(
            f"• _{LABELS.get(f.section, f.section)}_: “{escape(f.sentence)}”\n    {escape(f.hint)}"
        )
    return "\n".join(lines)


async def request_review(client: AsyncWebClient, deps: Deps, postmortem_id: int, by: str) -> None:
    """Check the text is blameless (telling the author privately), move it to review, ask every
    reviewer by DM. The policy can make blaming language block the request."""
    incident, pm = await writing.postmortem_by_id(
        uow=deps.storage.uow(), postmortem_id=postmortem_id
    )
    findings = await blameless_findings(deps, incident, pm)
    if findings:
        await send_dm_or_post(client, pm.author, blameless_text(incident, findings))
    if deps.policy.blameless_block_ready and blocking(findings):
        raise BadCommand(
            f"The blameless check found {len(blocking(findings))} phrase(s) to rewrite first; "
            f"<@{pm.author}> has them privately. `/incident postmortem check` shows them again."
        )
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
