"""The review subcommands: postmortem (show, author, reviewers, ready, waive) and retro held."""

import dataclasses

import pytest

from bot.domain.command_help import HELP_LINES
from bot.domain.commands import Close, Command, Help, parse
from bot.domain.errors import BadCommand
from bot.domain.postmortem_commands import (
    PostmortemAuthor,
    PostmortemReady,
    PostmortemReviewers,
    PostmortemShow,
    PostmortemWaive,
    RetroHeld,
)


def bad(text: str) -> str:
    with pytest.raises(BadCommand) as info:
        parse(text)
    return str(info.value)


# Free text that a tokenizer would mangle: kept exactly, only the outer whitespace goes.
EXACT = [
    "Duplicate of INC-6",
    "INC-5 と同じ原因のため、ポストモーテムは INC-5 にまとめる",
    "決済\u3000障害  は  二重スペース",
    "He said \"it's fine\" and it wasn't",
    "unbalanced \" quote and ' another",
    "“smart quotes” and ‘single’ ones",
    "*bold* _italic_ ~strike~ `code` ```block``` > quote",
    "{{ x }} and {% if y %}z{% endif %}",
    "<https://example.com/doc|the doc> and <@U1|alice> and <#C1|general>",
    "&amp; &lt; &gt; < > &",
    "--sev 2 --at 10:42 -- —reviewers",
    "10:42 is not a time here",
    "#3 edit 3 move 3",
    "line one\nline two\n\n- a list item",
    "🔥 emoji 👍",
    "a\tb",
]


# ---- postmortem (show) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["postmortem", "POSTMORTEM", "  Postmortem  \n", "postmortem\u3000"]
)
def test_postmortem_alone_shows_it(text: str) -> None:
    assert parse(text) == PostmortemShow()


@pytest.mark.parametrize("text", ["postmortems", "post-mortem", "pm", "retros"])
def test_near_misses_are_unknown_subcommands(text: str) -> None:
    assert parse(text) == Help(unknown=text)


# ---- postmortem author ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("postmortem author <@U1>", "U1"),
        ("postmortem author <@U123ABC|alice>", "U123ABC"),
        ("postmortem author <@W2|Ann Lee>", "W2"),  # a label with a space is one word
        ("postmortem author <@U1|Lee, Ann>", "U1"),  # and a comma in it is not a separator
        ("Postmortem AUTHOR <@U1|alice>", "U1"),
        ("postmortem   author\t<@U1>  ", "U1"),
        ("postmortem\u3000author\u3000<@U1>", "U1"),
        ("postmortem author <@U1>,", "U1"),
        ('postmortem author "<@U1|alice>"', "U1"),
        ("postmortem author <@U1> <@U1|alice>", "U1"),  # the same person twice is one
    ],
)
def test_postmortem_author(text: str, user: str) -> None:
    assert parse(text) == PostmortemAuthor(user=user)


@pytest.mark.parametrize(
    "text", ["postmortem author", "postmortem author   ", "postmortem author ,"]
)
def test_postmortem_author_missing(text: str) -> None:
    message = bad(text)
    assert message.startswith("Who writes the postmortem?")
    assert "/incident postmortem author @alice" in message


def test_postmortem_author_typed_by_hand_gets_the_reviewers_advice() -> None:
    message = bad("postmortem author @alice")
    reviewers = bad("close --reviewers @alice")
    advice = "When you type @, pick the person from Slack's autocomplete list"
    assert message.startswith("I can't tell who '@alice' is.")
    assert reviewers.startswith("I can't tell who '@alice' is.")
    assert advice in message and advice in reviewers
    assert message.endswith("e.g. /incident postmortem author @alice.")


@pytest.mark.parametrize("word", ["alice", "<#C1|general>", "<!here>", "U123"])
def test_postmortem_author_must_be_a_person(word: str) -> None:
    message = bad(f"postmortem author {word}")
    assert message.startswith("The author is a person, e.g. /incident postmortem author @alice")
    assert repr(word) in message


@pytest.mark.parametrize("text", ["postmortem author <@U1> <@U2>", "postmortem author <@U1>,<@U2>"])
def test_postmortem_author_is_one_person(text: str) -> None:
    message = bad(text)
    assert message.startswith("One author, please")
    assert "/incident postmortem author @alice" in message


