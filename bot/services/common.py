"""What several use cases share: finding the incident of a channel, and refusing closed ones."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.authority import Action, Role, require, roles_of
from bot.domain.errors import InvalidTransition, NotAnIncidentChannel
from bot.domain.messages import N_
from bot.domain.model import Incident, Postmortem
from bot.services.ports import UnitOfWork

CLOCK_SKEW = timedelta(minutes=1)  # how far "now" on a person's device may run ahead of ours
GONE = N_("That postmortem no longer exists.")  # a button or form outlived its postmortem


async def incident_of(uow: UnitOfWork, channel_id: str) -> Incident:
    """Inside an open unit of work: the incident of this channel, or a clear error."""
    incident = await uow.incidents.by_channel(channel_id)
    if incident is None:
        raise not_an_incident_channel()
    return incident


def not_an_incident_channel() -> NotAnIncidentChannel:
    return NotAnIncidentChannel(
        N_(
            "This isn't an incident channel. Run this in the channel furikaeri created for "
            "the incident (or start one with `/incident start <title>`)."
        )
    )


def ensure_open(incident: Incident) -> None:
    """Refuse to act on a closed incident."""
    if incident.is_closed:
        raise InvalidTransition(N_("%(ref)s is already closed."), ref=incident.ref)


def ensure_may_add(user: str) -> None:
    """Someone adding to an incident by a command typed in its channel (a note, a mark, a
    status, an action item, the retro held): the authority table's NOTE rule for a member."""
    require(roles_of(user, member=True), Action.NOTE)


async def incident_to_add_to(uow: UnitOfWork, channel_id: str, user: str) -> Incident:
    """The channel's incident, for someone adding to it (see `ensure_may_add`)."""
    incident = await incident_of(uow, channel_id)
    ensure_may_add(user)
    return incident


async def commander_of(uow: UnitOfWork, incident: Incident) -> str:
    """The incident commander: whoever holds the role, else the person who declared it."""
    return (await uow.people.roles(incident.id)).get("commander", incident.declared_by)


async def roles_in(
    uow: UnitOfWork,
    incident: Incident,
    user: str,
    *,
    postmortem: Postmortem | None = None,
    entry_author: str | None = None,
    owner: str | None = None,
    member: bool = False,
) -> frozenset[Role]:
    """The roles `user` holds in this incident (and its postmortem), for the authority table.
    `member` is what the surface knows: a command typed in the channel, or Slack's member list.
    Of a private incident, someone with none of these roles holds none at all."""
    return roles_of(
        user,
        declarer=incident.declared_by,
        commander=await commander_of(uow, incident),
        author=postmortem.author if postmortem else None,
        reviewers=postmortem.reviewers if postmortem else (),
        entry_author=entry_author,
        owner=owner,
        member=member,
        private=incident.private,
    )


async def ensure_may_close(uow: UnitOfWork, incident: Incident, user: str) -> None:
    """Closing decides whether a postmortem is owed: the commander or the declarer does it."""
    require(await roles_in(uow, incident, user, member=True), Action.CLOSE, ref=incident.ref)


async def ensure_may_write_anyway(
    uow: UnitOfWork, incident: Incident, channel_id: str, user: str, *, member: bool
) -> None:
    """A "Write one anyway" button names its incident; refuse one still open, or pressed
    outside that incident's channel (a forged or stale value), or by someone not in it."""
    if not incident.is_closed:
        raise InvalidTransition(
            N_("%(ref)s is still open; its postmortem starts when it is closed."),
            ref=incident.ref,
        )
    if channel_id != (incident.channel_id or incident.declared_in):  # where its button was
        raise InvalidTransition(N_("That button belongs to another incident's channel."))
    require(await roles_in(uow, incident, user, member=member), Action.WRITE_ANYWAY)
