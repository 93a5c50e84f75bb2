"""The lifecycle subcommands: status, sev, role, mark, timeline and the note corrections."""

import pytest

from bot.domain.commands import (
    MARKS,
    ROLES,
    STATUSES,
    Help,
    Mark,
    Note,
    NoteDelete,
    NoteEdit,
    NoteMove,
    Role,
    Severity,
    Status,
    Timeline,
    parse,
)
from bot.domain.errors import BadCommand, BadTime


@pytest.mark.parametrize("word", ["status", "sev", "role", "mark", "timeline"])
def test_help_topics_include_the_new_subcommands(word: str) -> None:
    assert parse(f"help {word}") == Help(topic=word)
    assert parse(f"help {word.upper()}") == Help(topic=word)


# ---- status --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_status_each(status: str) -> None:
    assert parse(f"status {status}") == Status(status=status, at=None)
    assert parse(f"STATUS {status.capitalize()}") == Status(status=status, at=None)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("status resolved 10:42", "10:42"),
        ("status resolved 9:05", "9:05"),
        ("status resolved 2021-12-28 10:42", "2021-12-28 10:42"),
        ("status resolved   2021-12-28    10:42  ", "2021-12-28 10:42"),
        ('status resolved "2021-12-28 10:42"', "2021-12-28 10:42"),
        ("status resolved “2021-12-28 10:42”", "2021-12-28 10:42"),
        ("status resolved 2021-12-28T10:42+09:00", "2021-12-28T10:42+09:00"),
        ("status resolved 2021-12-28 10:42Z", "2021-12-28 10:42Z"),
    ],
)
def test_status_at(text: str, at: str) -> None:
    assert parse(text) == Status(status="resolved", at=at)


@pytest.mark.parametrize("text", ["status", "status   ", "status fixed", "status open 10:42"])
def test_status_unknown_lists_the_four(text: str) -> None:
    with pytest.raises(BadCommand) as info:
        parse(text)
    message = str(info.value)
    assert "investigating, identified, monitoring or resolved" in message
    assert "Try /incident status monitoring 10:42" in message


def test_status_unknown_echoes_the_word() -> None:
    with pytest.raises(BadCommand, match=r"; got 'fixed'\."):
        parse("status fixed")


@pytest.mark.parametrize("raw", ["25:00", "yesterday", "2021-02-30 10:00", "10:42Z", "2021-12-28"])
def test_status_bad_time(raw: str) -> None:
    with pytest.raises(BadTime, match=r"For example: /incident status monitoring 10:42$"):
        parse(f"status resolved {raw}")


@pytest.mark.parametrize(
    ("text", "stray"),
    [
        ("status resolved 10:42 done", "10:42 done"),
        ("status resolved all good now", "all good now"),
        ("status resolved 2021-12-28 10:42 extra", "2021-12-28 10:42 extra"),
        ("status resolved --at 10:42", "--at 10:42"),
    ],
)
def test_status_takes_only_a_time(text: str, stray: str) -> None:
    with pytest.raises(BadCommand) as info:
        parse(text)
    assert not isinstance(info.value, BadTime)
    assert str(info.value) == (
        f"I didn't understand {stray!r}: only a time may come after the status. "
        "Try /incident status monitoring 10:42"
    )


def test_status_unclosed_quote() -> None:
    with pytest.raises(BadCommand, match="is never closed"):
        parse('status resolved "10:42')


# ---- sev -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sev 2", Severity(severity=2, at=None)),
        ("sev SEV2", Severity(severity=2, at=None)),
        ("sev sev2", Severity(severity=2, at=None)),
        ("SEV Sev-1", Severity(severity=1, at=None)),
        ("sev 4 10:42", Severity(severity=4, at="10:42")),
        ("sev 3 2021-12-28 10:42", Severity(severity=3, at="2021-12-28 10:42")),
        ("sev 1 '2021-12-28 10:42'", Severity(severity=1, at="2021-12-28 10:42")),
    ],
)
def test_sev(text: str, expected: Severity) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("raw", ["0", "5", "high", "sev", "1.0", "٢"])
def test_sev_bad_value(raw: str) -> None:
    with pytest.raises(BadCommand) as info:
        parse(f"sev {raw}")
    assert str(info.value) == (
        f"Severity must be 1, 2, 3 or 4 (1 is the worst), e.g. /incident sev 2; got {raw!r}."
    )


def test_sev_missing() -> None:
    with pytest.raises(BadCommand, match=r"^Which severity: 1, 2, 3 or 4 .*Try /incident sev 2$"):
        parse("sev")


def test_sev_bad_time_and_stray_words() -> None:
    with pytest.raises(BadTime, match=r"'24:00' is not a time of day.*/incident sev 2$"):
        parse("sev 2 24:00")
    with pytest.raises(BadCommand, match=r"'10:42 please': only a time may come after the sev"):
        parse("sev 2 10:42 please")


# ---- role ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["role", "ROLE", "role   "])
def test_role_alone_lists(text: str) -> None:
    assert parse(text) == Role(role=None, user=None) == Role()


