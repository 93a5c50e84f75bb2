"""Writing the postmortem in Slack: the edit modals, and readers' feedback."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message
from bot.domain.visibility import readers_channels
from bot.i18n import placeholders
from bot.services import writing
from handlers import writing_blocks as wb
from handlers.closing import refresh_document
from handlers.deps import Deps
from handlers.errors import reported
from handlers.nudges import quoted, send_dm_or_post
from handlers.slack_reading import channel_member, member_or_not, parse_id


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
    channel = incident.channel_id or (None if incident.private else incident.declared_in)
    return channel is not None and await channel_member(client, channel, user)


async def _reader(client: AsyncWebClient, deps: Deps, pm_id: int, user: str) -> bool:
    """Is `user` among a private incident's readers: in its channel, or in the channel the
    policy publishes private postmortems in? (Slack's member lists; a public incident's
    postmortem is anyone's to read, so Slack is not asked.)"""
    incident, _ = await writing.postmortem_by_id(uow=deps.storage.uow(), postmortem_id=pm_id)
    if not incident.private:
        return False
    for channel in readers_channels(incident, deps.policy):
        if await member_or_not(client, channel, user):
            return True
    return False


async def on_section_picked(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    section = view["state"]["values"]["section"]["section"]["selected_option"]["value"]
    user, pm_id = body["user"]["id"], parse_id(view["private_metadata"])
    # The form is untrusted: the section's text is shown only to whoever may edit it.
    incident, pm = await writing.editable(
        uow=deps.storage.uow(),
        postmortem_id=pm_id,
        by=user,
        member=await _member_of_incident(client, deps, pm_id, user),
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
        placeholders=placeholders(),
    )
    conflict = result.conflict
    if conflict is not None:  # theirs is saved; keep yours in front of you, against their version
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
    ack: AsyncAck,
    body: dict,
    action: dict,
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    await ack()
    user, pm_id = body["user"]["id"], parse_id(action["value"])
    added = await writing.add_feedback(
        uow=deps.storage.uow(),
        postmortem_id=pm_id,
        user=user,
        kind="helpful",
        text=None,
        reader=await _reader(client, deps, pm_id, user),
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
    user, pm_id = body["user"]["id"], parse_id(action["value"])
    incident, pm = await writing.feedback_form(
        uow=deps.storage.uow(),
        postmortem_id=pm_id,
        user=user,
        reader=await _reader(client, deps, pm_id, user),
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
        reader=await _reader(client, deps, pm_id, reader),  # the form is untrusted
        now=deps.clock(),
    )
    await ack()
    incident, pm = await writing.postmortem_by_id(uow=deps.storage.uow(), postmortem_id=pm_id)
    said = deps.translator.gettext(
        "<@%(reader)s> left feedback on your %(ref)s postmortem:", reader=reader, ref=incident.ref
    )
    await send_dm_or_post(client, pm.author, said + "\n" + quoted(text))
