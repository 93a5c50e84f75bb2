from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import BadTime
from bot.domain.messages import Moment
from bot.domain.timeparse import (
    MAX_DURATION,
    check_time,
    format_duration,
    minutes,
    parse_duration,
    parse_time,
    split_leading_time,
    validate_occurrence,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2021, 12, 28, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo, 04:00 in Los Angeles


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- parse_duration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25m", timedelta(minutes=25)),
        ("4h", timedelta(hours=4)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("30s", timedelta(seconds=30)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("90m", timedelta(minutes=90)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("2D", timedelta(days=2)),
        ("  25m\n", timedelta(minutes=25)),
        ("0m", timedelta(0)),
        ("0h", timedelta(0)),
        ("365d", timedelta(days=365)),
        ("8760h", timedelta(days=365)),
        ("007m", timedelta(minutes=7)),
        # What a Japanese writer types: full-width digits, the Japanese units.
        ("１０m", timedelta(minutes=10)),
        ("25分", timedelta(minutes=25)),
        ("２５分", timedelta(minutes=25)),
        ("1時間30分", timedelta(hours=1, minutes=30)),
        ("1時間半", timedelta(hours=1, minutes=30)),
        ("2日", timedelta(days=2)),
        ("30秒", timedelta(seconds=30)),
    ],
)
def test_parse_duration_reads_each_form(raw: str, expected: timedelta) -> None:
    assert parse_duration(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "5x",
        "25",  # no unit
        "m",
        "h30m",
        "1h 30m",  # no inner spaces
        "25 m",
        "30m1h",  # units out of order
        "1h1h",  # a unit twice
        "1m30",
        "1.5h",
        "-5m",
        "+5m",
        "1w",
        "25min",
        "١٥m",  # Arabic-Indic digits are not accepted as numbers
        "1000000000000d",  # 13 digits
        "none",
    ],
)
def test_parse_duration_rejects_anything_else(raw: str) -> None:
    with pytest.raises(BadTime, match=r"Try 25m, 4h, 1h30m or 2d\."):
        parse_duration(raw)


def test_parse_duration_message_quotes_the_input() -> None:
    with pytest.raises(BadTime) as info:
        parse_duration("5x")
    assert str(info.value) == "I couldn't read '5x' as a duration. Try 25m, 4h, 1h30m or 2d."


def test_parse_duration_message_shortens_a_long_input() -> None:
    with pytest.raises(BadTime) as info:
        parse_duration("x" * 500)
    assert "x" * 40 + "…" in str(info.value)
    assert "x" * 41 not in str(info.value)


@pytest.mark.parametrize("raw", ["366d", "8761h", "525601m", "31536001s", "99999999999s"])
def test_parse_duration_caps_absurd_values_at_a_year(raw: str) -> None:
    with pytest.raises(BadTime, match="longer than a year"):
        parse_duration(raw)


def test_max_duration_is_a_year() -> None:
    assert parse_duration("365d") == MAX_DURATION


# ---- format_duration and minutes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=1), "1 s"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(seconds=59, microseconds=999_999), "59 s"),
        (timedelta(minutes=1), "1 min"),
        (timedelta(minutes=1, seconds=59), "1 min"),
        (timedelta(minutes=27), "27 min"),
        (timedelta(minutes=27, seconds=59), "27 min"),
        (timedelta(minutes=60), "1 h"),
        (timedelta(minutes=90), "1 h 30 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=4), "4 h"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=3, hours=4), "3 d 4 h"),
        (timedelta(days=1, minutes=5), "1 d 5 min"),
        (timedelta(days=9, hours=1, minutes=2), "9 d 1 h 2 min"),
        (timedelta(minutes=-5), "-5 min"),
    ],
)
def test_format_duration(td: timedelta, text: str) -> None:
    assert format_duration(td) == text


@pytest.mark.parametrize(
    ("raw", "text"), [("25m", "25 min"), ("1h30m", "1 h 30 min"), ("1d2h", "1 d 2 h")]
)
def test_format_duration_reads_back_what_was_typed(raw: str, text: str) -> None:
    assert format_duration(parse_duration(raw)) == text


