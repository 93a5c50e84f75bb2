from datetime import timedelta

import pytest

from bot.domain.action_commands import ActionAdd, ActionDone, ActionDrop, ActionOwner
from bot.domain.command_help import HELP_LINES
from bot.domain.commands import (
    NOT_GIVEN,
    Close,
    Help,
    Mark,
    Note,
    NoteMove,
    Role,
    Severity,
    Start,
    Status,
    Timeline,
    parse,
)
from bot.domain.errors import BadCommand, BadTime
from bot.domain.model import DETECTIONS, INTERVENTIONS, CloseFacts
from bot.domain.postmortem_commands import (
    PostmortemAuthor,
    PostmortemCheck,
    PostmortemEdit,
    PostmortemWaive,
    RetroHeld,
)

# ---- help and subcommand words -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n", "help", "HELP", "  Help  "])
def test_help(text: str) -> None:
    assert parse(text) == Help()


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("help start", "start"),
        ("help CLOSE", "close"),
        ("help note please", "note"),
        ("help help", "help"),
    ],
)
def test_help_topic(text: str, topic: str | None) -> None:
    assert parse(text) == Help(topic=topic)


def test_help_on_an_unknown_topic_says_so() -> None:
    assert parse("help everything") == Help(unknown="everything")


@pytest.mark.parametrize(("text", "word"), [("strat x", "strat"), ("Resolve", "Resolve")])
def test_unknown_subcommand_becomes_help(text: str, word: str) -> None:
    assert parse(text) == Help(unknown=word)


@pytest.mark.parametrize("word", ["start", "START", "Start", "sTaRt"])
def test_subcommand_is_case_insensitive(word: str) -> None:
    assert parse(f"{word} Redis down") == Start(title="Redis down")


def test_help_lines_cover_every_subcommand() -> None:
    usages = [usage for usage, *_ in HELP_LINES]
    assert [u.split()[1] for u in usages] == [
        "start",
        "start",  # --private
        "note",
        "close",
        "status",
        "sev",
        "role",
        "mark",
        "timeline",
        "note",  # its corrections: edit, move, delete
        "action",  # add
        "action",  # list, done
        "action",  # drop
        "action",  # owner, due
        "postmortem",
        "postmortem",  # waive
        "postmortem",  # edit
        "postmortem",  # check
        "retro",
        "help",
    ]
    for usage, example, _ in HELP_LINES:
        assert example.startswith("/incident " + usage.split()[1])


def test_help_examples_parse() -> None:
    # The examples we show must work when pasted (Slack turns the typed @alice into a mention).
    examples = [
        ex.removeprefix("/incident ").replace("@alice", "<@U1|alice>") for _, ex, _ in HELP_LINES
    ]
    start, private, note, close, status, sev, role, mark, timeline, move, *rest, help_ = map(
        parse, examples
    )
    actions, review = rest[:4], rest[4:]
    assert start == Start(title="Kafka brokers down", severity=2)
    assert private == Start(title="Leaked deploy keys", private=True)
    assert note == Note(at="10:42", text="Rolled back deploy 1234")
    assert isinstance(close, Close) and close.is_complete
    assert status == Status(status="monitoring", at="10:42")
    assert sev == Severity(severity=2)
    assert role == Role(role="commander", user="U1")
    assert mark == Mark(mark="mitigated", at="10:58", text="Failover to the replica done")
    assert timeline == Timeline(check=True)
    assert move == NoteMove(number=3, at="10:40")
    assert actions == [
        ActionAdd(text="Alert on replica lag", owner="U1", due="2w", priority="high"),
        ActionDone(number=2),
        ActionDrop(number=3, reason="Duplicate of action #1"),
        ActionOwner(number=2, owner="U1"),
    ]
    assert review == [
        PostmortemAuthor(user="U1"),
        PostmortemWaive(reason="Duplicate of INC-6"),
        PostmortemEdit(section="root_cause"),
        PostmortemCheck(),
        RetroHeld(notes="Walked the timeline, 3 actions"),
    ]
    assert help_ == Help(topic="close")


def test_close_usage_lists_every_choice() -> None:
    [close_usage] = [usage for usage, *_ in HELP_LINES if usage.startswith("/incident close")]
    for value in INTERVENTIONS + DETECTIONS:
        assert value in close_usage


