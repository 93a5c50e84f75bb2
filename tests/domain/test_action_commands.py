"""The action item subcommands: action add, list, done, drop, owner and due."""

import dataclasses

import pytest

from bot.domain.action_commands import (
    ActionAdd,
    ActionDone,
    ActionDrop,
    ActionDue,
    ActionList,
    ActionOwner,
)
from bot.domain.command_help import HELP_LINES
from bot.domain.commands import Command, Help, parse
from bot.domain.errors import BadCommand, BadTime


def bad(text: str) -> str:
    with pytest.raises(BadCommand) as info:
        parse(text)
    return str(info.value)


ADD_EXAMPLE = "/incident action add Alert on replica lag --owner @alice --due 2w --priority high"


# ---- action add ----------------------------------------------------------------------------

FULL = ActionAdd(text="Alert on replica lag", owner="U1", due="2w", priority="high")


@pytest.mark.parametrize(
    "text",
    [
        "action add Alert on replica lag --owner <@U1> --due 2w --priority high",
        "action add --owner <@U1> --due 2w --priority high Alert on replica lag",
        "action add Alert --owner <@U1|alice> on --due 2w replica --priority high lag",
        "action add --priority=high --due=2w --owner=<@U1> Alert on replica lag",
        "ACTION ADD Alert on replica lag --OWNER <@U1> --Due 2W --priority HIGH",
        "action add Alert on replica lag —owner <@U1> —due 2w —priority high",  # autocorrected
        'action add "Alert on replica lag" --owner "<@U1|Ann Lee>" --due "2w" --priority high',
        "action  add\u3000Alert on replica lag\n--owner <@U1>\t--due 2w --priority high ",
        "action add Alert on replica lag --owner <@U1>, --due 2w --priority high",
    ],
)
def test_action_add_options_anywhere(text: str) -> None:
    expected = FULL
    if text.startswith("ACTION"):
        expected = dataclasses.replace(FULL, due="2W")  # kept as typed
    assert parse(text) == expected


def test_action_add_minimal() -> None:
    assert parse("action add Alert on replica lag") == ActionAdd(
        text="Alert on replica lag", owner=None, due=None, priority=None
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("action add x --owner <@W2|Bo Kim>", ActionAdd(text="x", owner="W2")),
        ("action add x --due 2021-12-31", ActionAdd(text="x", due="2021-12-31")),
        ("action add x --due 10d", ActionAdd(text="x", due="10d")),
        ("action add x --due 1w3d", ActionAdd(text="x", due="1w3d")),
        ("action add x --due 0d", ActionAdd(text="x", due="0d")),
        ("action add x --due 52w", ActionAdd(text="x", due="52w")),
        ("action add x --due 2000-01-01", ActionAdd(text="x", due="2000-01-01")),  # see resolve_due
        ("action add x --priority low", ActionAdd(text="x", priority="low")),
        ("action add x --priority Medium", ActionAdd(text="x", priority="medium")),
    ],
)
def test_action_add_each_option(text: str, expected: ActionAdd) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("action add Can't reach the DB", "Can't reach the DB"),
        ("action add Can’t reach the DB", "Can’t reach the DB"),
        ('action add "Can\'t reach the DB"', "Can't reach the DB"),
        ("action add “Can’t reach the DB”", "Can’t reach the DB"),
        ('action add Alert on "5xx" rates', "Alert on 5xx rates"),
        ('action add "two  spaces" kept', "two  spaces kept"),
        ("action add レプリカ遅延のアラートを追加 🔥", "レプリカ遅延のアラートを追加 🔥"),
        ("action add 監視\u3000追加", "監視 追加"),
        ("action add -- --due 2w is part of the text", "--due 2w is part of the text"),
        ('action add "--owner" is text when quoted', "--owner is text when quoted"),
        ("action add add a runbook", "add a runbook"),  # the verb is not part of the text
        ("action add list the brokers", "list the brokers"),
        (
            "action add Read <https://example.com/doc|the doc>",
            "Read <https://example.com/doc|the doc>",
        ),
        ("action add Thank <@U1|alice>", "Thank <@U1|alice>"),
        ("action add R&amp;D wiki backup", "R&amp;D wiki backup"),  # parse does not unescape
        ("action add 2w of load tests", "2w of load tests"),
    ],
)
def test_action_add_text(text: str, body: str) -> None:
    assert parse(text) == ActionAdd(text=body)


