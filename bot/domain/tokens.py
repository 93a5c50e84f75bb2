"""The words of ``/incident`` command text: splitting, options and times (their values are read
by ``bot.domain.values``).

Quoting rules: values can be quoted with ``"…"``, ``'…'``, the smart quotes ``“…”`` and ``‘…’``
that Slack clients substitute, or an IME's full-width ``＂…＂`` and ``＇…＇``. A quote only
opens at the start of a word and only closes before whitespace or the end, so ``Can't`` and
``Can’t`` are plain words. Slack markup such as ``<@U1|Ann Lee>`` is one word even with spaces
inside.

Options (``--sev 2`` or ``--sev=2``) may stand anywhere among the free words; ``--`` ends them,
``—sev`` (a client's autocorrection of ``--sev``) is read as ``--sev``, and an IME's full-width
``－－ｓｅｖ　２`` as ``--sev 2`` (option words and their values are read after NFKC; free text
is kept exactly as typed).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from bot.domain.errors import BadCommand, BadTime
from bot.domain.messages import N_, Message
from bot.domain.timeparse import check_time, is_time_word, normal, split_leading_time


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool  # a quoted token is always text, never an option


# Clients swap straight quotes for curly ones (and not always the right way round), so any
# double-ish quote closes any double-ish quote, and likewise for single quotes. A Japanese IME
# in full-width mode types ＂ and ＇.
_DOUBLE = '"“”„＂'
_SINGLE = "'‘’＇"
_CLOSERS = {q: _DOUBLE for q in _DOUBLE} | {q: _SINGLE for q in "'‘＇"}
# Slack's own markup (<@U1|Ann Lee>, <https://x|a label>) may hold spaces; keep it one word.
_SLACK_MARKUP = re.compile(r"<(?:[@#!]|https?://|mailto:)[^<>]*>")
_QUOTED_INLINE = re.compile(rf"(?P<option>(?:--|[—–])[A-Za-z][A-Za-z_-]*)=(?=[{_DOUBLE}'‘])")


def _closing_quote(text: str, start: int) -> int:
    """Index of the quote closing the one at ``start``: a closer followed by space or the end."""
    closers = _CLOSERS[text[start]]
    for i in range(start + 1, len(text)):
        if text[i] in closers and (i + 1 == len(text) or text[i + 1].isspace()):
            return i
    snippet = text[start : start + 30]
    raise BadCommand(
        N_("The quote at %(snippet)r is never closed. Close it, or leave the quotes out."),
        snippet=snippet,
    )


def _word_end(text: str, start: int) -> int:
    """Index just past the unquoted word starting at ``start``."""
    i = start
    while i < len(text) and not text[i].isspace():
        markup = _SLACK_MARKUP.match(text, i) if text[i] == "<" else None
        i = markup.end() if markup else i + 1
    return i


def tokenize(text: str) -> list[Token]:
    """Split like a shell would, with the quoting rules in the module docstring."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] in _CLOSERS:
            end = _closing_quote(text, i)
            tokens.append(Token(text[i + 1 : end], quoted=True))
            i = end + 1
        elif inline := _QUOTED_INLINE.match(text, i):
            # --at="2021-12-28 10:00": the option, then its quoted value as the next token.
            tokens.append(Token(inline["option"], quoted=False))
            i = inline.end("option") + 1  # the quote after "="
        else:
            end = _word_end(text, i)
            tokens.append(Token(text[i:end], quoted=False))
            i = end
    return tokens


_FIRST_WORD = re.compile(r"\s*(?P<word>\S+)(?P<rest>.*)", re.DOTALL)


def first_word(text: str) -> tuple[str, str]:
    """The first word of ``text`` as typed, and the untouched rest (``""``, ``""`` if blank)."""
    match = _FIRST_WORD.fullmatch(text)
    return (match["word"], match["rest"]) if match else ("", "")


def nothing_more(rest: str, command: str, example: str | Message) -> None:
    """A BadCommand when anything but whitespace follows a ``command`` that takes nothing more."""
    if rest.strip():
        raise BadCommand(
            N_("I didn't understand %(rest)r: %(command)s takes nothing more. Try %(example)s"),
            rest=rest.strip(),
            command=command,
            example=example,
        )


def listing(words: tuple[str, ...]) -> Message:
    """``a, b or c``."""
    return Message(N_("%(some)s or %(last)s"), {"some": ", ".join(words[:-1]), "last": words[-1]})


# ---- times -------------------------------------------------------------------------------

def leading_time(text: str) -> tuple[str | None, str]:
    """A time at the start of free text (a note, a mark's words), and the rest exactly as typed.

    The same rule as every other time in a command: it may be quoted (``"2021-12-28 16:40"
    text``), and is otherwise read as ``timeparse.split_leading_time`` reads it.
    """
    stripped = text.strip()
    if stripped[:1] in _CLOSERS:
        try:
            end = _closing_quote(stripped, 0)
        except BadCommand:  # an unclosed quote in free text is just text
            return None, stripped
        inside = stripped[1:end]
        if is_time_word(inside) or (
            len(inside.split()) == 2 and is_time_word(inside.split()[0], date_only=True)
        ):
            return inside, stripped[end + 1 :].lstrip()
        return None, stripped
    return split_leading_time(stripped)