# ---- start ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'start --sev 2 --at "2021-12-28 10:00" Redis down',
        'start Redis down --sev 2 --at "2021-12-28 10:00"',
        'start Redis --sev 2 down --at "2021-12-28 10:00"',
        "start Redis down --sev 2 --at 2021-12-28 10:00",
        "start --at 2021-12-28 10:00 Redis down --sev 2",
        "start Redis down --sev=2 --at='2021-12-28 10:00'",
        'start Redis down --sev=2 --at="2021-12-28 10:00"',
        "start Redis down --sev 2 --at “2021-12-28 10:00”",
        "start Redis down --sev 2 --at ‘2021-12-28 10:00’",
        "start   Redis    down   --SEV 2   --at  2021-12-28   10:00  ",
        "start Redis down --severity 2 --at 2021-12-28 10:00",
        "start Redis down —sev 2 —at 2021-12-28 10:00",  # autocorrected dashes
        'start "Redis down" --sev 2 --at "2021-12-28 10:00"',
    ],
)
def test_start_options_anywhere(text: str) -> None:
    assert parse(text) == Start(title="Redis down", severity=2, at="2021-12-28 10:00")


def test_start_minimal() -> None:
    assert parse("start Kafka brokers down") == Start(
        title="Kafka brokers down", severity=None, at=None
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("start Can't log in", "Can't log in"),
        ("start Can’t log in", "Can’t log in"),
        ('start "Can\'t log in"', "Can't log in"),
        ("start “Can’t log in”", "Can’t log in"),
        ("start ‘Can’t log in’", "Can’t log in"),
        ('start Users see "500" errors', "Users see 500 errors"),
        ('start a"b c"d', 'a"b c"d'),  # quotes inside a word are text
        ('start "two  spaces" kept', "two  spaces kept"),
        ("start 管理画面のRedisが落ちた 🔥", "管理画面のRedisが落ちた 🔥"),
        ("start 決済\u3000障害", "決済 障害"),  # ideographic space separates words
        ("start -- --sev 2 in the title", "--sev 2 in the title"),
        ('start "--sev" is text when quoted', "--sev is text when quoted"),
        ("start p99 -5ms regression", "p99 -5ms regression"),
        ("start failover ---> replica", "failover ---> replica"),
        ("start em—dash —unknown stays", "em—dash —unknown stays"),
        ("start See <https://status.example.com|status page> now", None),
        ("start R&amp;D wiki down", "R&amp;D wiki down"),  # parse does not unescape
    ],
)
def test_start_title(text: str, title: str | None) -> None:
    expected = title or text.removeprefix("start ")
    assert parse(text) == Start(title=expected)


@pytest.mark.parametrize(
    ("raw", "severity"), [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("sev1", 1), ("SEV-2", 2)]
)
def test_start_severity(raw: str, severity: int) -> None:
    assert parse(f"start x --sev {raw}") == Start(title="x", severity=severity)


@pytest.mark.parametrize("raw", ["0", "5", "-1", "high", "1.0", "99999", "sev", "٢"])
def test_start_bad_severity(raw: str) -> None:
    with pytest.raises(BadCommand, match=r"Severity must be 1, 2, 3 or 4 .*--sev 2"):
        parse(f"start x --sev {raw}")


@pytest.mark.parametrize(
    ("raw", "at"),
    [
        ("10:42", "10:42"),
        ("9:05", "9:05"),
        ("2021-12-28T10:42+09:00", "2021-12-28T10:42+09:00"),
        ('"2021-12-28 10:42+09:00"', "2021-12-28 10:42+09:00"),
        ("2021-12-28 10:42+09:00", "2021-12-28 10:42+09:00"),
        ("2017-01-31T23:27Z", "2017-01-31T23:27Z"),
    ],
)
def test_start_at(raw: str, at: str) -> None:
    assert parse(f"start x --at {raw}") == Start(title="x", at=at)


def test_start_at_date_alone_does_not_swallow_the_title() -> None:
    with pytest.raises(BadTime, match=r"--at: I couldn't read '2021-12-28' as a time"):
        parse("start --at 2021-12-28 Redis down")


@pytest.mark.parametrize("raw", ["25:00", "yesterday", "10:42pm", '"2021-02-30 10:00"'])
def test_start_bad_at(raw: str) -> None:
    with pytest.raises(BadTime, match="^--at: "):
        parse(f"start x --at {raw}")


@pytest.mark.parametrize("text", ["start", "start   ", "start --sev 2", 'start "" --sev 1'])
def test_start_needs_a_title(text: str) -> None:
    with pytest.raises(BadCommand, match=r"What is the incident called\? Try /incident start"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start x --sev", r"--sev needs a value, e.g. --sev 2"),
        ("start x --sev --at 10:00", r"--sev needs a value"),
        ("start x --sev=", r"--sev needs a value"),
        ('start x --sev ""', r"--sev needs a value"),
        ("start x --at", r"--at needs a value, e.g. --at 10:42"),
        ("start x --sev 1 --sev 2", r"--sev is given twice"),
        ("start x --sev 1 --severity 2", r"--sev is given twice"),
        ("start x --foo 1", r"I don't know the option '--foo'. Options: --sev, --at, --private\."),
        ("start x --impact=20m", r"I don't know the option '--impact'"),
        ('start "Redis down', r"The quote at '\"Redis down' is never closed"),
        ("start “Redis down", r"is never closed"),
        ("start 'Tis broken", r"is never closed"),
    ],
)
def test_start_errors(text: str, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "start --private Leaked keys",
        "start Leaked keys --private",
        "start Leaked --private keys",
        "start --PRIVATE Leaked keys",
        "start —private Leaked keys",  # a client's autocorrected dash
    ],
)
def test_start_private_is_a_flag_anywhere(text: str) -> None:
    assert parse(text) == Start(title="Leaked keys", private=True)