@pytest.mark.parametrize(
    ("td", "expected"),
    [
        (timedelta(0), 0),
        (timedelta(seconds=59), 0),
        (timedelta(minutes=19, seconds=59), 19),
        (timedelta(minutes=20), 20),
        (timedelta(hours=2, seconds=1), 120),
    ],
)
def test_minutes_rounds_down(td: timedelta, expected: int) -> None:
    assert minutes(td) == expected


# ---- parse_time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tz", "now", "expected"),
    [
        # HH:MM is the most recent such time in the user's zone (maybe another day than in UTC).
        ("10:42", TOKYO, NOW, utc(2021, 12, 28, 1, 42)),
        ("10:42", TOKYO, utc(2021, 12, 28, 20, 0), utc(2021, 12, 28, 1, 42)),  # 05:00 JST
        ("10:42", TOKYO, utc(2021, 12, 29, 1, 42), utc(2021, 12, 29, 1, 42)),  # exactly now
        ("10:43", TOKYO, utc(2021, 12, 29, 1, 42), utc(2021, 12, 29, 1, 43)),  # within skew
        ("10:44", TOKYO, utc(2021, 12, 29, 1, 42), utc(2021, 12, 28, 1, 44)),
        ("10:42", LA, NOW, utc(2021, 12, 27, 18, 42)),  # later than now there: yesterday's
        ("10:42", LA, utc(2021, 12, 28, 5, 0), utc(2021, 12, 27, 18, 42)),
        # After midnight: 23:48 typed at 00:33 is last night's.
        ("23:48", TOKYO, utc(2021, 12, 28, 15, 33), utc(2021, 12, 28, 14, 48)),
        ("9:05", TOKYO, NOW, utc(2021, 12, 28, 0, 5)),
        ("09:05", TOKYO, NOW, utc(2021, 12, 28, 0, 5)),
        ("0:00", TOKYO, NOW, utc(2021, 12, 27, 15, 0)),
        ("23:59", LA, NOW, utc(2021, 12, 28, 7, 59)),
        # What an IME types: full-width digits and colons; and the Japanese forms.
        ("１０：４２", TOKYO, NOW, utc(2021, 12, 28, 1, 42)),
        ("10：42", TOKYO, NOW, utc(2021, 12, 28, 1, 42)),
        ("10時30分", TOKYO, NOW, utc(2021, 12, 28, 1, 30)),
        ("１０時３０分", TOKYO, NOW, utc(2021, 12, 28, 1, 30)),
        ("10時", TOKYO, NOW, utc(2021, 12, 28, 1, 0)),
        ("10時半", TOKYO, NOW, utc(2021, 12, 28, 1, 30)),
        ("10時30分15秒", TOKYO, NOW, utc(2021, 12, 28, 1, 30, 15)),
        ("午後3時", TOKYO, NOW, utc(2021, 12, 28, 6, 0)),
        ("午後3時15分", TOKYO, NOW, utc(2021, 12, 28, 6, 15)),
        ("午前9時", TOKYO, NOW, utc(2021, 12, 28, 0, 0)),
        ("午前12時", TOKYO, NOW, utc(2021, 12, 27, 15, 0)),  # midnight
        ("午後12時", TOKYO, NOW, utc(2021, 12, 28, 3, 0)),  # noon
        ("2021-12-27 23時50分", TOKYO, NOW, utc(2021, 12, 27, 14, 50)),
        ("２０２１-１２-２７　２３：５０", TOKYO, NOW, utc(2021, 12, 27, 14, 50)),
        ("10:42:15", TOKYO, NOW, utc(2021, 12, 28, 1, 42, 15)),
        ("  10:42 ", TOKYO, NOW, utc(2021, 12, 28, 1, 42)),
    ],
)
def test_parse_time_clock_only(raw: str, tz: ZoneInfo, now: datetime, expected: datetime) -> None:
    assert parse_time(raw, tz=tz, now=now) == expected


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("2021-12-28 10:00", TOKYO, utc(2021, 12, 28, 1, 0)),
        ("2021-12-28 10:00", LA, utc(2021, 12, 28, 18, 0)),
        ("2021-12-28T10:00", TOKYO, utc(2021, 12, 28, 1, 0)),
        ("2021-12-28t10:00", TOKYO, utc(2021, 12, 28, 1, 0)),
        ("2021-12-28   10:00", TOKYO, utc(2021, 12, 28, 1, 0)),
        ("2021-12-28\t10:00", TOKYO, utc(2021, 12, 28, 1, 0)),
        ("2021-07-01 10:00", LA, utc(2021, 7, 1, 17, 0)),  # summer time: UTC-7
        ("2021-12-28 9:05:30", LA, utc(2021, 12, 28, 17, 5, 30)),
    ],
)
def test_parse_time_local_date_and_time(raw: str, tz: ZoneInfo, expected: datetime) -> None:
    assert parse_time(raw, tz=tz, now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-01-31T23:27Z", utc(2017, 1, 31, 23, 27)),
        ("2017-01-31T23:27z", utc(2017, 1, 31, 23, 27)),
        ("2017-02-28T09:37-08:00", utc(2017, 2, 28, 17, 37)),
        ("2017-02-28T09:37:15+09:00", utc(2017, 2, 28, 0, 37, 15)),
        ("2017-02-28 09:37+09:00", utc(2017, 2, 28, 0, 37)),
        ("2017-02-28T09:37+0900", utc(2017, 2, 28, 0, 37)),
        ("2017-02-28T09:37+05:30", utc(2017, 2, 28, 4, 7)),
        ("2017-02-28T23:30-08:00", utc(2017, 3, 1, 7, 30)),  # crosses midnight
    ],
)
@pytest.mark.parametrize("tz", [TOKYO, LA])
def test_parse_time_with_offset_ignores_the_zone(
    raw: str, expected: datetime, tz: ZoneInfo
) -> None:
    assert parse_time(raw, tz=tz, now=NOW) == expected