@pytest.mark.parametrize(
    "text",
    [
        "action add",
        "action add   ",
        "action add --owner <@U1>",
        "action add --due 2w --priority high",
        'action add ""',
        "action add --",
    ],
)
def test_action_add_needs_text(text: str) -> None:
    message = bad(text)
    assert message.startswith("What needs doing? Try " + ADD_EXAMPLE)
    assert "(usage: /incident action add <text> [--owner @person]" in message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4h", "I couldn't read '4h' as a due date."),
        ("2", "I couldn't read '2' as a due date."),
        ("tomorrow", "I couldn't read 'tomorrow' as a due date."),
        ("2021/12/31", "I couldn't read '2021/12/31' as a due date."),
        ("2021-12-31T10:00", "I couldn't read '2021-12-31T10:00' as a due date."),
        ("2d1w", "I couldn't read '2d1w' as a due date."),  # weeks come first
        ("-2w", "I couldn't read '-2w' as a due date."),
        ("２w", "I couldn't read '２w' as a due date."),  # full-width digit
        ("2021-02-30", "There is no day '2021-02-30' in the calendar."),
        ("2021-13-01", "There is no day '2021-13-01' in the calendar."),
        ("53w", "'53w' is more than a year away; if you mean it, give the date."),
        ("366d", "'366d' is more than a year away"),
        ("9999999999999d", "I couldn't read '9999999999999d' as a due date."),
    ],
)
def test_action_add_bad_due(raw: str, fragment: str) -> None:
    with pytest.raises(BadTime) as info:
        parse(f"action add x --due {raw}")
    message = str(info.value)
    assert message.startswith("--due: ")
    assert fragment in message
    assert "Try 2021-12-31, 10d or 2w." in message


@pytest.mark.parametrize("raw", ["urgent", "p1", "1", "hi", "med"])
def test_action_add_bad_priority(raw: str) -> None:
    assert bad(f"action add x --priority {raw}") == (
        f"--priority must be one of high, medium, low; got {raw!r}."
    )


def test_action_add_owner_typed_by_hand() -> None:
    message = bad("action add x --owner @bob")
    assert message.startswith("I can't tell who '@bob' is. When you type @, pick the person")
    assert message.endswith("e.g. --owner @alice.")


@pytest.mark.parametrize("word", ["bob", "<#C1|general>", "<!here>"])
def test_action_add_owner_must_be_a_person(word: str) -> None:
    message = bad(f"action add x --owner {word}")
    assert message.startswith("--owner takes a person, e.g. --owner @alice")
    assert repr(word) in message


@pytest.mark.parametrize(
    "text",
    ["action add x --owner <@U1>,<@U2>", "action add x --owner=<@U1>,<@U2>"],
)
def test_action_add_one_owner(text: str) -> None:
    assert bad(text) == "One owner per action item, please: --owner @alice"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("action add x --owner", "--owner needs a value, e.g. --owner @alice."),
        ("action add x --owner ,", "--owner needs a person, e.g. --owner @alice."),
        (
            "action add x --due",
            "--due needs a value, e.g. --due 2021-12-31 (or --due 10d, --due 2w).",
        ),
        (
            "action add x --priority --due 2w",
            "--priority needs a value, e.g. --priority high (one of high, medium, low).",
        ),
        (
            "action add x --due 2w --due 3w",
            "--due is given twice; please give it once: --due 2021-12-31 (or --due 10d, --due 2w).",
        ),
        (
            "action add x --sev 2",
            "I don't know the option '--sev'. Options: --owner, --due, --priority.",
        ),
    ],
)
def test_action_add_option_errors(text: str, message: str) -> None:
    assert bad(text) == message


def test_action_add_unclosed_quote() -> None:
    assert "never closed" in bad('action add "Alert on lag')


# ---- action list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["action", "ACTION", "  Action \n", "action\u3000", "action list", "Action LIST  "]
)
def test_action_list(text: str) -> None:
    assert parse(text) == ActionList()


def test_action_list_takes_nothing_more() -> None:
    assert bad("action list open ones") == (
        "I didn't understand 'open ones': action list takes nothing more. Try /incident action list"
    )


# ---- action done ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("action done 2", 2),
        ("action done #2", 2),
        ("ACTION Done 12", 12),
        ("action\u3000done\u3000#7  ", 7),
        ("action done 002", 2),
        ("action done 999999999", 999999999),
    ],
)
def test_action_done(text: str, number: int) -> None:
    assert parse(text) == ActionDone(number=number)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "action done",
            "Which action item is done? Give its number, as /incident action list shows it: "
            "/incident action done 2",
        ),
        (
            "action done two",
            "Which action item? Give its number as /incident action list shows it, "
            "e.g. /incident action done 2; 'two' isn't one.",
        ),
        (
            "action done 0",
            "There is no action item '0': action items are numbered from #1, "
            "as /incident action list shows them.",
        ),
        (
            "action done #0",
            "There is no action item '#0': action items are numbered from #1, "
            "as /incident action list shows them.",
        ),
        (
            "action done 99999999999",
            "There is no action item '99999999999': action items are numbered from #1, "
            "as /incident action list shows them.",
        ),
        (
            "action done 2 3",
            "I didn't understand '3': action done 2 takes nothing more. "
            "Try /incident action done 2",
        ),
        (
            "action done 2 finally",
            "I didn't understand 'finally': action done 2 takes nothing more. "
            "Try /incident action done 2",
        ),
    ],
)
def test_action_done_errors(text: str, message: str) -> None:
    assert bad(text) == message


