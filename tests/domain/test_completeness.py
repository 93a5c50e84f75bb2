"""The one rule of what must be written before review (bot/domain/completeness.py), and the
state machine asking it."""

from __future__ import annotations

import pytest

from bot.domain.authority import roles_of
from bot.domain.completeness import (
    DEFAULT_REQUIRED,
    HINTS,
    REQUIRABLE,
    emptied,
    has_text,
    missing,
    not_written,
    written,
)
from bot.domain.errors import BadCommand
from bot.domain.postmortem_states import Event, Review, step

SUMMARY_HINT = HINTS["summary"]
ALL = {"summary": "S.", "impact": "I.", "root_cause": "R.", "no_action_items": "Done already."}


def test_default_requires_summary_impact_root_cause_and_action_items():
    assert DEFAULT_REQUIRED == ("summary", "impact", "root_cause", "action_items")
    assert "no_action_items" not in REQUIRABLE and "action_items" in REQUIRABLE


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   \n\t ",
        "\u3000",  # an IME's full-width space
        SUMMARY_HINT,
        f"_{SUMMARY_HINT}_",  # the hint as the draft shows it, copied
        f"  *{SUMMARY_HINT.upper()}*\n",
        HINTS["impact"].replace(" ", "\n  "),  # rewrapped
        "> " + HINTS["lucky"],
    ],
)
def test_blank_or_only_a_hint_is_not_written(text):
    assert not written(text)


def test_a_hint_in_another_language_counts_as_unwritten_when_given():
    ja = "何が起きたかを、他チームの人にも分かるように2〜3文で。"
    assert written(ja)
    assert not written(f"_{ja}_", placeholders={ja})


@pytest.mark.parametrize("text", ["x", "See the runbook.", f"{SUMMARY_HINT} The writer moved."])
def test_any_text_of_ones_own_is_written(text):
    assert written(text)


def test_missing_lists_the_required_in_the_documents_order():
    assert missing({}, action_items=0, required=DEFAULT_REQUIRED) == DEFAULT_REQUIRED
    required = ("action_items", "summary", "lucky")
    assert missing({}, action_items=0, required=required) == ("summary", "lucky", "action_items")
    assert missing({"summary": "S."}, action_items=0, required=DEFAULT_REQUIRED) == (
        "impact",
        "root_cause",
        "action_items",
    )
    assert missing({}, action_items=0, required=()) == ()


def test_action_items_are_met_by_an_item_or_a_reason():
    done = {k: v for k, v in ALL.items() if k != "no_action_items"}
    assert missing(done, action_items=0, required=DEFAULT_REQUIRED) == ("action_items",)
    assert missing(done, action_items=1, required=DEFAULT_REQUIRED) == ()
    assert missing(ALL, action_items=0, required=DEFAULT_REQUIRED) == ()
    blank_reason = {**done, "no_action_items": "  "}
    assert missing(blank_reason, action_items=0, required=DEFAULT_REQUIRED) == ("action_items",)
    # Free text under Action items is not a reason none is needed.
    assert missing({**done, "action_items": "- fix it"}, action_items=0, required=["action_items"])


def test_emptied_names_only_what_the_edit_newly_leaves_unwritten():
    required = DEFAULT_REQUIRED
    assert emptied(ALL, {**ALL, "summary": " "}, action_items=0, required=required) == ("summary",)
    assert emptied(ALL, {**ALL, "lucky": ""}, action_items=0, required=required) == ()
    gone = {**ALL, "no_action_items": ""}
    assert emptied(ALL, gone, action_items=0, required=required) == ("action_items",)
    assert emptied(ALL, gone, action_items=2, required=required) == ()
    partial = {"summary": "S."}  # already missing before: not this edit's doing
    assert emptied(partial, {**partial, "impact": ""}, action_items=0, required=required) == ()


def test_has_text():
    assert not has_text({})
    assert not has_text({"summary": " ", "lucky": f"_{HINTS['lucky']}_"})
    assert has_text({"lucky": "A quiet hour."})
    assert has_text({"no_action_items": "Nothing to do."})


def test_the_refusal_lists_each_by_its_heading_with_the_command_that_writes_it():
    said = str(not_written(("summary", "root_cause", "action_items")).message)
    assert said.splitlines() == [
        "It can't go to review yet: these must be written first.",
        "• *Summary*: write it with `/incident postmortem edit summary`",
        "• *Root cause*: write it with `/incident postmortem edit root-cause`",
        "• *Action items*: add one with `/incident action add <text>`, or say why none is "
        "needed with `/incident postmortem edit action-items`",
    ]


# ---- the state machine asks the rule -------------------------------------------------------

AUTHOR = "UA"


def _review(status: str, missing: tuple[str, ...] = ()) -> Review:
    return Review(status=status, author=AUTHOR, reviewers=("R1",), missing=missing)


def _roles(review: Review):
    return roles_of(
        AUTHOR, commander="UC", declarer="UC", author=AUTHOR, reviewers=review.reviewers
    )


def test_ready_is_refused_while_something_is_missing_and_goes_ahead_without():
    r = _review("draft", missing=("impact", "action_items"))
    with pytest.raises(BadCommand) as refused:
        step(r, Event.READY, _roles(r), actor=AUTHOR)
    assert "*Impact*" in str(refused.value) and "*Action items*" in str(refused.value)
    ready = _review("draft")
    assert step(ready, Event.READY, _roles(ready), actor=AUTHOR).review.status == "in_review"


def test_reviewers_are_asked_for_before_the_sections():
    r = Review(status="draft", author=AUTHOR, reviewers=(), missing=("summary",))
    with pytest.raises(BadCommand, match="Name the reviewers first"):
        step(r, Event.READY, _roles(r), actor=AUTHOR)


@pytest.mark.parametrize("status", ["in_review", "approved", "published"])
def test_an_edit_emptying_a_required_section_is_refused_after_the_draft(status):
    r = _review(status)
    with pytest.raises(BadCommand, match="Summary can't be left empty"):
        step(r, Event.EDIT, _roles(r), actor=AUTHOR, emptied=("summary",))
    assert step(r, Event.EDIT, _roles(r), actor=AUTHOR)  # another edit goes ahead


def test_a_draft_may_be_emptied():
    r = _review("draft")
    assert step(r, Event.EDIT, _roles(r), actor=AUTHOR, emptied=("summary",)).review == r