def test_parse_time_returns_aware_utc() -> None:
    result = parse_time("2021-12-28 10:00", tz=TOKYO, now=NOW)
    assert result.tzinfo is UTC


def test_parse_time_accepts_now_in_any_zone() -> None:
    now_in_tokyo = NOW.astimezone(TOKYO)
    assert parse_time("10:42", tz=TOKYO, now=now_in_tokyo) == utc(2021, 12, 28, 1, 42)


def test_parse_time_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_time("10:42", tz=TOKYO, now=datetime(2021, 12, 28, 12, 0))


# DST in Los Angeles, 2021: 02:00 -> 03:00 on March 14, 02:00 -> 01:00 on November 7.


@pytest.mark.parametrize("raw", ["2021-03-14 02:30", "2021-03-14 02:00", "2021-03-14T02:59"])
def test_parse_time_rejects_a_time_skipped_by_spring_forward(raw: str) -> None:
    with pytest.raises(BadTime, match="clocks went forward") as info:
        parse_time(raw, tz=LA, now=NOW)
    assert "America/Los_Angeles" in str(info.value)


def test_parse_time_rejects_a_skipped_clock_time_today() -> None:
    on_the_day = utc(2021, 3, 14, 20, 0)  # 13:00 PDT
    with pytest.raises(BadTime, match="clocks went forward"):
        parse_time("02:30", tz=LA, now=on_the_day)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-03-14 01:59", utc(2021, 3, 14, 9, 59)),  # PST, just before
        ("2021-03-14 03:00", utc(2021, 3, 14, 10, 0)),  # PDT, just after
        ("2021-03-14T02:30-08:00", utc(2021, 3, 14, 10, 30)),  # an explicit offset is fine
    ],
)
def test_parse_time_around_the_gap(raw: str, expected: datetime) -> None:
    assert parse_time(raw, tz=LA, now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-11-07 01:30", utc(2021, 11, 7, 8, 30)),  # first 01:30 (PDT), not 09:30 (PST)
        ("2021-11-07 01:00", utc(2021, 11, 7, 8, 0)),
        ("2021-11-07 00:59", utc(2021, 11, 7, 7, 59)),
        ("2021-11-07 02:00", utc(2021, 11, 7, 10, 0)),
    ],
)
def test_parse_time_takes_the_earlier_of_a_repeated_time(raw: str, expected: datetime) -> None:
    assert parse_time(raw, tz=LA, now=NOW) == expected