@pytest.mark.parametrize("role", ROLES)
def test_role_assign_each(role: str) -> None:
    assert parse(f"role {role.upper()} <@U123>") == Role(role=role, user="U123")


@pytest.mark.parametrize(
    "mention", ["<@U123>", "<@U123|alice>", "<@U123|Ann Lee>", "“<@U123|alice>”"]
)
def test_role_reads_the_user_id(mention: str) -> None:
    assert parse(f"role commander {mention}") == Role(role="commander", user="U123")


def test_role_bare_at_name_gets_the_reviewers_advice() -> None:
    with pytest.raises(BadCommand) as info:
        parse("role scribe @alice")
    assert str(info.value) == (
        "I can't tell who '@alice' is. When you type @, pick the person from Slack's "
        "autocomplete list so it becomes a mention, e.g. /incident role scribe @alice."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("role scribe alice", r"^The scribe role goes to a person, e.g. .*; 'alice' isn't one\.$"),
        ("role scribe <#C1|general>", r"isn't one"),
        ("role commander", r"^Who should take the commander role\? Try /incident role commander"),
        ("role comms <@U1> <@U2>", r"^One person per role, please: /incident role comms @alice$"),
        ("role boss <@U1>", r"^The role is one of commander, comms or scribe; got 'boss'\."),
        ("role <@U1> commander", r"^The role is one of commander, comms or scribe"),
        ("role ic", r"Try /incident role commander @alice, or /incident role to see"),
    ],
)
def test_role_errors(text: str, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        parse(text)


# ---- mark ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mark", MARKS)
def test_mark_each(mark: str) -> None:
    assert parse(f"mark {mark}") == Mark(mark=mark, at=None, text="")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mark detected", Mark("detected", None, "")),
        ("MARK Detected   ", Mark("detected", None, "")),
        ("mark impact_start", Mark("impact-start", None, "")),
        ("mark IMPACT-END 10:58", Mark("impact-end", "10:58", "")),
        ("mark mitigated 10:58 Failover done", Mark("mitigated", "10:58", "Failover done")),
        ("mark mitigated Failover done", Mark("mitigated", None, "Failover done")),
        ("mark detected 2021-12-28 10:42 pager", Mark("detected", "2021-12-28 10:42", "pager")),
        ('mark detected "2021-12-28 16:40" Sentry alert', Mark("detected", "2021-12-28 16:40", "Sentry alert")),
        ("mark detected “16:40” Sentry alert", Mark("detected", "16:40", "Sentry alert")),
        ("mark detected １６：４０ Sentry", Mark("detected", "16:40", "Sentry")),
        ("mark mitigated 10時30分、切り戻し", Mark("mitigated", "10時30分", "切り戻し")),
        ("mark detected\n10:42\nalert fired", Mark("detected", "10:42", "alert fired")),
        ("mark detected --at 10:42", Mark("detected", None, "--at 10:42")),  # no options
    ],
)
def test_mark(text: str, expected: Mark) -> None:
    assert parse(text) == expected


def test_mark_text_is_kept_exactly() -> None:
    body = '"Can\'t" ‘log’ in — *bold* `a  b`\n> quote\n管理画面 🔥  <@U1|alice> &amp; &lt;'
    assert parse(f"mark impact-start 10:42 {body}") == Mark("impact-start", "10:42", body)
    assert parse(f"mark impact-start   {body}\n") == Mark("impact-start", None, body)
    assert parse('mark detected "unclosed') == Mark("detected", None, '"unclosed')


@pytest.mark.parametrize("text", ["mark", "mark   ", "mark resolved", "mark 10:42 detected"])
def test_mark_unknown_lists_the_four(text: str) -> None:
    with pytest.raises(BadCommand) as info:
        parse(text)
    message = str(info.value)
    assert "detected, mitigated, impact-start or impact-end" in message
    assert message.endswith("Try /incident mark mitigated 10:58 Failover to the replica done")


@pytest.mark.parametrize("text", ["mark detected 25:00 x", "mark detected 2021-02-30 10:00"])
def test_mark_bad_time(text: str) -> None:
    with pytest.raises(BadTime, match=r"For example: /incident mark mitigated"):
        parse(text)


# ---- timeline ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["timeline", "TIMELINE", "  Timeline \n"])
def test_timeline(text: str) -> None:
    assert parse(text) == Timeline()


@pytest.mark.parametrize(("text", "page"), [("timeline 2", 2), ("timeline page 3", 3)])
def test_timeline_page(text: str, page: int) -> None:
    assert parse(text) == Timeline(page=page)


@pytest.mark.parametrize("text", ["timeline 0", "timeline -1", "timeline ２", "timeline 2 3"])
def test_timeline_page_must_be_a_page_number(text: str) -> None:
    with pytest.raises(BadCommand, match="timeline takes nothing more"):
        parse(text)


@pytest.mark.parametrize("text", ["timeline check", "timeline CHECK  "])
def test_timeline_check(text: str) -> None:
    assert parse(text) == Timeline(check=True)


