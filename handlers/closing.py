"""The postmortem draft in Slack: render it, share it, keep it current; the retro invitation.
(After a close these run as outbox effects: handlers/effects.py.)"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.ics import retro_invitation
from bot.domain.model import Incident, Postmortem
from bot.domain.mrkdwn import mentions
from bot.export_markdown import draft_markdown
from bot.services import effects as effect_svc
from bot.services.incidents import record_document
from bot.services.reports import incident_report
from handlers import blocks
from handlers.deps import Deps
from handlers.publishing import share_document

log = logging.getLogger(__name__)


async def render_draft(deps: Deps, incident_id: int, postmortem: Postmortem | None = None) -> str:
    """The postmortem document as Slack shows it, with people by their display names."""
    report = await incident_report(uow=deps.storage.uow(), incident_id=incident_id)
    pm = postmortem or report.postmortem
    assert pm is not None
    people = {e.author for e in report.timeline} | {pm.author, *pm.reviewers}
    people |= {uid for e in report.timeline for uid in mentions(e.text)}  # quoted messages
    people |= set(report.roles.values()) | set(report.responders)
    people |= {a.owner for a in report.actions if a.owner}
    return draft_markdown(
        report,
        postmortem=pm,
        names=await deps.people.names(people),
        policy=deps.policy,
        renderer=deps.renderer,
        now=deps.clock(),
    )


async def publish_draft(
    client: AsyncWebClient,
    deps: Deps,
    incident: Incident,
    postmortem: Postmortem,
    *,
    announce: Callable[..., Awaitable[None]],
) -> None:
    """Render the draft from the template and share it in the incident channel; `announce`
    posts a canvas's message. Resumes after a recorded document (a retry shares it once)."""
    t = deps.translator
    kind, url = postmortem.doc_kind, postmortem.doc_url
    if postmortem.doc_id is None:
        title = t.gettext("%(ref)s postmortem: %(title)s", ref=incident.ref, title=incident.title)
        shared = await share_document(
            client,
            mode=deps.policy.share,
            channel_id=incident.channel,
            title=title[:250],
            markdown=await render_draft(deps, incident.id, postmortem),
            filename=f"{incident.ref}-postmortem.md",
            comment=blocks.draft_text(t, incident, None),
        )
        await record_document(
            uow=deps.storage.uow(),
            postmortem_id=postmortem.id,
            kind=shared.kind,
            doc_id=shared.id,
            url=shared.url,
        )
        kind, url = shared.kind, shared.url
    if kind == "canvas":  # a file came with its message; a canvas gets one now
        await announce(
            text=blocks.draft_text(t, incident, url),
            blocks=blocks.draft_blocks(t, incident, postmortem, url),
        )


async def refresh_document(
    client: AsyncWebClient, deps: Deps, incident: Incident, pm: Postmortem
) -> None:
    """After a save: the canvas is rewritten in place, or a new version of the file is shared."""
    markdown = await render_draft(deps, incident.id, pm)
    if pm.doc_kind == "canvas" and pm.doc_id:
        change = {
            "operation": "replace",
            "document_content": {"type": "markdown", "markdown": markdown},
        }
        await client.canvases_edit(canvas_id=pm.doc_id, changes=[change])
        return
    t = deps.translator
    shared = await share_document(
        client,
        mode="file",
        channel_id=incident.channel,
        title=t.gettext("%(ref)s postmortem (v%(version)s)", ref=incident.ref, version=pm.version),
        markdown=markdown,
        filename=f"{incident.ref}-postmortem-v{pm.version}.md",
        comment=t.gettext(
            "Updated postmortem draft for *%(ref)s* (version %(version)s).",
            ref=incident.ref,
            version=pm.version,
        ),
    )
    await record_document(
        uow=deps.storage.uow(),
        postmortem_id=pm.id,
        kind=shared.kind,
        doc_id=shared.id,
        url=shared.url,
    )


async def refresh_if_drafted(client: AsyncWebClient, deps: Deps, incident: Incident) -> None:
    """Bring the shared document up to date (after action items change), if there is one."""
    _, pm = await effect_svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=incident.id
    )
    if pm is not None and pm.doc_id:
        await refresh_document(client, deps, incident, pm)


async def invite_to_retro(
    client: AsyncWebClient, deps: Deps, incident: Incident, pm: Postmortem
) -> None:
    """Invite the participants to look back together, with an .ics file for their calendars."""
    if pm.retro_due_at is None or incident.channel_id is None:
        return
    report = await incident_report(uow=deps.storage.uow(), incident_id=incident.id)
    # Everyone who took part: who declared, wrote, held a role, joined, noted or was quoted.
    wrote = [e.author for e in report.timeline if e.kind in ("note", "message")]
    people = dict.fromkeys(
        u
        for u in [incident.declared_by, pm.author, *report.roles.values(), *report.responders]
        + wrote
        if u.startswith(("U", "W"))  # people, not bots
    )
    t = deps.translator
    ics = retro_invitation(
        uid=f"furikaeri-retro-{incident.ref}-{pm.id}",
        title=t.gettext("Retro: %(ref)s %(title)s", ref=incident.ref, title=incident.title),
        description=t.gettext(
            "Looking back on %(ref)s. Blameless: causes, not culprits.", ref=incident.ref
        ),
        deadline=pm.retro_due_at,
        now=deps.clock(),
        tz=deps.policy.tz,
        cal=deps.policy.reminders.calendar,
    )
    await client.files_upload_v2(
        channel=incident.channel_id,
        content=ics,
        filename=f"{incident.ref}-retro.ics",
        title=t.gettext("Retro for %(ref)s", ref=incident.ref),
        initial_comment=blocks.retro_invite_text(t, incident, pm.retro_due_at, tuple(people)),
    )