def test_tokyo_has_no_dst() -> None:
    assert parse_time("2021-03-14 02:30", tz=TOKYO, now=NOW) == utc(2021, 3, 13, 17, 30)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "couldn't read"),
        ("tomorrow", "couldn't read"),
        ("10h42", "couldn't read"),
        ("10:4", "couldn't read"),
        ("1:5", "couldn't read"),
        ("10:42pm", "couldn't read"),
        ("123:00", "couldn't read"),
        ("2021-12-28", "couldn't read"),
        ("12/28 10:00", "couldn't read"),
        ("2021-12-28 10:00 PST", "couldn't read"),
        ("10時30", "couldn't read"),
        ("10時30分半", "couldn't read"),
        ("午後", "couldn't read"),
        ("25時", "hours go 0-23"),
        ("10時60分", "minutes 0-59"),
        ("24:00", "hours go 0-23"),
        ("23:60", "minutes 0-59"),
        ("2021-12-28 10:42:60", "not a time of day"),
        ("2021-13-01 10:00", "no day '2021-13-01'"),
        ("2021-02-29 10:00", "no day '2021-02-29'"),
        ("0000-01-01 10:00", "no day"),
        ("10:42Z", "offset but no date"),
        ("10:42+09:00", "offset but no date"),
        ("2021-12-28T10:42+24:00", "not a valid UTC offset"),
        ("2021-12-28T10:42+09:60", "not a valid UTC offset"),
        ("0001-01-01T00:00+09:00", "too far"),
        ("9999-12-31T23:59-09:00", "too far"),
    ],
)
def test_parse_time_rejects_bad_input(raw: str, reason: str) -> None:
    with pytest.raises(BadTime, match=reason) as info:
        parse_time(raw, tz=TOKYO, now=NOW)
    assert "Try 10:42, 2021-12-28 10:42 or 2021-12-28T10:42+09:00." in str(info.value)


def test_parse_time_leap_day_exists_in_a_leap_year() -> None:
    assert parse_time("2020-02-29 10:00", tz=TOKYO, now=NOW) == utc(2020, 2, 29, 1, 0)


def test_check_time_validates_without_a_zone() -> None:
    assert check_time(" 2021-12-28 10:00 ") == "2021-12-28 10:00"
    # A DST gap depends on the zone, so only parse_time can reject it.
    assert check_time("2021-03-14 02:30") == "2021-03-14 02:30"
    with pytest.raises(BadTime, match="hours go 0-23"):
        check_time("25:00")


def test_a_moment_falls_back_to_utc_with_its_date() -> None:
    assert str(Moment(datetime(2021, 12, 28, 10, 42, 59, tzinfo=TOKYO))) == "2021-12-28 01:42 UTC"


# ---- split_leading_time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:42 Rolled back deploy 1234", ("10:42", "Rolled back deploy 1234")),
        ("9:05 restarted", ("9:05", "restarted")),
        ("10:42:15 restarted", ("10:42:15", "restarted")),
        ("2021-12-28 10:42 restarted", ("2021-12-28 10:42", "restarted")),
        ("2021-12-28T10:42 restarted", ("2021-12-28T10:42", "restarted")),
        ("2021-12-28T10:42+09:00 restarted", ("2021-12-28T10:42+09:00", "restarted")),
        ("2017-01-31T23:27Z restarted", ("2017-01-31T23:27Z", "restarted")),
        ("2017-02-28 09:37+09:00 restarted", ("2017-02-28 09:37+09:00", "restarted")),
        ("  10:42\n\n  restarted", ("10:42", "restarted")),
        ("10:42\u3000障害対応開始", ("10:42", "障害対応開始")),  # ideographic space
        ("10:42", ("10:42", "")),
        ("10:42   ", ("10:42", "")),
        # A time-shaped but invalid prefix is still the time, so parsing reports it.
        ("25:00 restarted", ("25:00", "restarted")),
        ("10:42Z restarted", ("10:42Z", "restarted")),
        # What an IME types, normalised; the rest kept exactly.
        ("１３：５８ 障害発生", ("13:58", "障害発生")),
        ("13：58 ＤＢ　復旧", ("13:58", "ＤＢ　復旧")),
        ("２０２１-１２-２８\u3000１０：４２\u3000再起動", ("2021-12-28 10:42", "再起動")),
        ("10時30分 DB復旧", ("10時30分", "DB復旧")),
        ("10時30分、DB復旧", ("10時30分", "DB復旧")),
        ("10時、アラート", ("10時", "アラート")),
        ("午後3時 切り戻し", ("午後3時", "切り戻し")),
        ("10時半 再開", ("10時半", "再開")),
        # Looks like a time but isn't one we read: returned, so parsing refuses it with a hint.
        ("12:30pm lunch order failed", ("12:30pm", "lunch order failed")),
        ("1:5 ratio of errors", ("1:5", "ratio of errors")),
        ("10:42, rolled back", ("10:42,", "rolled back")),
        ("10:4 rolled back", ("10:4", "rolled back")),
        ("10時30 再開", ("10時30", "再開")),
    ],
)
def test_split_leading_time_finds_a_time(text: str, expected: tuple[str, str]) -> None:
    assert split_leading_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rolled back deploy 1234",
        "Rolled back at 10:42",
        "2021-12-28 rolled back",
        "10h42 rolled back",
        "'10:42' rolled back",  # quotes are the command layer's (tokens.leading_time)
        "10分後に再起動",
        "午前中に連絡",
    ],
)
def test_split_leading_time_leaves_text_without_a_time(text: str) -> None:
    assert split_leading_time(text) == (None, text)