def test_timeline_takes_nothing_more() -> None:
    with pytest.raises(BadCommand, match=r"^I didn't understand 'since 10:00': timeline takes"):
        parse("timeline since 10:00")
    with pytest.raises(BadCommand, match=r"^I didn't understand 'now': timeline check takes"):
        parse("timeline check now")


# ---- note corrections ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("note edit 3 Rolled back deploy 1235", NoteEdit(3, "Rolled back deploy 1235")),
        ("note edit #3 Rolled back", NoteEdit(3, "Rolled back")),
        ("NOTE EDIT 12 x", NoteEdit(12, "x")),
        ("note edit 3 10:42 is when", NoteEdit(3, "10:42 is when")),  # the text is not parsed
        ("note edit\n3\n  two\nlines  ", NoteEdit(3, "two\nlines")),
        ("note move 3 10:40", NoteMove(3, "10:40")),
        ("note move #3 10:40", NoteMove(3, "10:40")),
        ("note Move 3 2021-12-28 10:40", NoteMove(3, "2021-12-28 10:40")),
        ('note move 3 "2021-12-28 10:40"', NoteMove(3, "2021-12-28 10:40")),
        ("note move 3 2021-12-28T10:40+09:00", NoteMove(3, "2021-12-28T10:40+09:00")),
        ("note delete 3", NoteDelete(3)),
        ("note delete #3  ", NoteDelete(3)),
        ("note DELETE 007", NoteDelete(7)),
    ],
)
def test_note_corrections(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_note_edit_text_is_kept_exactly() -> None:
    body = "'Can’t' *log* in  `a  b`\n管理画面 🔥 <@U1|alice> &amp;"
    assert parse(f"note edit #4 {body}") == NoteEdit(number=4, text=body)


@pytest.mark.parametrize(
    ("text", "note"),
    [
        # Only a number after edit/move/delete makes a correction; anything else is a note.
        ("note edit the config", Note(None, "edit the config")),
        ("note delete queue drained", Note(None, "delete queue drained")),
        ("note move traffic to eu-west", Note(None, "move traffic to eu-west")),
        ("note edit", Note(None, "edit")),
        ("note delete", Note(None, "delete")),
        ("note edited 3 files", Note(None, "edited 3 files")),
        ("note delete 3rd replica", Note(None, "delete 3rd replica")),
        ("note delete 3, then 4", Note(None, "delete 3, then 4")),
        ("note move 3:00 job", Note(None, "move 3:00 job")),
        ("note edit # 3 x", Note(None, "edit # 3 x")),
        ("note edit -3 x", Note(None, "edit -3 x")),
        ("note 10:42 delete 3 pods", Note("10:42", "delete 3 pods")),  # a time first: a note
        ("note 10:42 edit 3 x", Note("10:42", "edit 3 x")),
    ],
)
def test_note_that_only_looks_like_a_correction(text: str, note: Note) -> None:
    assert parse(text) == note


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "note edit 3",
            r"^What should note #3 say instead\? Try /incident note edit 3 <the corrected text>$",
        ),
        ("note edit #3   \n", r"^What should note #3 say instead\?"),
        ("note move 3", r"^When did note #3 happen\? Try /incident note move 3 10:42$"),
        ("note move 3 ''", r"I couldn't read '' as a time"),
        ("note edit 0 x", r"^There is no note '0': notes are numbered from #1"),
        ("note delete #0", r"^There is no note '#0'"),
        ("note move 12345678901 10:42", r"^There is no note '12345678901'"),
    ],
)
def test_note_correction_errors(text: str, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        parse(text)


def test_note_delete_with_more_words_says_how_to_write_such_a_note() -> None:
    with pytest.raises(BadCommand) as info:
        parse("note delete 3 stale pods")
    assert str(info.value) == (
        "Delete takes just the number: /incident note delete 3\n"
        "To write a note that begins with 'delete 3', put its time first: "
        "/incident note 10:42 delete 3 …"
    )


@pytest.mark.parametrize(
    ("text", "error", "first"),
    [
        (
            "note move 3 replicas to b",
            BadCommand,
            "I didn't understand 'replicas to b': only a time may come after note #3. "
            "Try /incident note move 3 10:42",
        ),
        ("note move 3 25:00", BadTime, "'25:00' is not a time of day"),
        ("note move 3 10:40 extra", BadCommand, "I didn't understand '10:40 extra'"),
        ("note Move #3 'stuck", BadCommand, "The quote at"),
    ],
)
def test_note_move_errors_say_how_to_write_such_a_note(
    text: str, error: type[BadCommand], first: str
) -> None:
    with pytest.raises(error) as info:
        parse(text)
    message = str(info.value)
    assert type(info.value) is error
    assert message.startswith(first)
    written = " ".join(text.split()[1:3])
    assert message.endswith(
        f"\nTo write a note that begins with {written!r}, put its time first: "
        f"/incident note 10:42 {written} …"
    )


def test_corrections_are_frozen() -> None:
    edit = parse("note edit 3 x")
    with pytest.raises(AttributeError):
        edit.number = 4  # type: ignore[misc, union-attr]
