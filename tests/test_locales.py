"""The message catalogues: every message of the code and templates is translated, the
translations fill the same placeholders, and the catalogues stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.domain.blameless import BUILTIN_LOCALES
from bot.domain.command_help import HELP_LINES
from bot.domain.commands import parse
from bot.domain.errors import BadCommand, BadTime
from bot.domain.messages import N_, Message
from bot.domain.policy import LOCALES
from bot.i18n import LOCALE_DIR, catalogue, languages, translator
from handlers.blocks import help_text
from handlers.errors import user_message

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in languages() if lang != "en"]
# %(name)s, %(name)r, %(name)d …, with their flags; %% is a literal percent sign.
_PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_ANY_PERCENT = re.compile(r"%")


def extracted() -> list[tuple[str | None, str]]:
    """(context, msgid) of every message pybabel extract finds, as configured in babel.cfg, in
    the order it writes them: files in name order, each message where it first occurs."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str | None, str], None] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.setdefault((context, message[0] if isinstance(message, tuple) else message))
    return list(found)


def entries(path: Path) -> dict[tuple[str | None, str], object]:
    with path.open("rb") as source:
        catalog = read_po(source)
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def placeholders(text: str) -> list[str]:
    """Each ``%(name)…`` placeholder whole, its conversion included: ``%(x)r`` is not ``%(x)s``."""
    return sorted(match.group() for match in _PLACEHOLDER.finditer(text))


def stray_percent(text: str) -> bool:
    return bool(_ANY_PERCENT.search(_PLACEHOLDER.sub("", text).replace("%%", "")))


@pytest.fixture(scope="module")
def in_code_order() -> list[tuple[str | None, str]]:
    return extracted()


@pytest.fixture(scope="module")
def messages(in_code_order) -> set[tuple[str | None, str]]:
    return set(in_code_order)


def test_the_policy_offers_exactly_the_languages_with_a_catalogue():
    # A catalogue whose language the policy refuses is never used; a language the policy
    # accepts without a catalogue (or blameless lists) would fail at start-up. README, "Locale".
    assert set(languages()) == set(LOCALES) == set(BUILTIN_LOCALES)
    for lang in TRANSLATED:
        with catalogue(lang).open("rb") as source:
            assert str(read_po(source).locale) == lang  # its header names its own language


def test_the_template_lists_every_message_of_the_code_and_templates(messages):
    # Run `make messages` after changing a message; see README, "Locale".
    listed = set(entries(LOCALE_DIR / "messages.pot"))
    assert sorted(messages - listed, key=str) == [], "messages.pot is missing these"
    assert sorted(listed - messages, key=str) == [], "messages.pot has messages no longer used"
    assert len(messages) > 300  # the extraction itself works: Slack texts, errors, templates


