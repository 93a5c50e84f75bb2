"""What a nudge is about, and what makes two escalations one (bot/domain/nudges.py)."""

from __future__ import annotations

import pytest

from bot.domain import nudges


def test_every_kind_names_its_subjects_type():
    assert nudges.subject_of("action") == nudges.ACTION_ITEM
    assert nudges.subject_of("digest") == nudges.WORKSPACE
    for kind in ("author", "reviewer", "escalation", "retro"):
        assert nudges.subject_of(kind) == nudges.POSTMORTEM
    with pytest.raises(ValueError, match="unknown"):
        nudges.subject_of("publication")


def test_kinds_about_different_things_cannot_be_asked_for_together():
    assert nudges.subject_of_all(["author", "escalation"]) == nudges.POSTMORTEM
    with pytest.raises(ValueError):
        nudges.subject_of_all(["author", "action"])
    with pytest.raises(ValueError):
        nudges.subject_of_all([])


def test_an_escalation_stands_for_one_stalled_stage_and_round():
    assert nudges.escalation_occasion("reviewer", 2) == "reviewer:2"
    assert nudges.stalled_now("in_review", 2) == "reviewer:2"
    assert nudges.stalled_now("draft", 1) == "author:1"  # writing again after changes requested
    assert nudges.stalled_now("approved", 2) is None
    with pytest.raises(ValueError):
        nudges.escalation_occasion("retro", 1)


def test_only_nudges_with_a_next_one_can_be_snoozed():
    assert {"author", "reviewer", "retro", "action"} == nudges.SNOOZABLE
    assert set(nudges.SUBJECTS) >= nudges.SNOOZABLE
