"""The authority table: every action against every kind of person."""

from __future__ import annotations

import pytest

from bot.domain.authority import TABLE, Action, Role, may, require, roles_of
from bot.domain.errors import NotAllowed

PEOPLE = {
    # who: facts of an incident declared by UD, commanded by UC, written by UA, reviewed by UR
    "stranger": roles_of("UX"),
    "member": roles_of("UM", member=True),
    "author": roles_of("UA", author="UA", member=True),
    "reviewer": roles_of("UR", reviewers=("UR",), member=True),
    "commander": roles_of("UC", commander="UC", declarer="UD", member=True),
    "declarer": roles_of("UD", commander="UC", declarer="UD", member=True),
}
EXPECTED = {
    Action.CLOSE: {"commander", "declarer"},
    Action.HAND_OVER: {"commander", "declarer"},
    Action.NOTE: {"member", "author", "reviewer", "commander", "declarer"},
    Action.CAPTURE: {"member", "author", "reviewer", "commander", "declarer"},
    Action.CHANGE_ENTRY: {"commander"},  # and the entry's own author (below)
    Action.FINISH_ITEM: {"member", "author", "reviewer", "commander", "declarer"},  # and owner
    Action.WRITE_ANYWAY: {"member", "author", "reviewer", "commander", "declarer"},
    Action.SET_AUTHOR: {"author", "commander"},
    Action.SET_REVIEWERS: {"author", "commander"},
    Action.READY: {"author", "commander"},
    Action.WAIVE: {"author", "commander"},
    Action.APPROVE: {"reviewer"},
    Action.REQUEST_CHANGES: {"reviewer"},
    Action.EDIT: {"member", "author", "reviewer", "commander", "declarer"},
    Action.AMEND: {"author", "commander"},
    Action.READ: set(PEOPLE),
    Action.RETRY: {"member", "author", "reviewer", "commander", "declarer"},
}


def test_every_action_has_a_rule_and_an_expectation():
    assert set(TABLE) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_table_answers_every_person_for_every_action(action, who):
    decision = may(PEOPLE[who], action)
    assert decision.allowed == (who in EXPECTED[action])
    assert decision.allowed or decision.refusal


def test_an_action_item_is_marked_done_by_its_owner_even_outside_the_channel():
    assert may(roles_of("UO", owner="UO"), Action.FINISH_ITEM)
    assert may(roles_of("UO", owner="UO", private=True), Action.FINISH_ITEM)
    assert not may(roles_of("UO", owner="UP"), Action.FINISH_ITEM)
    assert not may(roles_of("UO", owner="UO"), Action.NOTE)  # only their own item


def test_an_entry_is_changed_by_its_own_author():
    assert may(roles_of("UE", entry_author="UE", member=True), Action.CHANGE_ENTRY)
    assert not may(roles_of("UE", entry_author="UF", member=True), Action.CHANGE_ENTRY)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REQUEST_CHANGES])
def test_the_author_never_reviews_even_when_listed_as_a_reviewer(action):
    both = roles_of("UA", author="UA", reviewers=("UA",), member=True)
    assert not may(both, action)
    with pytest.raises(NotAllowed):
        require(both, action)


def test_roles_come_only_from_the_facts():
    assert roles_of("U1") == {Role.ANYONE}
    assert Role.COMMANDER not in roles_of("U1", commander="U2", declarer="U1")


# ---- a private incident: nobody beyond its people holds "anyone" ----------------------------

PRIVATE = {
    # the same facts as PEOPLE, of a private incident
    "stranger": roles_of("UX", private=True),
    "member": roles_of("UM", member=True, private=True),
    "author": roles_of("UA", author="UA", member=True, private=True),
    "reviewer": roles_of("UR", reviewers=("UR",), member=True, private=True),
    "commander": roles_of("UC", commander="UC", declarer="UD", member=True, private=True),
    "declarer": roles_of("UD", commander="UC", declarer="UD", member=True, private=True),
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(PRIVATE))
def test_a_private_incident_refuses_a_stranger_everything_and_its_people_nothing_new(
    action, who
):
    decision = may(PRIVATE[who], action)
    if who == "stranger":
        assert not decision and decision.refusal
    else:
        assert decision.allowed == may(PEOPLE[who], action).allowed


def test_anyone_means_the_incidents_people_when_it_is_private():
    assert Role.ANYONE not in roles_of("UX", private=True)
    assert Role.ANYONE in roles_of("UX")
    assert Role.ANYONE in roles_of("UM", member=True, private=True)
    assert not may(roles_of("UX", private=True), Action.READ)
    # a named reviewer (or author) outside the channel still reads it: the DMs go to them
    assert may(roles_of("UR", reviewers=("UR",), private=True), Action.READ)
    assert may(roles_of("UA", author="UA", private=True), Action.READ)
    with pytest.raises(NotAllowed, match="private"):
        require(roles_of("UX", private=True), Action.READ)
