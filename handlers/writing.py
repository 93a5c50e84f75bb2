"""Writing the postmortem in Slack: the edit modals, and readers' feedback."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message
from bot.services import writing
from handlers import writing_blocks as wb
from handlers.closing import refresh_document
from handlers.errors import reported
from handlers.nudges import quoted, send_dm_or_post
from handlers.slack_reading import channel_member, parse_id


def register(app: AsyncApp) -> None:
    app.action(wb.EDIT)(reported(on_edit_clicked))
    app.view(wb.PICK_MODAL)(reported(on_section_picked))
    app.view(wb.SECTION_MODAL)(reported(on_section_saved))
    app.action(wb.HELPFUL)(reported(on_helpful))
    app.action(wb.LEAVE_FEEDBACK)(reported(on_leave_feedback))
    app.view(wb.FEEDBACK_MODAL)(reported(on_feedback_sent))


async def open_editor(
    client: AsyncWebClient,
    deps: Deps,
    trigger_id: str,
    pm_id: int,
    section: str | None,
    *,
    by: str,
    member: bool,
) -> None:
    """The section's modal, or the section picker when none is named (if `by` may edit)."""
    incident, pm = await writing.editable(
        uow=deps.storage.uow(), postmortem_id=pm_id, by=by, member=member
    )
    t = deps.translator
    if section is None:
        view = wb.picker(t, incident, pm)
    else:
        view = _section_view(deps, incident, pm, section)
    await client.views_open(trigger_id=trigger_id, view=view)


def _section_view(deps: Deps, incident, pm, section: str) -> View:
    text = pm.sections.get(section, "")
    try:
        return wb.section_modal(
            deps.translator, incident, pm, section, text, base_version=pm.version
        )
    except ValueError:
        raise BadCommand(
            N_(
                "%(section)s is longer than %(limit)s characters, more than Slack's forms can "
                "hold; edit it in the document itself."
            ),
            section=Message(wb.LABELS[section]),
            limit=f"{wb.MAX_BOXES * wb.BOX:,}",
        ) from None


async def on_edit_clicked(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    await ack()
    user, pm_id = body["user"]["id"], parse_id(action["value"])
    member = await _member_of_incident(client, context["deps"], pm_id, user)
    await open_editor(
        client, context["deps"], body["trigger_id"], pm_id, None, by=user, member=member
    )


async def _member_of_incident(client: AsyncWebClient, deps: Deps, pm_id: int, user: str) -> bool:
    """Is `user` in the incident channel of this postmortem? (Slack's member list.)"""
    incident, _ = await writing.postmortem_by_id(uow=deps.storage.uow(), postmortem_id=pm_id)
    channel = incident.channel_id or incident.declared_in
    return await channel_member(client, channel, user)


async def on_section_picked(ack: AsyncAck, body: dict, view: dict, context: dict) -> None:
    deps: Deps = context["deps"]
    section = view["state"]["values"]["section"]["section"]["selected_option"]["value"]
    incident, pm = await writing.postmortem_by_id(
        uow=deps.storage.uow(), postmortem_id=parse_id(view["private_metadata"])
    )
    await ack(response_action="update", view=_section_view(deps, incident, pm, section))


async def on_section_saved(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    meta = json.loads(view["private_metadata"])
    values = view["state"]["values"]
    boxes = [
        values[key][key].get("value") or ""
        for key in sorted(values, key=lambda k: int(k.split("_")[1]))
    ]
    text = wb.join(boxes, meta["joiners"]).strip()
    user, pm_id = body["user"]["id"], parse_id(meta["pm"])
    result = await writing.save_section(
        storage=deps.storage,
        postmortem_id=pm_id,
        section=meta["section"],
        text=text,
        by=user,
        member=await _member_of_incident(client, deps, pm_id, user),  # the form is untrusted
        base_version=meta["version"],
        policy=deps.policy,
        now=deps.clock(),
    )
    if not result.saved:  # theirs is saved; keep yours in front of you, against their version
        conflict = result.conflict
        await ack(
            response_action="update",
            view=wb.section_modal(
                deps.translator,
                result.incident,
                result.postmortem,
                meta["section"],
                text,
                base_version=conflict.version,
                conflict=conflict,
            ),
        )
        return
    await ack()
    await refresh_document(client, deps, result.incident, result.postmortem)
    # An approved text that changed goes back to review: its reviewers are asked again by the
    # outbox (bot/services/review.back_to_review).


async def on_helpful(
    ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    added = await writing.add_feedback(
        uow=deps.storage.uow(),
        postmortem_id=parse_id(action["value"]),
        user=body["user"]["id"],
        kind="helpful",
        text=None,
        now=deps.clock(),
    )
    t = deps.translator
    if added:
        thanks = t.gettext("Thanks — the author will hear that it helped.")
    else:
        thanks = t.gettext("You already said so. Thanks!")
    await respond(text=thanks, response_type="ephemeral", replace_original=False)


async def on_leave_feedback(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    incident, pm = await writing.postmortem_by_id(
        uow=deps.storage.uow(), postmortem_id=parse_id(action["value"])
    )
    view = wb.feedback_modal(deps.translator, incident, pm)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_feedback_sent(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    text = view["state"]["values"]["text"]["text"]["value"] or ""
    reader, pm_id = body["user"]["id"], parse_id(view["private_metadata"])
    await writing.add_feedback(
        uow=deps.storage.uow(),
        postmortem_id=pm_id,
        user=reader,
        kind="comment",
        text=text,
        now=deps.clock(),
    )
    await ack()
    incident, pm = await writing.postmortem_by_id(uow=deps.storage.uow(), postmortem_id=pm_id)
    said = deps.translator.gettext(
        "<@%(reader)s> left feedback on your %(ref)s postmortem:", reader=reader, ref=incident.ref
    )
    await send_dm_or_post(client, pm.author, said + "\n" + quoted(text))
