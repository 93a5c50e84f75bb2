"""The postmortem's state machine: one table of moves and one pure function that applies them.

draft → in_review → approved → published; a request for changes returns it to draft; waived
records a team decision not to write one. `step(review, event, roles)` is the only place a
postmortem changes state: services load the row under a lock, call it, and write its result.

Invariants `step` keeps (tests/domain/test_postmortem_states.py checks them on random runs):
the author is never a reviewer; approvals count only named reviewers of the current round; a
postmortem in review has fewer approvals than it needs and someone who hasn't decided; every
postmortem has a pending step (the author writes, a reviewer decides, the publication goes out)
unless it is published or waived.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.authority import Action, Role, require
from bot.domain.completeness import must_stay_written, not_written
from bot.domain.errors import BadCommand, InvalidTransition
from bot.domain.messages import N_, Message

STATES = ("draft", "in_review", "approved", "published", "waived")
FINAL = frozenset({"published", "waived"})
LABELS = {
    "draft": N_("draft"),
    "in_review": N_("in review"),
    "approved": N_("approved"),
    "published": N_("published"),
    "waived": N_("waived"),
}


class Event(StrEnum):
    READY = "ready"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    PUBLISH = "publish"
    WAIVE = "waive"
    EDIT = "edit"
    SET_REVIEWERS = "set_reviewers"
    SET_AUTHOR = "set_author"
    FEEDBACK = "feedback"  # Helpful, or a comment from a reader


COUNT = "in_review|approved"  # the target when approvals are counted: approved once enough

# (state, event) → (target, the authority action). Anything not here is refused.
TABLE: dict[tuple[str, Event], tuple[str, Action | None]] = {
    ("draft", Event.READY): ("in_review", Action.READY),
    ("in_review", Event.APPROVE): (COUNT, Action.APPROVE),
    ("in_review", Event.REQUEST_CHANGES): ("draft", Action.REQUEST_CHANGES),
    ("approved", Event.PUBLISH): ("published", None),  # the bot itself, after approval
    ("draft", Event.WAIVE): ("waived", Action.WAIVE),
    ("in_review", Event.WAIVE): ("waived", Action.WAIVE),
    ("draft", Event.EDIT): ("draft", Action.EDIT),
    ("in_review", Event.EDIT): ("in_review", Action.EDIT),
    ("approved", Event.EDIT): ("in_review", Action.AMEND),  # a new round of review
    ("published", Event.EDIT): ("published", Action.AMEND),  # an amendment, shown as such
    ("draft", Event.SET_REVIEWERS): ("draft", Action.SET_REVIEWERS),
    ("in_review", Event.SET_REVIEWERS): (COUNT, Action.SET_REVIEWERS),
    ("draft", Event.SET_AUTHOR): ("draft", Action.SET_AUTHOR),
    ("in_review", Event.SET_AUTHOR): ("in_review", Action.SET_AUTHOR),
    ("published", Event.FEEDBACK): ("published", Action.READ),
}
_WHY_NOT = {
    Event.READY: N_("Only a draft can be sent for review"),
    Event.REQUEST_CHANGES: N_("Changes can only be requested while it is in review"),
    Event.APPROVE: N_("It can only be approved while it is in review"),
    Event.PUBLISH: N_("Only an approved postmortem is published"),
    Event.WAIVE: N_("Only a postmortem still being written or reviewed can be waived"),
    Event.EDIT: N_("A waived postmortem can't be edited"),
    Event.SET_REVIEWERS: N_("Its reviewers can only change while it is written or reviewed"),
    Event.SET_AUTHOR: N_("Its author can only change while it is written or reviewed"),
    Event.FEEDBACK: N_("Feedback opens once the postmortem is published"),
}
SELF_REVIEW = N_("The author can't review their own postmortem; name someone else.")


@dataclass(frozen=True)
class Review:
    """What the machine needs of a postmortem: state, people, this round's approvals."""

    status: str
    author: str
    reviewers: tuple[str, ...]
    approvals: frozenset[str] = frozenset()  # who approved in this round
    decided: frozenset[str] = frozenset()  # who approved or asked for changes in this round
    policy_approvals: int | None = None  # the policy's review.approvals (None: all reviewers)
    round: int = 0
    missing: tuple[str, ...] = ()  # required sections not written (bot/domain/completeness.py)

    @property
    def needed(self) -> int:
        return approvals_needed(self.reviewers, self.policy_approvals)


@dataclass(frozen=True)
class Step:
    """The result of a move: the new review, and what follows from it."""

    review: Review
    approved_now: bool = False  # enough approvals: publish it
    new_round: bool = False  # review asked again: this round's approvals start empty
    amendment: bool = False  # a change to a published postmortem
    back_to_review: bool = False  # an approved text changed: its reviewers must look again