@pytest.mark.parametrize("raw", ["-1", "2.0", "٢", "#", "##2", "2#"])
def test_action_numbers_are_ascii_digits(raw: str) -> None:
    assert bad(f"action done {raw}").startswith("Which action item? Give its number")


# ---- action drop ---------------------------------------------------------------------------

EXACT = [
    "Duplicate of action #1",
    "INC-5 の対応でカバー済み",
    "決済\u3000障害  は  二重スペース",
    "He said \"it's fine\" and it wasn't",
    "unbalanced \" quote and ' another",
    "*bold* _italic_ `code`",
    "<https://example.com/doc|the doc> and <@U1|alice>",
    "&amp; &lt; < > &",
    "--owner <@U1> --due 2w -- —priority",
    "2w is not a due date here",
    "#3 done 3 drop 3",
    "line one\nline two",
    "🔥 👍",
]


@pytest.mark.parametrize("reason", EXACT)
def test_action_drop_keeps_the_reason_exactly(reason: str) -> None:
    assert parse(f"action drop 3 {reason}") == ActionDrop(number=3, reason=reason)
    assert parse(f" Action DROP #3 \n {reason} \n\u3000") == ActionDrop(number=3, reason=reason)


@pytest.mark.parametrize("text", ["action drop 3", "action drop #3  ", "action drop 3\n\u3000"])
def test_action_drop_needs_a_reason(text: str) -> None:
    assert bad(text) == (
        "Why drop action item #3? Give a reason everyone can read later, "
        "e.g. /incident action drop 3 Duplicate of action #1"
    )


def test_action_drop_needs_a_number() -> None:
    assert bad("action drop") == (
        "Which action item should be dropped, and why? Give its number, "
        "as /incident action list shows it: /incident action drop 3 Duplicate of action #1"
    )
    assert bad("action drop no longer needed").startswith(
        "Which action item? Give its number as /incident action list shows it, "
        "e.g. /incident action drop 3 Duplicate of action #1; 'no' isn't one."
    )


# ---- action owner --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "owner"),
    [
        ("action owner 2 <@U1>", 2, "U1"),
        ("action owner #2 <@U1|alice>", 2, "U1"),
        ("action owner 2 <@W2|Ann Lee>", 2, "W2"),
        ("action owner 2 <@U1|Lee, Ann>", 2, "U1"),
        ("ACTION Owner 4 '<@U1>'", 4, "U1"),
        ("action owner 2 <@U1>,", 2, "U1"),
        ("action owner 2 <@U1> <@U1|alice>", 2, "U1"),  # the same person twice is one
    ],
)
def test_action_owner(text: str, number: int, owner: str) -> None:
    assert parse(text) == ActionOwner(number=number, owner=owner)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("action owner 2", "Who owns action item #2? Try /incident action owner 2 @alice"),
        ("action owner 2 ,", "Who owns action item #2? Try /incident action owner 2 @alice"),
        (
            "action owner",
            "Which action item? Give its number, as /incident action list shows it: "
            "/incident action owner 2 @alice",
        ),
        (
            "action owner 2 <@U1> <@U2>",
            "One owner per action item, please: /incident action owner 2 @alice",
        ),
        (
            "action owner 2 <@U1>,<@U2>",
            "One owner per action item, please: /incident action owner 2 @alice",
        ),
        (
            "action owner 2 alice",
            "An action item's owner is a person, e.g. /incident action owner 2 @alice; "
            "'alice' isn't one.",
        ),
    ],
)
def test_action_owner_errors(text: str, message: str) -> None:
    assert bad(text) == message


def test_action_owner_number_comes_first() -> None:
    assert bad("action owner <@U1> 2").startswith(
        "Which action item? Give its number as /incident action list shows it, "
        "e.g. /incident action owner 2 @alice; '<@U1>' isn't one."
    )


def test_action_owner_typed_by_hand() -> None:
    message = bad("action owner 2 @alice")
    assert message.startswith("I can't tell who '@alice' is.")
    assert message.endswith("e.g. /incident action owner 2 @alice.")


