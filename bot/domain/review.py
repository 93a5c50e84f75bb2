"""A postmortem's review: its states, the moves between them, and who it is waiting on.

draft → in_review → approved → published; a request for changes returns it to draft; waived
records a team decision not to write one (with a reason and who decided).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.errors import InvalidTransition
from bot.domain.messages import N_, Message
from bot.domain.model import Approval, Postmortem

STATES = ("draft", "in_review", "approved", "published", "waived")
_MOVES = {
    ("draft", "ready"): "in_review",
    ("in_review", "request_changes"): "draft",
    ("in_review", "approve"): "approved",
    ("approved", "publish"): "published",
    ("draft", "waive"): "waived",
    ("in_review", "waive"): "waived",
}
_WHY_NOT = {
    "ready": N_("Only a draft can be sent for review"),
    "request_changes": N_("Changes can only be requested while it is in review"),
    "approve": N_("It can only be approved while it is in review"),
    "publish": N_("Only an approved postmortem is published"),
    "waive": N_("Only a postmortem still being written or reviewed can be waived"),
}
LABELS = {
    "draft": N_("draft"),
    "in_review": N_("in review"),
    "approved": N_("approved"),
    "published": N_("published"),
    "waived": N_("waived"),
}


def next_state(state: str, action: str) -> str:
    """The state after `action`, or InvalidTransition saying why not."""
    try:
        return _MOVES[(state, action)]
    except KeyError:
        why = _WHY_NOT.get(action)
        reason = (
            Message(why)
            if why
            else Message(N_("'%(action)s' is not a review step"), {"action": action})
        )
        raise InvalidTransition(
            N_("%(reason)s; this one is %(state)s."),
            reason=reason,
            state=Message(LABELS[state]) if state in LABELS else state,
        ) from None


def approvals_needed(reviewers: tuple[str, ...], policy_approvals: int | None) -> int:
    """How many approvals make it approved: all named reviewers by default, at least one."""
    if policy_approvals is None:
        return max(1, len(reviewers))
    return max(1, policy_approvals)


def approved_by(decisions: Iterable[Approval], reviewers: tuple[str, ...]) -> list[str]:
    """The named reviewers who approved in this round."""
    approved = {d.reviewer for d in decisions if d.decision == "approved"}
    return [r for r in reviewers if r in approved]


def waiting_on(pm: Postmortem, decisions: Iterable[Approval]) -> tuple[str, ...]:
    """Who must act next: the author while it is a draft, reviewers who haven't decided."""
    if pm.status == "draft":
        return (pm.author,)
    if pm.status == "in_review":
        decided = {d.reviewer for d in decisions}
        return tuple(r for r in pm.reviewers if r not in decided)
    return ()
