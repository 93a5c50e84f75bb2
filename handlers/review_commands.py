"""`/incident postmortem …` and `/incident retro held`: the review workflow from the channel."""

from __future__ import annotations

import asyncio
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import postmortem_commands as cmds
from bot.domain.blameless import PEOPLE_HINT, Finding, blocking, check
from bot.domain.calendar import deliverable
from bot.domain.completeness import has_text
from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.domain.model import Incident, Postmortem
from bot.domain.mrkdwn import escape
from bot.i18n import Translator, placeholders
from bot.services import outbox, review, writing
from bot.services.reports import incident_report
from handlers import review_blocks
from handlers.commands import Invocation
from handlers.deps import Deps
from handlers.nudges import send_dm_or_post
from handlers.outbox_blocks import status_lines
from handlers.people import ACK_PATH_TIMEOUT
from handlers.writing import open_editor
from handlers.writing_blocks import LABELS


async def on_show(cmd: cmds.PostmortemShow, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    owed = await outbox.unsent(uow=run.deps.storage.uow(), incident_id=view.incident.id)
    status = review_blocks.status_text(run.t, view, await _sends_at(run, view))
    text = "\n".join([status, *status_lines(run.t, owed)])
    await run.ack(text=text, response_type="ephemeral")


async def _sends_at(run: Invocation, view: review.ReviewView) -> dict[int, datetime]:
    """When each planned reminder will really go out: in its recipient's working hours (their
    Slack zone; a channel's, the policy's), as the nudges' runner will postpone it."""
    policy, people = run.deps.policy, run.deps.people
    users = {r.recipient for r in view.planned if r.recipient.startswith(("U", "W"))}
    # Side by side, each bounded: this is on the way to the ack.
    zones = await asyncio.gather(
        *(people.timezone(u, policy.tz, within=ACK_PATH_TIMEOUT) for u in users)
    )
    zone = dict(zip(users, zones, strict=True))
    return {
        r.id: deliverable(
            r.due_at, tz=zone.get(r.recipient) or policy.tz, cal=policy.reminders.calendar
        )
        for r in view.planned
    }


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
        text=run.t.gettext(
            "<@%(user)s> now writes the %(ref)s postmortem.", user=cmd.user, ref=view.incident.ref
        ),
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
    await run.ack(
        text=run.t.gettext(
            "Reviewers of the %(ref)s postmortem: %(people)s.",
            ref=view.incident.ref,
            people=review_blocks.people(run.t, cmd.users),
        ),
        response_type="in_channel",
    )
    # Reviewers added during review are asked, and a recount that approved it publishes it:
    # both are outbox effects, sent once this is committed.


async def on_ready(cmd: cmds.PostmortemReady, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    await _check_request(run.deps, view.postmortem.id, run.user)  # refused in the ack
    await run.ack()  # the blameless check and the reviewers' DMs take a moment
    await request_review(run.client, run.deps, view.postmortem.id, run.user)
    await run.respond(
        text=run.t.gettext(
            "The %(ref)s postmortem is ready for review; I've asked the reviewers.",
            ref=view.incident.ref,
        ),
        response_type="in_channel",
    )


async def on_edit(cmd: cmds.PostmortemEdit, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    await writing.editable(  # refused here, privately, before the form would open
        uow=run.deps.storage.uow(), postmortem_id=view.postmortem.id, by=run.user, member=True
    )
    await run.ack()
    await open_editor(
        run.client,
        run.deps,
        run.trigger_id,
        view.postmortem.id,
        cmd.section,
        by=run.user,
        member=True,  # typed in the incident channel
    )


async def on_check(cmd: cmds.PostmortemCheck, run: Invocation) -> None:
    view = await review.review_status(
        uow=run.deps.storage.uow(), channel_id=run.channel, policy=run.deps.policy
    )
    findings = await blameless_findings(run.deps, view.incident, view.postmortem)
    said = blameless_text(run.t, view.incident, view.postmortem, findings)
    await run.ack(text=said, response_type="ephemeral")


async def on_waive(cmd: cmds.PostmortemWaive, run: Invocation) -> None:
    view = await review.waive(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        reason=cmd.reason,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    await run.ack(text=review_blocks.status_text(run.t, view), response_type="in_channel")


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
        text=run.t.gettext(
            "Retro for %(ref)s marked as held. Thank you for looking back together.",
            ref=view.incident.ref,
        ),
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
        people_hint=deps.translator.gettext(PEOPLE_HINT),
    )


def blameless_text(
    t: Translator, incident: Incident, pm: Postmortem, findings: list[Finding]
) -> str:
    if not has_text(pm.sections, placeholders()):
        return t.gettext(
            "Nothing to check yet: no section of the %(ref)s postmortem has text. Write one "
            "with `/incident postmortem edit`, then check again.",
            ref=incident.ref,
        )
    if not findings:
        return t.gettext(
            "The %(ref)s postmortem reads blameless. Thank you for writing it that way.",
            ref=incident.ref,
        )
    lines = [
        t.ngettext(
            "*Blameless check of the %(ref)s postmortem:* %(n)s thing to look at",
            "*Blameless check of the %(ref)s postmortem:* %(n)s things to look at",
            len(findings),
            ref=incident.ref,
        )
    ]
    for f in findings:
        section = t.gettext(LABELS[f.section]) if f.section in LABELS else f.section
        lines.append(
            t.gettext(
                "• _%(section)s_: “%(sentence)s”\n    %(hint)s",
                section=section,
                sentence=escape(f.sentence),
                hint=escape(f.hint),
            )
        )
    return "\n".join(lines)


async def request_review(client: AsyncWebClient, deps: Deps, postmortem_id: int, by: str) -> None:
    """Check the text is blameless (telling the author privately), move it to review; every
    reviewer's DM is an outbox effect, sent once that is committed. The policy can make blaming
    language block the request; unless it does, the check runs beside the reviewers' DMs. A
    request the state machine refuses (unwritten sections, say) is refused before the check."""
    incident, pm = await writing.postmortem_by_id(
        uow=deps.storage.uow(), postmortem_id=postmortem_id
    )
    t, blocks_ready = deps.translator, deps.policy.blameless_block_ready
    if not blocks_ready:  # nothing waits for the check: the reviewers are asked at once
        await _to_review(deps, postmortem_id, by)
    else:
        await _check_request(deps, postmortem_id, by)
    findings = await blameless_findings(deps, incident, pm)
    if findings or not has_text(pm.sections, placeholders()):
        await send_dm_or_post(client, pm.author, blameless_text(t, incident, pm, findings))
    if blocks_ready:
        if blocking(findings):
            raise BadCommand(
                N_(
                    "The blameless check found %(n)s phrase(s) to rewrite first; <@%(author)s> "
                    "has them privately. `/incident postmortem check` shows them again."
                ),
                n=len(blocking(findings)),
                author=pm.author,
            )
        await _to_review(deps, postmortem_id, by)


async def _check_request(deps: Deps, postmortem_id: int, by: str) -> None:
    await review.check_request(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        by=by,
        policy=deps.policy,
        placeholders=placeholders(),
    )


async def _to_review(deps: Deps, postmortem_id: int, by: str) -> None:
    await review.request_review(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        by=by,
        policy=deps.policy,
        now=deps.clock(),
        placeholders=placeholders(),
    )