def test_split_leading_time_strips_outer_whitespace_when_there_is_no_time() -> None:
    assert split_leading_time("  \n Rolled back \n ") == (None, "Rolled back")


def test_split_leading_time_keeps_the_rest_exactly() -> None:
    body = (
        '"Can\'t log in"  — *bold*, _it_, `code`  ~x~\n'
        "> quoted line\n"
        "```\n  indented  code\n```\n"
        "管理画面のRedisに接続できない 🔥🙏 <https://example.com|docs>"
    )
    assert split_leading_time(f"10:42  {body}") == ("10:42", body)
    assert split_leading_time(f"2021-12-28 10:42\n{body}") == ("2021-12-28 10:42", body)
    assert split_leading_time(body) == (None, body)


# ---- validate_occurrence -------------------------------------------------------------------

STARTED = utc(2021, 12, 28, 9, 0)


@pytest.mark.parametrize(
    "at",
    [
        NOW,
        NOW + timedelta(minutes=1),  # clock skew is forgiven
        STARTED,
        STARTED - timedelta(days=1),  # a day before the start is the limit
        STARTED - timedelta(hours=3),
    ],
)
def test_validate_occurrence_accepts(at: datetime) -> None:
    assert validate_occurrence(at, started_at=STARTED, now=NOW) is None


def test_validate_occurrence_rejects_the_future() -> None:
    with pytest.raises(BadTime) as info:
        validate_occurrence(NOW + timedelta(minutes=1, seconds=1), started_at=STARTED, now=NOW)
    message = str(info.value)
    assert "in the future" in message
    assert "2021-12-28 12:01 UTC" in message and "2021-12-28 12:00 UTC" in message
    # Each reader sees the times in their own zone: they travel as Moments, not as text.
    params = info.value.message.params
    assert params["at"] == Moment(NOW + timedelta(minutes=1, seconds=1))
    assert params["now"] == Moment(NOW)


def test_validate_occurrence_skew_is_configurable() -> None:
    at = NOW + timedelta(seconds=1)
    validate_occurrence(at, started_at=STARTED, now=NOW, skew=timedelta(seconds=1))
    with pytest.raises(BadTime, match="in the future"):
        validate_occurrence(at, started_at=STARTED, now=NOW, skew=timedelta(0))


def test_validate_occurrence_rejects_long_before_the_start() -> None:
    at = STARTED - timedelta(days=1, seconds=1)
    with pytest.raises(BadTime) as info:
        validate_occurrence(at, started_at=STARTED, now=NOW)
    message = str(info.value)
    assert "more than a day before the incident started" in message
    assert "2021-12-28 09:00 UTC" in message and "2021-12-27 08:59 UTC" in message
    assert info.value.message.params["started"] == Moment(STARTED)


def test_validate_occurrence_compares_instants_not_wall_clocks() -> None:
    # 20:59 in Tokyo is 11:59 UTC: in the past, whatever the zone of the datetime.
    at = datetime(2021, 12, 28, 20, 59, tzinfo=TOKYO)
    validate_occurrence(at, started_at=STARTED, now=NOW)
