"""The blameless check: blaming phrases, and people named as causes, in a postmortem's text.

The phrase lists are data, not code: built-in lists per language in
``templates/blameless/<locale>.json`` and the team's own in the policy's ``blameless`` section.
This module only matches them. Matching is case-insensitive and regex-free:

- ``whole_word`` (for Latin-script phrases): a phrase must not continue a word on either side,
  so ``blame`` does not match ``blameless`` or ``blame-free`` (a hyphen joins words here).
- A phrase ending in katakana never matches when the next character is katakana: the word goes
  on, so ``ミス`` does not match ``ミスト`` or ``ミスター`` (but does match ``設定ミスが``).
- ``except`` lists longer phrases around a match that make it harmless (``責任共有モデル``).
- Negations are still flagged: "nobody is to blame" is still talk of blame; the hint says so.
  A team that disagrees ignores the phrase in its policy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.domain.messages import N_
from bot.domain.postmortem import SECTION_KEYS

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "templates" / "blameless"
BUILTIN_LOCALES = ("en", "ja")
PEOPLE_SECTIONS = ("root_cause", "trigger")
PEOPLE_HINT = N_("Describe the system or process that allowed this, not the person.")
SENTENCE_MAX = 200  # characters of a finding's sentence, ellipses included

_ENTRY_KEYS = ("phrase", "phrases", "hint", "whole_word", "soft", "except")
_NO_PEOPLE: Mapping[str, str] = MappingProxyType({})
_BROADCASTS = frozenset({"here", "channel", "everyone"})
_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n")
_MARKER = re.compile(r"^(?:[-*•>]|\d+\))\s+")
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_AT_NAME = re.compile(r"(?<![\w@<])@(\w(?:[\w.\-]*\w)?)")


@dataclass(frozen=True)
class Rule:
    """One phrase to flag and the constructive rewrite hint shown with it."""

    phrase: str
    hint: str
    whole_word: bool = False
    soft: bool = False  # advice only: never blocks ``ready``
    exceptions: tuple[str, ...] = ()  # longer phrases containing this one that are fine


@dataclass(frozen=True)
class Finding:
    """A phrase (or a person) found in a section, with the sentence it occurs in."""

    section: str
    sentence: str
    phrase: str
    hint: str
    soft: bool = False


class RuleError(ValueError):
    """An entry of a phrase list is invalid; ``index`` and ``key`` say where."""

    def __init__(self, index: int, key: str | None, problem: str) -> None:
        super().__init__(f"entry {index}{f' {key}' if key else ''}: {problem}")
        self.index = index
        self.key = key
        self.problem = problem


class _Hit(NamedTuple):
    start: int
    end: int
    phrase: str
    hint: str
    soft: bool


# ---- loading the lists --------------------------------------------------------------------


def load_rules(data: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Rules from plain data: entries with ``phrase`` (or ``phrases``), ``hint`` and options."""
    if not isinstance(data, list | tuple):
        raise ValueError(f"expected a list of entries with phrase and hint, got {data!r}")
    return tuple(rule for i, entry in enumerate(data) for rule in _entry_rules(entry, i))


def _entry_rules(entry: object, index: int) -> list[Rule]:
    if not isinstance(entry, Mapping):
        raise RuleError(index, None, f"expected a mapping with phrase and hint, got {entry!r}")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise RuleError(index, str(key), f"unknown key. Known keys: {', '.join(_ENTRY_KEYS)}.")
    if ("phrase" in entry) == ("phrases" in entry):
        raise RuleError(index, None, "needs either phrase or phrases (a list), not both")
    key = "phrase" if "phrase" in entry else "phrases"
    raw = [entry["phrase"]] if key == "phrase" else _list(entry[key], index, key, empty=False)
    phrases = [_text(p, index, key) for p in raw]
    hint = _text(entry.get("hint"), index, "hint")
    flags = {name: _flag(entry.get(name, False), index, name) for name in ("whole_word", "soft")}
    raw = _list(entry.get("except", []), index, "except", empty=True)
    exceptions = [_text(e, index, "except") for e in raw]
    for exception in exceptions:
        if not any(_within(p, exception) for p in phrases):
            raise RuleError(index, "except", f"{exception!r} does not contain the phrase")
    return [
        Rule(p, hint, exceptions=tuple(e for e in exceptions if _within(p, e)), **flags)
        for p in phrases
    ]


