import re

import pytest

from bot.domain.naming import channel_name, slugify, with_suffix

VALID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
VALID_ANY_SCRIPT = re.compile(r"[^\W_A-Z]+(?:-[^\W_A-Z]+)*")  # no spaces, periods, capitals


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Kafka brokers down", "inc-7-kafka-brokers-down"),
        ("Aurora failover caused write errors", "inc-7-aurora-failover-caused-write-errors"),
        ("20% of logs lost", "inc-7-20-of-logs-lost"),
        ("  Redis -- DOWN!!  ", "inc-7-redis-down"),
        ("API_v2 / login: 500s", "inc-7-api-v2-login-500s"),
        ("🔥🔥🔥", "inc-7"),
        ("", "inc-7"),
        ("---", "inc-7"),
        ("Café crashed", "inc-7-cafe-crashed"),
        ("Ｒｅｄｉｓ down", "inc-7-redis-down"),  # full-width letters
        ("Redis down for <@U0BOB|bob>", "inc-7-redis-down-for-bob"),  # a name, never the id
        ("Redis down for <@U0BOB>", "inc-7-redis-down-for"),
        ("see <https://status.example.com|status page>", "inc-7-see-status-page"),
    ],
)
def test_channel_name(title: str, name: str) -> None:
    assert channel_name("inc", 7, title) == name
    assert channel_name("inc", 7, title, latin_only=True) == name


@pytest.mark.parametrize(
    ("title", "name", "latin"),
    [
        ("決済障害", "inc-7-決済障害", "inc-7"),
        ("管理画面のRedisが落ちた", "inc-7-管理画面のredisが落ちた", "inc-7-redis"),
        ("決済API　タイムアウト（全件）", "inc-7-決済api-タイムアウト-全件", "inc-7-api"),
        ("ガバナンス", "inc-7-ガバナンス", "inc-7"),  # kana keep their voicing marks
        ("Straße", "inc-7-straße", "inc-7-stra-e"),  # no ASCII form for ß
    ],
)
def test_channel_name_keeps_japanese_words(title: str, name: str, latin: str) -> None:
    assert channel_name("inc", 7, title) == name
    assert channel_name("inc", 7, title, latin_only=True) == latin


def test_channel_name_lower_cases_the_prefix() -> None:
    assert channel_name("INC", 12, "x") == "inc-12-x"


def test_channel_name_rejects_an_unusable_prefix() -> None:
    with pytest.raises(ValueError, match="prefix"):
        channel_name("事故", 1, "x")


def test_channel_name_cuts_at_a_word_boundary() -> None:
    title = " ".join(["word"] * 30) + "s"  # far over 80
    name = channel_name("inc", 7, title)
    assert len(name) <= 80
    assert name.endswith("-word")
    # "inc-7-" and 15 words is exactly 80 characters; the 16th word does not fit.
    assert name == "inc-7-" + "-".join(["word"] * 15)


def test_channel_name_exact_fit_keeps_everything() -> None:
    title = "a" * (80 - len("inc-7-"))
    assert channel_name("inc", 7, title) == "inc-7-" + title


def test_channel_name_cut_right_before_a_hyphen() -> None:
    title = "a" * 74 + " tail"  # "inc-7-" + 74 a's is exactly 80, then "-tail"
    assert channel_name("inc", 7, title) == "inc-7-" + "a" * 74


def test_channel_name_hard_cuts_one_huge_word() -> None:
    name = channel_name("inc", 7, "x" * 200)
    assert name == "inc-7-" + "x" * 74


def test_channel_name_respects_max_len() -> None:
    assert channel_name("inc", 7, "kafka brokers down", max_len=15) == "inc-7-kafka"
    assert channel_name("inc", 7, "kafka brokers down", max_len=5) == "inc-7"
    with pytest.raises(ValueError):
        channel_name("inc", 7, "x", max_len=4)


@pytest.mark.parametrize(
    "title",
    ["Kafka brokers down", "a" * 300, "word " * 40, "x-" * 60, "日本語 and English " * 10],
)
def test_channel_name_is_always_valid(title: str) -> None:
    assert VALID.fullmatch(channel_name("inc", 123, title, latin_only=True))
    name = channel_name("inc", 123, title)
    assert VALID_ANY_SCRIPT.fullmatch(name)
    assert len(name) <= 80
    assert name.startswith("inc-123")


def test_with_suffix() -> None:
    assert with_suffix("inc-7-kafka", 2) == "inc-7-kafka-2"
    assert with_suffix("inc-7", 10) == "inc-7-10"


def test_with_suffix_stays_within_the_limit() -> None:
    name = channel_name("inc", 7, " ".join(["word"] * 30))
    suffixed = with_suffix(name, 2)
    assert len(suffixed) <= 80
    assert suffixed.endswith("-word-2")
    assert VALID.fullmatch(suffixed)


def test_with_suffix_hard_cuts_a_huge_word() -> None:
    name = channel_name("inc", 7, "x" * 200)
    assert with_suffix(name, 12) == "inc-7-" + "x" * 71 + "-12"


def test_with_suffix_never_leaves_a_double_hyphen() -> None:
    # Cut lands right after a hyphen: "inc-7-" + 71 a's + "-" is 78, plus "-2" is 80.
    name = "inc-7-" + "a" * 71 + "-bbbbbbbbbb"
    assert with_suffix(name, 2) == "inc-7-" + "a" * 71 + "-2"


def test_slugify() -> None:
    assert slugify("  Hello, WORLD — 2021!  ") == "hello-world-2021"
    assert slugify("日本語") == ""


def test_channel_name_backs_off_to_the_last_whole_word() -> None:
    # Words start every 4 characters, so character 80 falls inside the 19th "abc".
    name = channel_name("inc", 7, "abc " * 30)
    assert name == "inc-7-" + "-".join(["abc"] * 18)
    assert len(name) == 77
