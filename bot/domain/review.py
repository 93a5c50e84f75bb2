"""A postmortem's review as the services read it: who it waits on, who approved.

The states and the moves between them live in bot/domain/postmortem_states.py (the one state
machine); who may make each move lives in bot/domain/authority.py (the one authority table).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.model import Approval, Postmortem
from bot.domain.postmortem_states import LABELS, STATES, Review, approvals_needed

__all__ = ["LABELS", "STATES", "approvals_needed", "approved_by", "review_of", "waiting_on"]


def review_of(
    pm: Postmortem,
    decisions: Iterable[Approval],
    policy_approvals: int | None,
    missing: tuple[str, ...] = (),
) -> Review:
    """The state machine's view of a stored postmortem and this round's decisions (and, for
    a review request, the required sections still unwritten)."""
    decisions = [
        d for d in decisions if d.round == pm.review_round and d.reviewer in pm.reviewers
    ]
    return Review(
        status=pm.status,
        author=pm.author,
        reviewers=pm.reviewers,
        approvals=frozenset(d.reviewer for d in decisions if d.decision == "approved"),
        decided=frozenset(d.reviewer for d in decisions),
        policy_approvals=policy_approvals,
        round=pm.review_round,
        missing=missing,
    )


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