def test_start_private_with_the_other_options() -> None:
    assert parse("start --sev 1 --private --at 10:00 Leaked keys") == Start(
        title="Leaked keys", severity=1, at="10:00", private=True
    )
    assert parse("start Leaked keys").private is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start x --private=yes", r"--private takes no value: /incident start --private"),
        ("start x --private --private", r"--private is given twice"),
        ("start --private", r"What is the incident called\?"),
    ],
)
def test_start_private_errors(text: str, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        parse(text)


def test_a_quoted_private_is_part_of_the_title() -> None:
    assert parse('start "--private" keys') == Start(title="--private keys")


# ---- note ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("note Rolled back deploy 1234", Note(at=None, text="Rolled back deploy 1234")),
        ("note 10:42 Rolled back deploy 1234", Note(at="10:42", text="Rolled back deploy 1234")),
        ("NOTE 9:05 restarted", Note(at="9:05", text="restarted")),
        ("note 2021-12-28 10:42 restarted", Note(at="2021-12-28 10:42", text="restarted")),
        (
            "note 2021-12-28T10:42+09:00 restarted",
            Note(at="2021-12-28T10:42+09:00", text="restarted"),
        ),
        ("note\n10:42\nrestarted", Note(at="10:42", text="restarted")),
        ("note --sev 2", Note(at=None, text="--sev 2")),  # notes have no options
    ],
)
def test_note(text: str, expected: Note) -> None:
    assert parse(text) == expected


def test_note_text_is_kept_exactly() -> None:
    body = (
        '"Can\'t" ‘log’ in — *bold* _it_ `a  b`\n'
        "> quote\n```\n  code  \n```\n"
        "管理画面のRedisに接続できない 🔥  <@U123|alice> &amp; &lt;"
    )
    assert parse(f"note 10:42 {body}") == Note(at="10:42", text=body)
    assert parse(f"note {body}") == Note(at=None, text=body)
    assert parse(f"note    {body}\n\n") == Note(at=None, text=body)


def test_note_unclosed_quote_is_fine() -> None:
    assert parse('note "it said "hello').text == '"it said "hello'


@pytest.mark.parametrize("text", ["note", "note   ", "note 10:42", "note 2021-12-28 10:42  \n"])
def test_note_needs_text(text: str) -> None:
    with pytest.raises(BadCommand) as info:
        parse(text)
    assert str(info.value) == "What happened? Try /incident note 10:42 Rolled back deploy 1234"


@pytest.mark.parametrize("text", ["note 25:00 restarted", "note 2021-02-30 10:00 restarted"])
def test_note_bad_time(text: str) -> None:
    with pytest.raises(BadTime):
        parse(text)


# ---- close ---------------------------------------------------------------------------------


def test_close_without_options_is_incomplete() -> None:
    close = parse("close")
    assert close == Close()
    assert isinstance(close, Close)
    assert close.impact is NOT_GIVEN
    assert not close.is_complete
    assert close.facts is None


def test_close_with_everything() -> None:
    close = parse(
        "close --at 11:10 --impact 27m --data-loss no --intervention rollback "
        "--detected-by monitoring --reviewers <@U111> <@U222|bob>"
    )
    assert close == Close(
        at="11:10",
        impact=timedelta(minutes=27),
        data_loss=False,
        intervention="rollback",
        detected_by="monitoring",
        reviewers=("U111", "U222"),
    )
    assert isinstance(close, Close) and close.is_complete
    assert close.facts == CloseFacts(timedelta(minutes=27), False, "rollback", "monitoring")


def test_close_impact_none_differs_from_not_given() -> None:
    none = parse("close --impact none")
    assert isinstance(none, Close)
    assert none.impact is None
    assert none != Close()


@pytest.mark.parametrize("raw", ["none", "NONE", "0m", "0s"])
def test_close_zero_impact_is_no_impact(raw: str) -> None:
    close = parse(f"close --impact {raw}")
    assert isinstance(close, Close) and close.impact is None


@pytest.mark.parametrize(
    ("raw", "td"), [("20m", timedelta(minutes=20)), ("1h30m", timedelta(minutes=90))]
)
def test_close_impact_duration(raw: str, td: timedelta) -> None:
    assert parse(f"close --impact {raw}") == Close(impact=td)