def test_postmortem_author_unclosed_quote() -> None:
    assert "never closed" in bad('postmortem author "<@U1>')


# ---- postmortem reviewers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "users"),
    [
        ("postmortem reviewers <@U1>", ("U1",)),
        ("postmortem reviewers <@U1|alice> <@U2|bob>", ("U1", "U2")),
        ("postmortem reviewers <@U2> <@U1>", ("U2", "U1")),  # order kept
        ("postmortem reviewers <@U1> <@U2> <@U1|alice> <@U3>", ("U1", "U2", "U3")),
        ("postmortem reviewers <@U1>,<@U2>", ("U1", "U2")),
        ("postmortem reviewers <@U1>, <@U2> ,<@U3>", ("U1", "U2", "U3")),
        ("postmortem reviewers <@U1|Lee, Ann>,<@W2|Bo Kim>", ("U1", "W2")),
        ("PostMortem Reviewers <@U1>", ("U1",)),
        ("postmortem reviewers\n<@U1>\n<@U2>", ("U1", "U2")),
        ("postmortem reviewers '<@U1>' “<@U2>”", ("U1", "U2")),
    ],
)
def test_postmortem_reviewers(text: str, users: tuple[str, ...]) -> None:
    assert parse(text) == PostmortemReviewers(users=users)


@pytest.mark.parametrize(
    "text", ["postmortem reviewers", "postmortem reviewers  ", "postmortem reviewers , ,"]
)
def test_postmortem_reviewers_missing(text: str) -> None:
    message = bad(text)
    assert message.startswith("Who should review the postmortem?")
    assert "/incident postmortem reviewers @alice @bob" in message


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("postmortem reviewers @bob", "@bob"),
        ("postmortem reviewers <@U1> @bob", "@bob"),
        ("postmortem reviewers <@U1>,@bob", "@bob"),
    ],
)
def test_postmortem_reviewers_typed_by_hand(text: str, word: str) -> None:
    message = bad(text)
    assert message.startswith(f"I can't tell who {word!r} is. When you type @, pick the person")
    assert message.endswith("e.g. /incident postmortem reviewers @alice @bob.")


def test_postmortem_reviewers_must_be_people() -> None:
    message = bad("postmortem reviewers <@U1> and <@U2>")
    assert message.startswith(
        "Reviewers are people, e.g. /incident postmortem reviewers @alice @bob"
    )
    assert "'and'" in message


def test_close_reviewers_read_a_comma_inside_a_label_too() -> None:
    close = parse("close --reviewers <@U1|Lee, Ann>,<@U2>")
    assert isinstance(close, Close) and close.reviewers == ("U1", "U2")


# ---- postmortem ready ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["postmortem ready", "POSTMORTEM READY", " postmortem  Ready \n"])
def test_postmortem_ready(text: str) -> None:
    assert parse(text) == PostmortemReady()


def test_postmortem_ready_takes_nothing_more() -> None:
    message = bad("postmortem ready now please")
    assert message.startswith(
        "I didn't understand 'now please': postmortem ready takes nothing more."
    )
    assert "/incident postmortem ready" in message


# ---- postmortem waive ----------------------------------------------------------------------


@pytest.mark.parametrize("reason", EXACT)
def test_postmortem_waive_keeps_the_reason_exactly(reason: str) -> None:
    assert parse(f"postmortem waive {reason}") == PostmortemWaive(reason=reason)
    assert parse(f"  Postmortem  WAIVE \n {reason} \n\u3000") == PostmortemWaive(reason=reason)


def test_postmortem_waive_word_is_not_part_of_the_reason() -> None:
    assert parse("postmortem waive waive") == PostmortemWaive(reason="waive")
    assert parse("postmortem\u3000waive\u3000重複") == PostmortemWaive(reason="重複")


@pytest.mark.parametrize(
    "text",
    ["postmortem waive", "postmortem waive   ", "postmortem WAIVE \n\t", "postmortem waive\u3000"],
)
def test_postmortem_waive_needs_a_reason(text: str) -> None:
    assert bad(text) == (
        "A waiver needs a reason everyone can read later, "
        "e.g. /incident postmortem waive Duplicate of INC-6"
    )


