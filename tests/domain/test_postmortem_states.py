"""The postmortem's state machine: every (state, event) pair, and random runs of it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.authority import Action, roles_of
from bot.domain.errors import BadCommand, FurikaeriError, InvalidTransition, NotAllowed
from bot.domain.postmortem_states import (
    FINAL,
    STATES,
    TABLE,
    Event,
    Review,
    pending,
    step,
)

AUTHOR, COMMANDER = "UA", "UC"


def roles(review: Review, user: str, member: bool = True):
    return roles_of(
        user,
        commander=COMMANDER,
        declarer=COMMANDER,
        author=review.author,
        reviewers=review.reviewers,
        member=member,
    )


def review(status: str, reviewers=("R1", "R2"), approvals=(), policy=None) -> Review:
    return Review(
        status=status,
        author=AUTHOR,
        reviewers=reviewers,
        approvals=frozenset(approvals),
        decided=frozenset(approvals),
        policy_approvals=policy,
    )


# The one pure function against the whole table: a move not in the table is refused in every
# state, whoever asks; a move in it is refused to people the authority table doesn't allow.
@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("event", list(Event))
def test_every_state_and_event(status, event):
    r = review(status)
    actor = {Event.APPROVE: "R1", Event.REQUEST_CHANGES: "R1"}.get(event, AUTHOR)
    if event is Event.PUBLISH:
        actor = "UBOT"
    args = {"reviewers": ("R1", "R3")} if event is Event.SET_REVIEWERS else {}
    if (status, event) not in TABLE:
        with pytest.raises(InvalidTransition):
            step(r, event, roles(r, actor), actor=actor, **args)
        return
    result = step(r, event, roles(r, actor), actor=actor, **args)
    assert result.review.status in STATES
    action = TABLE[(status, event)][1]
    if action is Action.READ:  # anyone reads (and gives feedback on) a published one
        step(r, event, roles(r, "UX", member=False), actor="UX", **args)
    elif action is not None:
        with pytest.raises(NotAllowed):
            step(r, event, roles(r, "UX", member=False), actor="UX", **args)


def test_the_last_approval_approves_and_says_so():
    r = review("in_review", approvals=("R1",))
    done = step(r, Event.APPROVE, roles(r, "R2"), actor="R2")
    assert (done.review.status, done.approved_now) == ("approved", True)
    early = step(review("in_review"), Event.APPROVE, roles(r, "R2"), actor="R2")
    assert (early.review.status, early.approved_now) == ("in_review", False)


def test_removing_the_only_reviewer_who_had_not_approved_approves_it():
    r = review("in_review", approvals=("R1",))
    done = step(r, Event.SET_REVIEWERS, roles(r, AUTHOR), actor=AUTHOR, reviewers=("R1",))
    assert (done.review.status, done.approved_now) == ("approved", True)


def test_reviewers_in_review_never_drop_below_what_the_policy_needs():
    r = review("in_review", policy=2)
    with pytest.raises(BadCommand):
        step(r, Event.SET_REVIEWERS, roles(r, AUTHOR), actor=AUTHOR, reviewers=("R1",))
    with pytest.raises(BadCommand):
        step(r, Event.SET_REVIEWERS, roles(r, AUTHOR), actor=AUTHOR, reviewers=())


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_every_path_to_self_review_is_refused(status):
    r = review(status)
    with pytest.raises(BadCommand):
        step(r, Event.SET_REVIEWERS, roles(r, AUTHOR), actor=AUTHOR, reviewers=(AUTHOR, "R1"))
    with pytest.raises(BadCommand):
        step(r, Event.SET_AUTHOR, roles(r, COMMANDER), actor=COMMANDER, author="R1")
    listed = Review(status="in_review", author=AUTHOR, reviewers=(AUTHOR, "R1"))
    with pytest.raises(NotAllowed):
        step(listed, Event.APPROVE, roles(listed, AUTHOR), actor=AUTHOR)


def test_editing_an_approved_text_sends_it_back_to_a_new_round():
    r = review("approved", approvals=("R1", "R2"))
    back = step(r, Event.EDIT, roles(r, AUTHOR), actor=AUTHOR)
    assert back.back_to_review and back.new_round
    assert (back.review.status, back.review.approvals, back.review.round) == (
        "in_review",
        frozenset(),
        1,
    )
    with pytest.raises(NotAllowed):
        step(r, Event.EDIT, roles(r, "R1"), actor="R1")  # a reviewer can't edit approved text


def test_an_edit_in_review_after_an_approval_starts_a_new_round():
    # R1 approved the text it saw; a member then rewrites it: R1 must look again.
    r = review("in_review", approvals=("R1",))
    edited = step(r, Event.EDIT, roles(r, "UM"), actor="UM")
    assert edited.back_to_review and edited.new_round
    assert (edited.review.status, edited.review.approvals) == ("in_review", frozenset())
    untouched = review("in_review")  # nobody approved yet: editing changes nothing of review
    assert not step(untouched, Event.EDIT, roles(untouched, "UM"), actor="UM").new_round


def test_a_published_postmortem_is_amended_only_by_its_author_or_the_commander():
    r = review("published")
    for who in (AUTHOR, COMMANDER):
        amended = step(r, Event.EDIT, roles(r, who), actor=who)
        assert (amended.review.status, amended.amendment) == ("published", True)
    for who in ("R1", "UM"):
        with pytest.raises(NotAllowed):
            step(r, Event.EDIT, roles(r, who), actor=who)


# ---- random interleavings --------------------------------------------------------------------

PEOPLE = (AUTHOR, COMMANDER, "R1", "R2", "R3", "UM", "UX")
moves = st.tuples(
    st.sampled_from(list(Event)),
    st.sampled_from(PEOPLE),
    st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True).map(tuple),
    st.sampled_from(PEOPLE),
)


def check_invariants(r: Review) -> None:
    assert r.status in STATES
    assert r.author not in r.reviewers
    assert r.approvals <= r.decided <= set(r.reviewers) | r.decided
    assert r.approvals <= set(r.reviewers) or r.status != "in_review"
    if r.status == "in_review":
        assert len(r.approvals) < r.needed <= len(r.reviewers)
    # never stuck: a pending step or a final state
    assert pending(r) is not None or r.status in FINAL


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([None, 1, 2]),
    st.lists(st.sampled_from(("R1", "R2", "R3")), max_size=3, unique=True).map(tuple),
    st.lists(moves, max_size=30),
)
def test_random_runs_never_reach_a_forbidden_or_stuck_state(policy, reviewers, run):
    r = Review(status="draft", author=AUTHOR, reviewers=reviewers, policy_approvals=policy)
    for event, actor, new_reviewers, new_author in run:
        if event is Event.PUBLISH:
            actor = "UBOT"
        try:
            result = step(
                r,
                event,
                roles(r, actor, member=actor != "UX"),
                actor=actor,
                reviewers=new_reviewers,
                author=new_author,
            )
        except FurikaeriError:
            continue  # refused: nothing changed
        if result.approved_now:
            assert result.review.status == "approved"
        r = result.review
        check_invariants(r)