def _list(value: object, index: int, key: str, *, empty: bool) -> list[object]:
    if not isinstance(value, list | tuple) or not (value or empty):
        raise RuleError(index, key, f"expected a list of phrases, got {value!r}")
    return list(value)


def _text(value: object, index: int, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(index, key, f"expected some text, got {value!r}")
    return value.strip()


def _flag(value: object, index: int, key: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(index, key, f"expected true or false, got {value!r}")
    return value


def _within(phrase: str, longer: str) -> bool:
    return normalize(phrase) in normalize(longer)


def default_rules(locales: Sequence[str] = BUILTIN_LOCALES) -> tuple[Rule, ...]:
    """The built-in lists of these languages, read once from ``templates/blameless``."""
    for locale in locales:
        if locale not in BUILTIN_LOCALES:
            raise ValueError(f"no built-in list for {locale!r}: {', '.join(BUILTIN_LOCALES)}")
    return _read_builtin(tuple(dict.fromkeys(locales)))


@cache
def _read_builtin(locales: tuple[str, ...]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for locale in locales:
        path = BUILTIN_DIR / f"{locale}.json"
        try:
            rules.extend(load_rules(json.loads(path.read_text(encoding="utf-8"))))
        except ValueError as exc:  # JSONDecodeError is one too
            raise ValueError(f"{path}: {exc}") from exc
    return tuple(rules)


# ---- matching -----------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower case, full-width and half-width forms unified, curly apostrophes straightened.

    Character by character, so positions in the result are positions in ``text``.
    """
    return "".join(_fold_char(c) for c in text)


@cache
def _needle(phrase: str) -> str:
    return normalize(phrase)


def _fold_char(c: str) -> str:
    if c in "\u2019\u2018":
        return "'"
    folded = unicodedata.normalize("NFKC", c).lower()
    return folded if len(folded) == 1 else c


def _is_word(c: str) -> bool:
    # Letters and digits of space-separated scripts (below U+2E80, where CJK begins): Japanese
    # text runs straight on from an English phrase ("human errorが"), so kana and kanji don't
    # continue a word.
    return c.isalnum() and ord(c) < 0x2E80


def _is_katakana(c: str) -> bool:
    code = ord(c)
    return (
        0x30A1 <= code <= 0x30FA  # letters
        or 0x30FC <= code <= 0x30FF  # ー and iteration marks (not the ・ separator)
        or 0x31F0 <= code <= 0x31FF  # small letters for Ainu
        or 0x3099 <= code <= 0x309C  # voicing marks
    )


def _continues(text: str, i: int, step: int) -> bool:
    """Whether ``text[i]`` continues a word: a letter or digit, or a hyphen joining one."""
    if not 0 <= i < len(text):
        return False
    if text[i] == "-":
        return 0 <= i + step < len(text) and _is_word(text[i + step])
    return _is_word(text[i])


def _standalone(text: str, start: int, end: int, whole_word: bool) -> bool:
    if _is_katakana(text[end - 1]) and end < len(text) and _is_katakana(text[end]):
        return False  # ミスト is not ミス
    if not whole_word:
        return True
    open_left = not (_is_word(text[start]) and _continues(text, start - 1, -1))
    return open_left and not (_is_word(text[end - 1]) and _continues(text, end, 1))


def _excepted(text: str, start: int, exceptions: Iterable[str], needle: str) -> bool:
    for exception in map(_needle, exceptions):
        offset = exception.find(needle)
        while offset != -1:
            if start >= offset and text.startswith(exception, start - offset):
                return True
            offset = exception.find(needle, offset + 1)
    return False


def _spans(text: str, phrase: str, whole_word: bool) -> Iterator[tuple[int, int]]:
    needle = _needle(phrase)
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if _standalone(text, start, end, whole_word):
            yield start, end
        start = text.find(needle, start + 1)


def _phrase_hits(folded: str, rules: Sequence[Rule]) -> list[_Hit]:
    return [
        _Hit(start, end, rule.phrase, rule.hint, rule.soft)
        for rule in rules
        for start, end in _spans(folded, rule.phrase, rule.whole_word)
        if not _excepted(folded, start, rule.exceptions, _needle(rule.phrase))
    ]


def _people_hits(sentence: str, folded: str, people: Mapping[str, str], hint: str) -> list[_Hit]:
    hits = [_Hit(m.start(), m.end(), m[0], hint, False) for m in _MENTION.finditer(sentence)]
    hits += [
        _Hit(m.start(), m.end(), m[0], hint, False)
        for m in _AT_NAME.finditer(sentence)
        if m[1].lower() not in _BROADCASTS
    ]
    names = dict.fromkeys(name.strip() for name in people.values() if len(name.strip()) > 1)
    hits += [
        _Hit(start, end, sentence[start:end], hint, False)
        for name in names
        for start, end in _spans(folded, name, whole_word=True)
    ]
    return hits


def _outermost(hits: Iterable[_Hit]) -> list[_Hit]:
    """Drop hits inside another (``forgot`` in ``forgot to``) and repeats of a phrase."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        inside = any(k.start <= hit.start and hit.end <= k.end for k in kept)
        if not inside and all(normalize(k.phrase) != normalize(hit.phrase) for k in kept):
            kept.append(hit)
    return kept


# ---- sentences and the check ----------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: split at . ! ? before a space, 。！？ and line ends; trimmed."""
    pieces = (_MARKER.sub("", piece.strip()).strip() for piece in _BREAK.split(text))
    return [piece for piece in pieces if piece]


def excerpt(sentence: str, start: int, end: int, limit: int = SENTENCE_MAX) -> str:
    """``sentence`` cut to ``limit`` characters around ``start:end``, with ellipses where cut."""
    if len(sentence) <= limit:
        return sentence
    room = limit - 2
    first = max(0, min(start - (room - (end - start)) // 2, len(sentence) - room))
    head = "…" if first > 0 else ""
    tail = "…" if first + room < len(sentence) else ""
    return f"{head}{sentence[first : first + room].strip()}{tail}"


def check(
    sections: Mapping[str, str],
    rules: Sequence[Rule],
    *,
    people: Mapping[str, str] = _NO_PEOPLE,
    people_sections: Sequence[str] = PEOPLE_SECTIONS,
    people_hint: str = PEOPLE_HINT,
) -> list[Finding]:
    """Blaming phrases in every section, and people named in ``people_sections``.

    ``people`` maps Slack user ids to display names; Slack mentions and ``@name`` count too.
    Findings come in the order of ``SECTION_KEYS`` (other keys after, by name), then position.
    """
    findings: list[Finding] = []
    for key in _ordered(sections):
        for sentence in sentences(sections[key] or ""):
            folded = normalize(sentence)
            hits = _phrase_hits(folded, rules)
            if key in people_sections:
                hits += _people_hits(sentence, folded, people, people_hint)
            findings += [
                Finding(key, excerpt(sentence, h.start, h.end), h.phrase, h.hint, h.soft)
                for h in _outermost(hits)
            ]
    return findings


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop ``ready`` when the policy says so: all but the soft ones."""
    return [finding for finding in findings if not finding.soft]


def _ordered(sections: Mapping[str, str]) -> list[str]:
    known = [key for key in SECTION_KEYS if key in sections]
    return known + sorted(key for key in sections if key not in SECTION_KEYS)