# ---- action due ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "due"),
    [
        ("action due 2 2w", 2, "2w"),
        ("action due #2 10d", 2, "10d"),
        ("action due 2 2021-12-31", 2, "2021-12-31"),
        ('action due 2 "2021-12-31"', 2, "2021-12-31"),
        ("ACTION DUE 5 1W3D", 5, "1W3D"),
        ("action due 2   0d  ", 2, "0d"),
    ],
)
def test_action_due(text: str, number: int, due: str) -> None:
    assert parse(text) == ActionDue(number=number, due=due)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "action due 2",
            "When is action item #2 due? Try /incident action due 2 2021-12-31 (or 10d, 2w)",
        ),
        (
            "action due",
            "Which action item? Give its number, as /incident action list shows it: "
            "/incident action due 2 2w",
        ),
        (
            "action due 2 in 2 weeks",
            "I didn't understand 'in 2 weeks': the due date is one word. "
            "Try /incident action due 2 2021-12-31 (or 10d, 2w)",
        ),
        (
            "action due 2 2021-12-31 10:00",
            "I didn't understand '2021-12-31 10:00': the due date is one word. "
            "Try /incident action due 2 2021-12-31 (or 10d, 2w)",
        ),
    ],
)
def test_action_due_errors(text: str, message: str) -> None:
    assert bad(text) == message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("soon", "I couldn't read 'soon' as a due date. Try 2021-12-31, 10d or 2w."),
        ("2021-02-29", "There is no day '2021-02-29' in the calendar. Try 2021-12-31, 10d or 2w."),
        (
            "400d",
            "'400d' is more than a year away; if you mean it, give the date. "
            "Try 2021-12-31, 10d or 2w.",
        ),
    ],
)
def test_action_due_bad_dates(raw: str, message: str) -> None:
    with pytest.raises(BadTime) as info:
        parse(f"action due 2 {raw}")
    assert str(info.value) == message


# ---- action <unknown> ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("action fix the replica alert", "fix"),
        ("action adds x", "adds"),
        ("action complete 2", "complete"),
        ("action 2 done", "2"),
        ("action <@U1>", "<@U1>"),
        ("action 追加 監視", "追加"),
        ("action --owner <@U1>", "--owner"),
    ],
)
def test_action_unknown_word_lists_the_subcommands(text: str, word: str) -> None:
    message = bad(text)
    assert message.startswith(f"I don't know action {word!r}. Try /incident action add <text>")
    for form in ("list", "done N", "drop N <reason>", "owner N @person", "due N YYYY-MM-DD|2w"):
        assert form in message
    assert message.endswith("e.g. " + ADD_EXAMPLE)


def test_action_unknown_word_is_shortened() -> None:
    assert len(bad("action " + "x" * 500)) < 400


@pytest.mark.parametrize("text", ["actions", "action-add x", "todo"])
def test_near_misses_are_unknown_subcommands(text: str) -> None:
    assert parse(text) == Help(unknown=text.split()[0])


# ---- help and the Command union -------------------------------------------------------------


def test_help_topic() -> None:
    assert parse("help action") == Help(topic="action")
    assert parse("help ACTION") == Help(topic="action")


def test_help_lines_for_actions() -> None:
    lines = [(usage, example) for usage, example, _ in HELP_LINES if usage.split()[1] == "action"]
    usages = " ".join(usage for usage, _ in lines)
    for form in (
        "action add <text>",
        "--owner @person",
        "--due YYYY-MM-DD|2w|10d",
        "--priority high|medium|low",
        "action [list]",
        "action done N",
        "action drop N <reason>",
        "action owner N @person",
        "action due N YYYY-MM-DD|2w",
    ):
        assert form in usages
    assert lines[0][1] == ADD_EXAMPLE
    for _, example in lines:
        assert example.startswith("/incident action ")
        # Pasted, with @alice picked from the autocomplete list, every example works.
        command = parse(example.removeprefix("/incident ").replace("@alice", "<@U1|alice>"))
        assert type(command).__name__.startswith("Action")


def test_help_lines_for_actions_come_before_the_postmortem() -> None:
    subcommands = [usage.split()[1] for usage, *_ in HELP_LINES]
    first = subcommands.index("action")
    assert subcommands[first : first + 4] == ["action"] * 4
    assert subcommands.count("action") == 4
    assert subcommands.index("timeline") < first < subcommands.index("postmortem")


@pytest.mark.parametrize(
    "command",
    [
        ActionAdd(text="x", owner="U1", due="2w", priority="high"),
        ActionList(),
        ActionDone(number=2),
        ActionDrop(number=2, reason="Duplicate"),
        ActionOwner(number=2, owner="U1"),
        ActionDue(number=2, due="2021-12-31"),
    ],
)
def test_action_commands_are_frozen_commands(command: Command) -> None:
    assert isinstance(command, Command)
    fields = dataclasses.fields(command)
    if fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(command, fields[0].name, "changed")
    assert command == type(command)(**{f.name: getattr(command, f.name) for f in fields})
