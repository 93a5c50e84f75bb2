"""Who may do what: the one authority table every surface consults.

Slash commands, buttons, modals, the message shortcut, its capture form and events all ask
`may(roles, action)` (or `require`), never a rule of their own. A person's roles for one
subject come from `roles_of`, which takes the facts (who declared, who commands, who writes,
who reviews, who is in the channel, whether the incident is private) and nothing from Slack's
payload but the person's id.

A private incident (`/incident start --private`) changes who "anyone" is: only its own people
(its channel's members and the people it names) hold `ANYONE`, so a stranger is refused every
action, on every surface, as a non-member is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import NotAllowed
from bot.domain.messages import N_


class Role(StrEnum):
    DECLARER = "declarer"  # declared the incident
    COMMANDER = "commander"  # holds the role (until named: the declarer)
    AUTHOR = "author"  # writes the postmortem
    ENTRY_AUTHOR = "entry_author"  # wrote (or said) the timeline entry at hand
    OWNER = "owner"  # owns the action item at hand
    REVIEWER = "reviewer"  # named reviewer of the postmortem
    MEMBER = "member"  # in the incident channel
    ANYONE = "anyone"  # every person of the workspace; of a private incident, only its people


class Action(StrEnum):
    CLOSE = "close"
    HAND_OVER = "hand_over"  # name another commander
    NOTE = "note"  # notes, marks, action items
    CAPTURE = "capture"  # a message into the timeline (pin, shortcut)
    CHANGE_ENTRY = "change_entry"  # edit, move or delete a timeline entry
    FINISH_ITEM = "finish_item"  # mark an action item done from its owner's reminder
    WRITE_ANYWAY = "write_anyway"  # open a draft when no trigger fired
    SET_AUTHOR = "set_author"
    SET_REVIEWERS = "set_reviewers"
    READY = "ready"
    WAIVE = "waive"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    EDIT = "edit"  # a section of a draft or of one in review
    AMEND = "amend"  # a section of an approved or published postmortem
    READ = "read"  # status, timeline, feedback on a published postmortem
    RETRY = "retry"  # a stuck Slack effect of the incident: try it again now


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[Role]
    refusal: str  # N_ message id
    never: frozenset[Role] = frozenset()  # refused even when another role allows it


def _rule(roles: Iterable[Role], refusal: str, never: Iterable[Role] = ()) -> Rule:
    return Rule(frozenset(roles), refusal, frozenset(never))


D, C, A, E, R, M = (
    Role.DECLARER,
    Role.COMMANDER,
    Role.AUTHOR,
    Role.ENTRY_AUTHOR,
    Role.REVIEWER,
    Role.MEMBER,
)
PRIVATE = N_(
    "This incident is private: only the people in its channel can see it or act on it."
)

# The table. Read a row as: "<action> is for <roles>, never for <never>".
TABLE: dict[Action, Rule] = {
    Action.CLOSE: _rule(
        (D, C),
        N_("Only the incident commander or the person who declared %(ref)s can close it."),
    ),
    Action.HAND_OVER: _rule(
        (D, C), N_("Only the incident commander (or whoever declared it) hands the command over.")
    ),
    Action.NOTE: _rule((M, D, C), N_("Only people in the incident channel can add to it.")),
    Action.CAPTURE: _rule(
        (M, D, C), N_("Only people in the incident channel can add its messages to the timeline.")
    ),
    Action.CHANGE_ENTRY: _rule(
        (E, C), N_("Only the author of #%(number)s or the incident commander can change it.")
    ),
    Action.FINISH_ITEM: _rule(
        (M, D, C, Role.OWNER),
        N_("Only people in the incident channel, or the item's owner, can mark it done."),
    ),
    Action.WRITE_ANYWAY: _rule(
        (M, D, C), N_("Only people in the incident channel can start its postmortem.")
    ),
    Action.SET_AUTHOR: _rule(
        (A, C),
        N_("Only the postmortem's author or the incident commander can hand the writing over."),
    ),
    Action.SET_REVIEWERS: _rule(
        (A, C),
        N_("Only the postmortem's author or the incident commander can choose the reviewers."),
    ),
    Action.READY: _rule(
        (A, C), N_("Only the postmortem's author or the incident commander can ask for review.")
    ),
    Action.WAIVE: _rule(
        (A, C), N_("Only the postmortem's author or the incident commander can waive it.")
    ),
    Action.APPROVE: _rule(
        (R,), N_("Only the named reviewers can review it, and never its author."), never=(A,)
    ),
    Action.REQUEST_CHANGES: _rule(
        (R,), N_("Only the named reviewers can review it, and never its author."), never=(A,)
    ),
    Action.EDIT: _rule(
        (M, A, C, R, D), N_("Only people in the incident channel can edit its postmortem.")
    ),
    Action.AMEND: _rule(
        (A, C),
        N_(
            "Once reviewed, only the postmortem's author or the incident commander can change "
            "it (and every change is shown as an amendment)."
        ),
    ),
    Action.READ: _rule((Role.ANYONE,), PRIVATE),  # refused only where ANYONE isn't held
    Action.RETRY: _rule(
        (M, D, C, A, R),
        N_("Only the incident's people (its channel, its postmortem's author and reviewers) "
           "can ask me to try again."),
    ),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    refusal: str | None = None  # N_ message id when not allowed

    def __bool__(self) -> bool:
        return self.allowed


def may(roles: Iterable[Role], action: Action) -> Decision:
    """May someone holding `roles` (from `roles_of`) do `action`? The one answer every surface
    uses."""
    held = set(roles)
    rule = TABLE[action]
    if held & rule.never or not held & rule.allowed:
        return Decision(False, rule.refusal)
    return Decision(True)


def require(roles: Iterable[Role], action: Action, **params: object) -> None:
    """`may`, raising NotAllowed (with the table's message and `params`) when not."""
    decision = may(roles, action)
    if not decision:
        assert decision.refusal is not None
        raise NotAllowed(decision.refusal, **params)


def roles_of(
    user: str,
    *,
    declarer: str | None = None,
    commander: str | None = None,
    author: str | None = None,
    reviewers: Iterable[str] = (),
    entry_author: str | None = None,
    owner: str | None = None,
    member: bool = False,
    private: bool = False,
) -> frozenset[Role]:
    """The roles `user` holds, from the facts of the incident and its postmortem. Of a private
    incident, `ANYONE` is held only by its people: someone with another role here."""
    held: set[Role] = set()
    for role, holder in (
        (Role.DECLARER, declarer),
        (Role.COMMANDER, commander),
        (Role.AUTHOR, author),
        (Role.ENTRY_AUTHOR, entry_author),
        (Role.OWNER, owner),
    ):
        if holder is not None and user == holder:
            held.add(role)
    if user in set(reviewers):
        held.add(Role.REVIEWER)
    if member:
        held.add(Role.MEMBER)
    if held or not private:
        held.add(Role.ANYONE)
    return frozenset(held)