def time_length(tokens: list[Token]) -> int:
    """How many of the leading ``tokens`` (0, 1 or 2) are one time, before it is checked.

    A time is one word (``10:42``, ``2021-12-28T10:42``, a quoted ``"2021-12-28 10:42"``), or an
    unquoted date word followed by an unquoted clock word (``2021-12-28 10:42``).
    """
    if not tokens:
        return 0
    two = len(tokens) > 1 and not (tokens[0].quoted or tokens[1].quoted)
    if (
        two
        and is_time_word(tokens[0].text, date_only=True)
        and is_time_word(f"{tokens[0].text} {tokens[1].text}")
    ):
        return 2
    return 1


def read_time(raw: str, example: str | Message) -> str:
    """``raw`` checked for form (see check_time); a BadTime shows ``example``."""
    try:
        return check_time(raw)
    except BadTime as exc:
        raise BadTime(
            N_("%(problem)s For example: %(example)s"), problem=exc.message, example=example
        ) from None


def read_at(raw: str) -> str:
    """The value of ``--at``, checked for form."""
    try:
        return check_time(raw)
    except BadTime as exc:
        raise BadTime(N_("--at: %(problem)s"), problem=exc.message) from None


def final_time(tokens: list[Token], after: str | Message, example: str | Message) -> str | None:
    """The optional TIME that ends a command, after ``after``; BadCommand for anything else.

    ``after`` names what came before the time, as a ``Message`` so the error says it in the
    reader's language (a plain str is shown as it is)."""
    count = time_length(tokens)
    if len(tokens) > count:
        stray = " ".join(t.text for t in tokens)
        raise BadCommand(
            N_(
                "I didn't understand %(stray)r: only a time may come after %(after)s. "
                "Try %(example)s"
            ),
            stray=stray,
            after=after,
            example=example,
        )
    return read_time(" ".join(t.text for t in tokens), example) if count else None


# ---- options -----------------------------------------------------------------------------


class Unset(enum.Enum):
    """Type of ``NOT_GIVEN``: an option the user did not write (unlike ``--impact none``)."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Literal[Unset.NOT_GIVEN] = Unset.NOT_GIVEN

T = TypeVar("T")
# one word; a time (maybe two words); words until --x; no value at all (--private)
Kind = Literal["one", "time", "many", "flag"]
_OPTION = re.compile(r"(?:--|[—–])(?P<name>[A-Za-z][A-Za-z_-]*)(?:=(?P<value>.*))?", re.DOTALL)
_ALIASES = {"severity": "sev"}


def _option(token: Token, spec: Mapping[str, Kind]) -> tuple[str, str | None] | None:
    """(name, inline value) when ``token`` is an option of ``spec``; None when it is text."""
    word = normal(token.text)  # an IME's full-width －－ｓｅｖ＝２ is --sev=2
    match = None if token.quoted else _OPTION.fullmatch(word)
    if match is None:
        return None
    name = match["name"].lower().replace("_", "-")
    name = _ALIASES.get(name, name)
    if name in spec:
        return name, match["value"]
    if word.startswith("--"):
        known = ", ".join(f"--{n}" for n in spec) or Message(N_("none"))
        raise BadCommand(
            N_("I don't know the option %(option)r. Options: %(known)s."),
            option=token.text.split("=")[0].split("＝")[0],
            known=known,
        )
    return None  # "—foo" with an unknown name is just a dash in the text


def _value_count(tokens: list[Token], i: int, kind: Kind, spec: Mapping[str, Kind]) -> int:
    """How many tokens from ``i`` on are an option's value (0: the value is missing)."""

    def is_value(j: int) -> bool:
        return j < len(tokens) and _option(tokens[j], spec) is None

    end = i
    while is_value(end) and (kind == "many" or end == i):
        end += 1
    if kind == "time" and end > i and is_value(end):
        # "--at 2021-12-28 10:00" without quotes: a date word takes the clock word after it.
        end = i + time_length(tokens[i : end + 1])
    return end - i


def split_options(
    text: str, spec: Mapping[str, Kind], examples: Mapping[str, str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Separate option values (by option name) from the free words, in any order.

    ``examples`` holds an example of each option in ``spec``, for the error messages.
    """
    tokens = tokenize(text)
    values: dict[str, list[str]] = {}
    free: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].text == "--" and not tokens[i].quoted:
            free.extend(t.text for t in tokens[i + 1 :])  # "--" ends the options
            break
        option = _option(tokens[i], spec)
        if option is None:
            free.append(tokens[i].text)
            i += 1
            continue
        name, inline = option
        if name in values:
            raise BadCommand(
                N_("--%(name)s is given twice; please give it once: %(example)s."),
                name=name,
                example=examples[name],
            )
        kind, start = spec[name], i + 1
        if kind == "flag":
            if inline is not None:
                raise BadCommand(
                    N_("--%(name)s takes no value: %(example)s."),
                    name=name,
                    example=examples[name],
                )
            values[name] = []
            i = start
            continue
        # "--sev=2" holds its whole value; only a list ("--reviewers=<@U1> <@U2>") goes on.
        inline_only = inline is not None and kind != "many"
        count = 0 if inline_only else _value_count(tokens, start, kind, spec)
        given = [] if inline is None else [inline]
        given += [t.text for t in tokens[start : start + count]]
        values[name] = [value for value in given if value]
        if not values[name]:
            raise BadCommand(
                N_("--%(name)s needs a value, e.g. %(example)s."), name=name, example=examples[name]
            )
        i = start + count
    return values, free


def read_option(values: Mapping[str, list[str]], name: str, read: Callable[[str], T]) -> T | None:
    """The value of option ``--name`` (from split_options) read by ``read``; None if not given."""
    return read(" ".join(values[name])) if name in values else None