def test_close_complete_with_no_impact() -> None:
    close = parse("close --impact none --data-loss no --intervention none --detected-by monitoring")
    assert isinstance(close, Close) and close.is_complete
    assert close.facts == CloseFacts(None, False, "none", "monitoring")


@pytest.mark.parametrize(
    "missing",
    ["--impact 5m", "--data-loss yes", "--intervention restart", "--detected-by human"],
)
def test_close_is_incomplete_when_any_fact_is_missing(missing: str) -> None:
    all_options = "--impact 5m --data-loss yes --intervention restart --detected-by human"
    close = parse("close " + all_options.replace(missing, ""))
    assert isinstance(close, Close)
    assert not close.is_complete
    assert close.facts is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("yes", True), ("YES", True), ("true", True), ("no", False), ("False", False)],
)
def test_close_data_loss(raw: str, value: bool) -> None:
    assert parse(f"close --data-loss {raw}") == Close(data_loss=value)


@pytest.mark.parametrize("value", INTERVENTIONS)
def test_close_each_intervention(value: str) -> None:
    assert parse(f"close --intervention {value.upper()}") == Close(intervention=value)


def test_close_intervention_accepts_underscore() -> None:
    assert parse("close --intervention data_patch") == Close(intervention="data-patch")


@pytest.mark.parametrize("value", DETECTIONS)
def test_close_each_detection(value: str) -> None:
    assert parse(f"close --detected-by {value}") == Close(detected_by=value)


def test_close_option_names_accept_underscores() -> None:
    assert parse("close --data_loss no --detected_by human") == Close(
        data_loss=False, detected_by="human"
    )


@pytest.mark.parametrize(
    ("text", "reviewers"),
    [
        ("close --reviewers <@U1>", ("U1",)),
        ("close --reviewers <@U1> <@W2>", ("U1", "W2")),
        ("close --reviewers <@U1|alice> <@U2|bob> --impact none", ("U1", "U2")),
        ("close --reviewers <@U1>, <@U2>", ("U1", "U2")),
        ("close --reviewers <@U1>,<@U2>", ("U1", "U2")),
        ("close --reviewers <@U1> <@U2> <@U1>", ("U1", "U2")),
        ("close --reviewers=<@U1> <@U2>", ("U1", "U2")),
        ("close --reviewers <@U1|Ann Lee> <@U2>", ("U1", "U2")),
    ],
)
def test_close_reviewers(text: str, reviewers: tuple[str, ...]) -> None:
    close = parse(text)
    assert isinstance(close, Close) and close.reviewers == reviewers


def test_close_reviewers_stop_at_the_next_option() -> None:
    assert parse("close --reviewers <@U1> <@U2> --data-loss yes") == Close(
        reviewers=("U1", "U2"), data_loss=True
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "close --reviewers @alice",
            r"I can't tell who '@alice' is\. .*pick the person from Slack's autocomplete",
        ),
        ("close --reviewers <@U1> @bob", r"'@bob'"),
        ("close --reviewers alice", r"--reviewers takes people.*'alice' isn't one"),
        ("close --reviewers <#C123|general>", r"isn't one"),
        ("close --reviewers", r"--reviewers needs a value, e.g. --reviewers @alice @bob"),
        ("close --reviewers --impact 5m", r"--reviewers needs a value"),
    ],
)
def test_close_bad_reviewers(text: str, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("close --impact 5x", BadTime, r"--impact: I couldn't read '5x'.*If users weren't affected, write none"),
        ("close --impact 400d", BadTime, r"longer than a year"),
        ("close --impact", BadCommand, r"--impact needs a value"),
        ("close --data-loss maybe", BadCommand, r"--data-loss must be yes or no; got 'maybe'"),
        (
            "close --intervention prayer",
            BadCommand,
            r"--intervention must be one of none, rollback",
        ),
        ("close --detected-by luck", BadCommand, r"--detected-by must be one of monitoring, human"),
        ("close --at 24:00", BadTime, r"^--at: "),
        ("close --impact 5m --impact 6m", BadCommand, r"--impact is given twice"),
        ("close --sev 2", BadCommand, r"I don't know the option '--sev'"),
        ("close Redis down", BadCommand, r"I didn't understand 'Redis down': close only takes"),
        ("close --impact 5m extra", BadCommand, r"I didn't understand 'extra'"),
    ],
)
def test_close_errors(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse(text)


def test_close_at_two_words() -> None:
    assert parse("close --at 2021-12-28 11:10 --impact none") == Close(
        at="2021-12-28 11:10", impact=None
    )


def test_not_given_repr_is_readable() -> None:
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert "impact=NOT_GIVEN" in repr(Close())


# ---- the commands are plain frozen data ----------------------------------------------------


def test_commands_are_frozen() -> None:
    start = parse("start x")
    with pytest.raises(AttributeError):
        start.title = "y"  # type: ignore[misc, union-attr]