# ---- postmortem <unknown> ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("postmortem show", "show"),
        ("postmortem Authors <@U1>", "Authors"),
        ("postmortem waiver Duplicate", "waiver"),
        ("postmortem <@U1>", "<@U1>"),
        ("postmortem 障害", "障害"),
        ("postmortem held", "held"),
    ],
)
def test_postmortem_unknown_word_lists_the_subcommands(text: str, word: str) -> None:
    message = bad(text)
    assert message.startswith(f"I don't know postmortem {word!r}.")
    assert "/incident postmortem " in message
    for form in ("author @alice", "reviewers @alice @bob", "ready", "waive <reason>"):
        assert form in message


def test_postmortem_unknown_word_is_shortened() -> None:
    message = bad("postmortem " + "x" * 500)
    assert len(message) < 300


# ---- retro held ----------------------------------------------------------------------------


@pytest.mark.parametrize("notes", EXACT)
def test_retro_held_keeps_the_notes_exactly(notes: str) -> None:
    assert parse(f"retro held {notes}") == RetroHeld(notes=notes)
    assert parse(f"RETRO Held\n{notes}\n ") == RetroHeld(notes=notes)


@pytest.mark.parametrize(
    "text", ["retro held", "retro HELD", "  Retro  held  \n", "retro\u3000held\u3000"]
)
def test_retro_held_without_notes(text: str) -> None:
    assert parse(text) == RetroHeld(notes="")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("retro", None),
        ("retro   ", None),
        ("retro done", "done"),
        ("retro hold the notes", "hold"),
        ("retro helded", "helded"),
        ("retro held-today", "held-today"),
        ("retro 10:42 held", "10:42"),
    ],
)
def test_retro_needs_held(text: str, word: str | None) -> None:
    message = bad(text)
    assert "/incident retro held [notes]" in message
    assert "e.g. /incident retro held " in message
    if word is None:
        assert "didn't understand" not in message
    else:
        assert message.startswith(f"I didn't understand {word!r}.")


# ---- help and the Command union -------------------------------------------------------------


@pytest.mark.parametrize("word", ["postmortem", "retro"])
def test_help_topics(word: str) -> None:
    assert parse(f"help {word}") == Help(topic=word)
    assert parse(f"help {word.upper()}") == Help(topic=word)


def test_help_lines_for_review_come_after_the_lifecycle_and_before_help() -> None:
    subcommands = [usage.split()[1] for usage, *_ in HELP_LINES]
    assert subcommands[-4:] == ["postmortem", "postmortem", "retro", "help"]
    assert subcommands.index("postmortem") > subcommands.index("timeline")
    usages = " ".join(usage for usage, *_ in HELP_LINES)
    for form in (
        "author @person",
        "reviewers @a @b",
        "ready",
        "waive <reason>",
        "retro held [notes]",
    ):
        assert form in usages


@pytest.mark.parametrize(
    "command",
    [
        PostmortemShow(),
        PostmortemAuthor(user="U1"),
        PostmortemReviewers(users=("U1", "U2")),
        PostmortemReady(),
        PostmortemWaive(reason="Duplicate of INC-6"),
        RetroHeld(notes=""),
    ],
)
def test_review_commands_are_frozen_commands(command: Command) -> None:
    assert isinstance(command, Command)
    fields = dataclasses.fields(command)
    if fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(command, fields[0].name, "changed")
    assert command == type(command)(**{f.name: getattr(command, f.name) for f in fields})


def test_postmortem_edit_names_a_section_in_the_words_people_use():
    from bot.domain.postmortem_commands import PostmortemCheck, PostmortemEdit

    assert parse("postmortem edit") == PostmortemEdit(None)
    assert parse("postmortem edit root-cause") == PostmortemEdit("root_cause")
    assert parse("postmortem edit Went Well") == PostmortemEdit("went_well")
    # Why no action item is needed: the items themselves have their own commands.
    assert parse("postmortem edit action-items") == PostmortemEdit("no_action_items")
    assert parse("postmortem edit action_items") == PostmortemEdit("no_action_items")
    assert parse("postmortem edit Action Items") == PostmortemEdit("no_action_items")
    assert parse("postmortem check") == PostmortemCheck()
    with pytest.raises(BadCommand, match="no section 'timeline'") as refused:
        parse("postmortem edit timeline")
    assert "action-items" in str(refused.value) and "action_items" not in str(refused.value)