def test_the_catalogues_list_the_messages_in_the_codes_order(in_code_order):
    # As `make messages` writes them, so a catalogue's diff shows what changed in the code
    # rather than entries shuffled around by the next regeneration.
    assert list(entries(LOCALE_DIR / "messages.pot")) == in_code_order, "run `make messages`"
    for lang in TRANSLATED:
        assert list(entries(catalogue(lang))) == in_code_order, f"{lang}: run `make messages`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(messages, lang):
    translated = entries(catalogue(lang))
    missing = sorted(messages - set(translated), key=str)
    assert missing == [], f"{lang}: not in the catalogue (run `make messages`)"
    assert sorted(set(translated) - messages, key=str) == [], f"{lang}: messages no longer used"
    unfinished = [
        key
        for key, m in translated.items()
        if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    assert unfinished == [], f"{lang}: empty or fuzzy translations"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_fill_the_same_placeholders(lang):
    wrong = []
    for (context, msgid), m in entries(catalogue(lang)).items():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        # A plural's forms each take the plural's placeholders (n included).
        wanted = placeholders(ids[-1])
        for string in strings:
            if placeholders(string) != wanted or stray_percent(string):
                wrong.append((context, msgid, string))
    assert wrong == []


def test_the_checks_catch_mismatched_placeholders():
    assert placeholders("%(ref)s was closed by %(who)r") == ["%(ref)s", "%(who)r"]
    assert placeholders("%(ref)s は閉じられました") != placeholders("%(ref)s by %(who)s")
    assert placeholders("%(got)s が分かりません") != placeholders("I didn't get %(got)r")
    assert placeholders("%(n)s 件") != placeholders("%(n)d items")
    assert placeholders("%(n)05.1f%%") == ["%(n)05.1f"]
    assert stray_percent("100% done") and not stray_percent("100%% done, %(n)s items")


def test_english_is_the_source_text():
    en = translator("en")
    assert en.gettext("Summary") == "Summary"
    assert en.gettext("Close %(ref)s", ref="INC-7") == "Close INC-7"
    assert translator("en-US") == translator("en")


def test_japanese_messages_parameters_and_plurals():
    ja = translator("ja-JP")
    assert ja.locale == "ja"
    assert ja.gettext("Close %(ref)s", ref="INC-7") == "INC-7 をクローズ"
    assert ja.pgettext("between names", ", ") == "、"
    one = ja.ngettext(
        "*%(ref)s timeline* (%(n)s entry)", "*%(ref)s timeline* (%(n)s entries)", 1, ref="INC-7"
    )
    assert one == "*INC-7 のタイムライン* （1 件）"


def test_a_domain_error_is_said_in_japanese_with_its_nested_messages():
    error = BadTime(
        N_("I couldn't read %(raw)s as a duration. %(examples)s"),
        raw="'soon'",
        examples=Message(N_("Try 25m, 4h, 1h30m or 2d.")),
    )
    assert str(error) == "I couldn't read 'soon' as a duration. Try 25m, 4h, 1h30m or 2d."
    assert translator("ja").say(error.message) == (
        "'soon' を期間として読み取れませんでした。25m、4h、1h30m、2d のように指定してください。"
    )


@pytest.mark.parametrize(
    ("command", "english", "japanese"),
    [
        (
            "status identified 10:00 extra",
            "only a time may come after the status.",
            "'10:00 extra' が分かりませんでした。ステータス の後に書けるのは時刻だけです。",
        ),
        (
            "sev 2 10:00 oops",
            "only a time may come after the severity.",
            "'10:00 oops' が分かりませんでした。重大度 の後に書けるのは時刻だけです。",
        ),
        (
            "note move 3 10:00 x",
            "only a time may come after note #3.",
            "'10:00 x' が分かりませんでした。記録 #3 の後に書けるのは時刻だけです。",
        ),
    ],
    ids=["status", "sev", "note-move"],
)
def test_what_a_stray_word_follows_is_named_in_the_readers_language(command, english, japanese):
    with pytest.raises(BadCommand) as caught:
        parse(command)
    assert english in user_message(caught.value, translator("en"))
    assert user_message(caught.value, translator("ja")).startswith(japanese)


def test_a_message_without_a_translation_is_said_in_english():
    assert translator("ja").gettext("Not a message of furikaeri") == "Not a message of furikaeri"


@pytest.mark.parametrize("locale", ["fr", "../ja", "", "ja/../en"])
def test_unknown_locales_are_refused(locale):
    with pytest.raises(ValueError):
        translator(locale)


@pytest.mark.parametrize("lang", sorted(set(languages()) - {"en"}))
def test_every_translated_help_example_still_runs_the_same_command(lang):
    t = translator(lang)

    def parsed(example: str):
        return parse(example.removeprefix("/incident ").replace("@alice", "<@U1|alice>"))

    for line in HELP_LINES:
        english, translated = parsed(line.example), parsed(t.gettext(line.example))
        assert type(translated) is type(english), line.example
        assert t.gettext(line.what) != line.what, line.what


def test_the_japanese_help_speaks_japanese_with_english_command_words():
    text = help_text(translator("ja"))
    assert "インシデントを宣言します" in text
    assert "`/incident start <タイトル> [--sev 1-4] [--at TIME] [--private]`" in text
    assert "`/incident start --private <タイトル>`" in text and "非公開のインシデント" in text
    assert "例: `/incident note 10時42分 デプロイ1234をロールバック`" in text
    assert "Declares an incident" not in text