def approvals_needed(reviewers: tuple[str, ...], policy_approvals: int | None) -> int:
    """How many approvals make it approved: all named reviewers by default, at least one."""
    if policy_approvals is None:
        return max(1, len(reviewers))
    return max(1, policy_approvals)


def first_reviewers(
    author: str, chosen: tuple[str, ...], defaults: tuple[str, ...]
) -> tuple[str, ...]:
    """The reviewers a new draft starts with: the ones chosen (never its author: refused), else
    the policy's defaults without its author (dropped: the author reviews nothing of their own)."""
    if author in chosen:
        raise BadCommand(SELF_REVIEW)
    return tuple(dict.fromkeys(chosen or tuple(r for r in defaults if r != author)))


def step(
    review: Review,
    event: Event,
    roles: frozenset[Role],
    *,
    actor: str,
    reviewers: tuple[str, ...] | None = None,
    author: str | None = None,
    emptied: tuple[str, ...] = (),
) -> Step:
    """Apply `event` by someone holding `roles`: the next Step, or a typed refusal. An EDIT
    names the required sections it would leave unwritten (`emptied`): refused once the
    postmortem has left the draft, since its reviewers (or readers) have that text."""
    try:
        target, action = TABLE[(review.status, event)]
    except KeyError:
        raise refusal(review.status, event) from None
    if action is not None:
        require(roles, action)
    if event is Event.READY:
        return _ready(review)
    if event in (Event.APPROVE, Event.REQUEST_CHANGES):
        return _decide(review, event, actor)
    if event is Event.SET_REVIEWERS:
        return _set_reviewers(review, tuple(reviewers or ()))
    if event is Event.SET_AUTHOR:
        return _set_author(review, author or actor)
    if event is Event.EDIT and emptied and review.status != "draft":
        raise must_stay_written(emptied[0], Message(LABELS[review.status]))
    if event is Event.EDIT and (review.status == "approved" or review.approvals):
        # Text someone approved changed: approvals count only for the text they saw.
        return Step(_new_round(review, "in_review"), new_round=True, back_to_review=True)
    return Step(replace(review, status=target), amendment=review.status == "published")


def refusal(status: str, event: Event) -> InvalidTransition:
    return InvalidTransition(
        N_("%(reason)s; this one is %(state)s."),
        reason=Message(_WHY_NOT[event]),
        state=Message(LABELS[status]) if status in LABELS else status,
    )


def _ready(review: Review) -> Step:
    if not review.reviewers:
        raise BadCommand(N_("Name the reviewers first: `/incident postmortem reviewers @a @b`."))
    if review.needed > len(review.reviewers):
        raise BadCommand(
            N_("The policy asks for %(needed)s approvals; name at least %(needed)s reviewers."),
            needed=review.needed,
        )
    if review.missing:
        raise not_written(review.missing)
    return Step(_new_round(review, "in_review"), new_round=True)


def _decide(review: Review, event: Event, actor: str) -> Step:
    if event is Event.REQUEST_CHANGES:
        return Step(replace(review, status="draft", decided=review.decided | {actor}))
    counted = replace(
        review, approvals=review.approvals | {actor}, decided=review.decided | {actor}
    )
    return _count(counted)


def _set_reviewers(review: Review, reviewers: tuple[str, ...]) -> Step:
    if review.author in reviewers:
        raise BadCommand(SELF_REVIEW)
    keep = frozenset(reviewers)
    changed = replace(
        review,
        reviewers=reviewers,
        approvals=review.approvals & keep,
        decided=review.decided & keep,
    )
    if review.status != "in_review":
        return Step(changed)
    if not reviewers or changed.needed > len(reviewers):
        raise BadCommand(
            N_(
                "It is in review and needs %(needed)s approval(s); keep at least %(needed)s "
                "reviewer(s)."
            ),
            needed=max(1, changed.needed),
        )
    return _count(changed)


def _set_author(review: Review, author: str) -> Step:
    if author in review.reviewers:
        raise BadCommand(
            N_(
                "<@%(user)s> reviews this postmortem, and an author can't review their own; "
                "change the reviewers first."
            ),
            user=author,
        )
    return Step(replace(review, author=author))


def _count(review: Review) -> Step:
    """Approved once enough named reviewers approved in this round."""
    if len(review.approvals & set(review.reviewers)) >= review.needed:
        return Step(replace(review, status="approved"), approved_now=True)
    return Step(replace(review, status="in_review"))


def _new_round(review: Review, status: str) -> Review:
    return replace(
        review, status=status, approvals=frozenset(), decided=frozenset(), round=review.round + 1
    )


def pending(review: Review) -> str | None:
    """The step the postmortem waits for ("write", "review", "publish"), None when final."""
    if review.status == "draft":
        return "write"
    if review.status == "in_review":
        undecided = [r for r in review.reviewers if r not in review.decided]
        return "review" if undecided else None
    if review.status == "approved":
        return "publish"
    return None
