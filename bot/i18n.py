"""The bot's languages: English is the source text; others come from Babel message catalogues.

A catalogue is ``bot/locales/<language>/LC_MESSAGES/messages.po``. It is compiled in memory once,
the first time its language is asked for (the composition root does so at start-up): ``read_po``
→ ``write_mo`` → ``Translations``. So there is no build step and no binary ``.mo`` to keep in step
with its source. Fuzzy entries are left out: a translation nobody has checked is shown in English
instead.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.domain.completeness import HINTS
from bot.domain.messages import Message, Moment, Span
from bot.domain.mrkdwn import escape, slack_date
from bot.domain.timeparse import format_duration_in

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def language(locale: str) -> str:
    """``ja`` for ``ja``, ``ja-JP`` or ``ja_JP``; ValueError for anything not shaped like one."""
    if not _LOCALE.fullmatch(locale):
        raise ValueError(f"unknown locale: {locale!r}")
    return re.split(r"[-_]", locale)[0].lower()


def catalogue(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def languages() -> tuple[str, ...]:
    """English and every language with a catalogue."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *found)


@functools.cache
def translations(lang: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: none, the messages are their own text)."""
    if lang == SOURCE_LANGUAGE:
        return stdlib_gettext.NullTranslations()
    path = catalogue(lang)
    if not path.is_file():
        raise ValueError(f"unknown locale: {lang!r} (no {path.relative_to(LOCALE_DIR)})")
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Messages in one language. Parameters are ``%(name)s``, filled after translating."""

    locale: str
    catalog: stdlib_gettext.NullTranslations

    def gettext(self, msgid: str, /, **params: object) -> str:
        text = self.catalog.gettext(msgid)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The form for ``n`` (which is also the ``%(n)s`` parameter)."""
        return self.catalog.ngettext(singular, plural, n) % {"n": n, **params}

    def pgettext(self, context: str, msgid: str) -> str:
        """A word whose English is ambiguous (``monitoring``), told apart by its context."""
        return self.catalog.pgettext(context, msgid)

    def say(self, message: Message, moment: Callable[[Moment], str] = str) -> str:
        """A domain message (an error's, say) in this language; ``moment`` says its times,
        and its lengths of time are written as this language writes durations."""
        return message.render(self.catalog.gettext, moment, self._span)

    def _span(self, span: Span) -> str:
        return format_duration_in(self.locale, span.length)

    def say_in_slack(self, message: Message) -> str:
        """A domain message as Slack mrkdwn: escaped (messages quote what was typed), with its
        times as Slack dates, which every reader sees in their own zone."""
        moments: list[Moment] = []

        def placeholder(moment: Moment) -> str:
            moments.append(moment)
            return f"\ue000{len(moments) - 1}\ue001"

        said = escape(self.say(message, placeholder))
        return _MOMENT.sub(lambda m: _slack_date(moments[int(m[1])]), said)


_MOMENT = re.compile("\ue000([0-9]+)\ue001")  # private-use marks: never in a message id


def _slack_date(moment: Moment) -> str:
    return slack_date(moment.at, str(moment))


@functools.cache
def translator(locale: str) -> Translator:
    """The translator for a policy's ``locale`` (``en``, ``ja``, ``ja-JP`` …), built once."""
    lang = language(locale)
    return Translator(lang, translations(lang))


@functools.cache
def placeholders() -> frozenset[str]:
    """The draft's hints in every language: a section holding only one is still unwritten
    (bot/domain/completeness.py knows them in English)."""
    return frozenset(
        translations(lang).gettext(hint) for lang in languages() for hint in HINTS.values()
    )
