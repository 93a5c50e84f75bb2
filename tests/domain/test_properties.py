"""Whatever people type, the parsers answer with a result or a polite BadCommand/BadTime."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.action_commands import ActionAdd, ActionDrop
from bot.domain.actions import check_due, resolve_due
from bot.domain.commands import Command, Note, NoteEdit, parse
from bot.domain.errors import BadCommand, BadTime
from bot.domain.mrkdwn import escape, unescape_slack
from bot.domain.naming import channel_name, with_suffix
from bot.domain.postmortem_commands import PostmortemWaive, RetroHeld
from bot.domain.timeparse import (
    format_duration,
    normal,
    parse_duration,
    parse_time,
    split_leading_time,
)

LA = ZoneInfo("America/Los_Angeles")
ZONES = st.sampled_from([ZoneInfo("UTC"), ZoneInfo("Asia/Tokyo"), LA])
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)

# Text that looks like commands hits the interesting paths far more often than random text.
VOCABULARY = (
    "start note close help --sev --at --impact --data-loss --intervention --detected-by"
    " --reviewers --sev=2 --at= -- —sev 2 none yes rollback human 10:42 2021-12-28 25:00"
    " 1h30m \" ' “ ” ‘ ’ <@U1> @bob < > &amp; Can't Redis 障害 🔥 = ,"
    " status sev role mark timeline edit move delete #3 3 0 #0 99999999999 sev2 SEV-1"
    " investigating identified monitoring resolved commander comms scribe"
    " detected mitigated impact-start impact_end"
    " postmortem author reviewers ready waive retro held <@U2|Lee, Ann> <@W3> <#C1> {{ x }} *b*"
    " action add list done drop owner due --owner --due --priority --owner= --due=2w high medium"
    " low HIGH 2w 10d 1w3d 0d 53w 2W 2021-12-31 2021-02-30 #2 2"
)
WORDS = st.sampled_from([*VOCABULARY.split(), "<@U1|a b>", "\n", "\u3000"])
COMMANDISH = st.builds(
    lambda sub, words: " ".join([sub, *words]),
    st.sampled_from(
        ["start", "note", "close", "help", "START", "status", "sev", "role", "mark", "timeline"]
        + ["note edit", "note move", "note delete", "NOTE Edit #3", "note move 3"]
        + ["postmortem", "postmortem author", "postmortem reviewers", "POSTMORTEM Ready"]
        + ["postmortem waive", "postmortem show", "retro", "retro held", "Retro HELD"]
        + ["action", "action add", "ACTION Add", "action list", "action done", "action drop"]
        + ["action drop 3", "action owner", "action owner 2", "action due", "action due #2"]
    ),
    st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=12),
)
TEXT = st.one_of(st.text(), COMMANDISH)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_parse_never_fails_otherwise(text: str) -> None:
    try:
        result = parse(text)
    except BadCommand as exc:
        assert str(exc)
    else:
        assert isinstance(result, Command)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.from_regex(r"[0-9dhmsDHMS ]{0,14}", fullmatch=True)))
def test_parse_duration_never_fails_otherwise(raw: str) -> None:
    try:
        td = parse_duration(raw)
    except BadTime as exc:
        assert str(exc)
    else:
        assert timedelta(0) <= td <= timedelta(days=365)


TIMEISH = st.from_regex(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}[T ])?[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?",
    fullmatch=True,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), TIMEISH), ZONES, NOWS)
def test_parse_time_never_fails_otherwise(raw: str, tz: ZoneInfo, now: datetime) -> None:
    try:
        result = parse_time(raw, tz=tz, now=now)
    except BadTime as exc:
        assert str(exc)
    else:
        assert result.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_note_text_is_preserved(text: str) -> None:
    time, rest = split_leading_time(text)
    if time is None:
        assert rest == text.strip()
    else:
        # The time comes back normalised (full-width digits read as ASCII); the rest exactly.
        assert normal(text.strip()).startswith(time)
        assert text.strip().endswith(rest)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda s: s.strip() and not s.strip()[0].isdigit()))
def test_note_body_round_trips_through_parse(body: str) -> None:
    assert parse(f"note 10:42 {body}") == Note(at="10:42", text=body.strip())


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["edit", "move", "delete", "Edit"]),
    st.text(min_size=1).filter(lambda s: not s[0].isspace() and s[0] not in "#0123456789"),
)
def test_a_note_is_a_correction_only_with_a_number(verb: str, body: str) -> None:
    assert parse(f"note {verb} {body}") == Note(at=None, text=f"{verb} {body}".strip())


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.text().filter(str.strip))
def test_note_edit_text_round_trips(number: int, body: str) -> None:
    assert parse(f"note edit #{number} {body}") == NoteEdit(number=number, text=body.strip())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["waive", "WAIVE", "Waive"]), st.text().filter(str.strip))
def test_waiver_reason_round_trips(verb: str, reason: str) -> None:
    assert parse(f"postmortem {verb} {reason}") == PostmortemWaive(reason=reason.strip())


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.text().filter(str.strip))
def test_action_drop_reason_round_trips(number: int, reason: str) -> None:
    assert parse(f"action drop #{number} {reason}") == ActionDrop(
        number=number, reason=reason.strip()
    )


# Words that are plain text to action add: no quotes, options, markup or spaces.
PLAIN_WORDS = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=("Z", "C"), blacklist_characters="\"'“”„‘’<-"),
        min_size=1,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(PLAIN_WORDS, st.sampled_from(["", " --priority low", " --due 2w --owner <@U1>"]))
def test_action_add_text_round_trips(words: list[str], options: str) -> None:
    command = parse(f"action add {' '.join(words)}{options}")
    assert isinstance(command, ActionAdd)
    assert command.text == " ".join(words)


DUEISH = st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}|([0-9]{1,7}[wW])?([0-9]{1,7}[dD])?", fullmatch=True
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), DUEISH), st.dates())
def test_due_dates_never_fail_otherwise(raw: str, today: date) -> None:
    try:
        kept = check_due(raw)
    except BadTime as exc:
        assert str(exc)
        kept = None
    try:
        due = resolve_due(raw, today=today)
    except BadTime as exc:
        assert str(exc)
    else:
        # Whatever resolves passed the parser's check, and is no earlier than today.
        assert kept is not None and due is not None and due >= today


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["held", "HELD", "Held"]), st.text())
def test_retro_notes_round_trip(verb: str, notes: str) -> None:
    assert parse(f"retro {verb} {notes}") == RetroHeld(notes=notes.strip())


@settings(max_examples=300, deadline=None)
@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=365)))
def test_format_duration_matches_parse_duration(td: timedelta) -> None:
    # Writing a whole-minute duration back in the input syntax gives the same text.
    td = timedelta(minutes=td // timedelta(minutes=1))
    assume(td > timedelta(0))
    days, rest = divmod(td, timedelta(days=1))
    hours, rest = divmod(rest, timedelta(hours=1))
    mins = rest // timedelta(minutes=1)
    raw = "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (mins, "m")) if n)
    assert parse_duration(raw) == td
    expected = " ".join(f"{n} {u}" for n, u in ((days, "d"), (hours, "h"), (mins, "min")) if n)
    assert format_duration(td) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=10**6), st.integers(min_value=2, max_value=99))
def test_channel_names_are_always_valid(title: str, number: int, n: int) -> None:
    latin = channel_name("inc", number, title, latin_only=True)
    for name in (
        channel_name("inc", number, title),
        with_suffix(channel_name("inc", number, title), n),
        latin,
        with_suffix(latin, n),
    ):
        assert len(name) <= 80
        assert name.startswith(f"inc-{number}")
        assert "--" not in name and not name.endswith("-")
        # Letters and digits of any script, lower-case, joined by hyphens: no space, no period.
        assert all((c.isalnum() and not c.isupper()) or c == "-" for c in name)
    assert latin.isascii()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_round_trips_and_neutralises(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert unescape_slack(escaped) == text
