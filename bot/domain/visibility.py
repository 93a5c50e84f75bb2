"""Where an incident may be spoken of: one place for the rules of a private incident.

A private incident (`/incident start --private`: security, HR) lives in a private channel and is
said only there and to its own people, privately: the declarer's confirmation is ephemeral,
and DMs go to the people it names (its commander, its postmortem's author and reviewers, the
owners of its action items). Nothing about it goes to a channel the policy names for the whole
team: no digest line, no escalation there (its commander hears it instead), and its postmortem
is published only in its own channel, or in `review.private_publish_channel` when the policy
names one. Who may act on it is the authority table's business (bot/domain/authority.py: only
its people hold "anyone").
"""

from __future__ import annotations

from bot.domain.model import Incident
from bot.domain.policy import Policy


def home(incident: Incident) -> str:
    """Where the incident's own messages go: its channel; before it has one, where it was
    declared — or, for a private incident, its declarer (a DM), never a shared channel."""
    if incident.channel_id:
        return incident.channel_id
    return incident.declared_by if incident.private else incident.declared_in


def publication_channel(incident: Incident, policy: Policy) -> str:
    """Where its approved postmortem is published."""
    if incident.private:
        return policy.private_publish_channel or home(incident)
    return policy.publish_channel or home(incident)


def share_skipped(incident: Incident, policy: Policy) -> bool:
    """A private postmortem kept out of the company-wide channel the others go to (the policy
    names none for private ones): its author is told why."""
    return (
        incident.private
        and policy.publish_channel is not None
        and policy.private_publish_channel is None
    )


def readers_channels(incident: Incident, policy: Policy) -> tuple[str, ...]:
    """The channels whose members may read a private incident's published postmortem (and say
    it helped): its own, and the one the policy publishes private postmortems in."""
    return tuple(c for c in (incident.channel_id, policy.private_publish_channel) if c)


def escalation_channel(incident: Incident, policy: Policy) -> str | None:
    """The channel a stalled postmortem escalates to; None: its commander, by DM."""
    return None if incident.private else policy.escalation_channel


def listed(incident: Incident) -> bool:
    """Whether the team's own lists (the weekly digest) name it."""
    return not incident.private
