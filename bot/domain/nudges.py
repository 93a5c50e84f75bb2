"""What each kind of nudge is about, which ones Snooze can put off, and what makes two
escalations the same one.

A reminder row's ``subject_id`` means nothing without its subject's type: postmortem 7 and
action item 7 are unrelated. The type follows from the nudge's kind, is stored beside the id,
and every query by subject names it.
"""

from __future__ import annotations

from collections.abc import Iterable

POSTMORTEM = "postmortem"
ACTION_ITEM = "action_item"
WORKSPACE = "workspace"  # the digest is about every postmortem at once (subject id 0)

SUBJECTS = {
    "author": POSTMORTEM,
    "reviewer": POSTMORTEM,
    "escalation": POSTMORTEM,
    "retro": POSTMORTEM,
    "action": ACTION_ITEM,
    "digest": WORKSPACE,
}

# Snooze puts off the next reminder of the same series. An escalation has no series (one per
# postmortem and round, see `escalation_occasion`) and goes to the commander or a channel, not
# to the person it waits on; the digest is the whole team's weekly list, not one reader's.
SNOOZABLE = frozenset({"author", "reviewer", "retro", "action"})

# The nudges whose silence escalates, and the stage of the postmortem each belongs to.
STALLS = {"author": "draft", "reviewer": "in_review"}


def subject_of(kind: str) -> str:
    """The type of thing a nudge of this kind is about."""
    try:
        return SUBJECTS[kind]
    except KeyError:
        raise ValueError(f"unknown nudge kind {kind!r}") from None


def subject_of_all(kinds: Iterable[str]) -> str:
    """The one subject type shared by these kinds; mixing types is a programming error."""
    found = {subject_of(kind) for kind in kinds}
    if len(found) != 1:
        raise ValueError(f"nudge kinds about different things (or none): {sorted(found)}")
    return found.pop()


def escalation_occasion(stalled: str, review_round: int) -> str:
    """What one escalation stands for: the stage that stalled (writing or review) and its round.

    Two reviewers silent in the same round are one stalled review, so one escalation; the
    database keeps this key unique per postmortem, so two processes can't double it either.
    """
    if stalled not in STALLS:
        raise ValueError(f"a {stalled!r} nudge does not escalate")
    return f"{stalled}:{review_round}"


def stalled_now(status: str, review_round: int) -> str | None:
    """The occasion an escalation of a postmortem in this state would stand for, if any."""
    for stalled, stage in STALLS.items():
        if status == stage:
            return escalation_occasion(stalled, review_round)
    return None
