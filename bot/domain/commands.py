"""Parse the text of the ``/incident`` slash command into typed commands.

``parse(text)`` returns ``Help``, ``Start``, ``Note`` or ``Close``, or raises ``BadCommand``
(``BadTime`` for times and durations) with a message that is safe to show the user.

Syntax, in brief:

* The first word is the subcommand, in any case. Empty text is ``help``; an unknown word is
  ``Help(unknown=word)`` so the reply can say what was not understood.
* ``note [TIME] text``: the text is not tokenised; it is kept exactly as typed.
* For ``start`` and ``close``, options (``--sev 2`` or ``--sev=2``) may stand before or after the
  free text. Values can be quoted with ``"…"``, ``'…'`` or the smart quotes ``“…”`` and ``‘…’``
  that Slack clients substitute. A quote only opens at the start of a word and only closes before
  whitespace or the end, so ``Can't`` and ``Can’t`` are plain words. ``--`` ends the options.
  ``—sev`` (a client's autocorrection of ``--sev``) is read as ``--sev``.

Slack escapes ``&``, ``<`` and ``>`` in command text (``should_escape``). ``parse`` does not undo
that — the caller decides, usually ``parse(mrkdwn.unescape_slack(text))``. Either way, mentions
stay in Slack's ``<@U123|name>`` form, which is what ``--reviewers`` reads; free text (titles,
notes) comes back as given and must be escaped when rendered.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.domain.errors import BadCommand, BadTime
from bot.domain.model import DETECTIONS, INTERVENTIONS, SEVERITIES, CloseFacts
from bot.domain.timeparse import check_time, parse_duration, split_leading_time


class Unset(enum.Enum):
    """Type of ``NOT_GIVEN``: an option the user did not write (unlike ``--impact none``)."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Literal[Unset.NOT_GIVEN] = Unset.NOT_GIVEN

HELP_LINES: tuple[tuple[str, str], ...] = (
    (
        "/incident start <title> [--sev 1-4] [--at TIME]",
        "/incident start Kafka brokers down --sev 2",
    ),
    (
        "/incident note [TIME] <what happened>",
        "/incident note 10:42 Rolled back deploy 1234",
    ),
    (
        "/incident close [--at TIME] [--impact DURATION|none] [--data-loss yes|no] "
        f"[--intervention {'|'.join(INTERVENTIONS)}] [--detected-by {'|'.join(DETECTIONS)}] "
        "[--reviewers @a @b]",
        "/incident close --impact 27m --data-loss no --intervention rollback "
        "--detected-by monitoring",
    ),
    ("/incident help [command]", "/incident help close"),
)
_USAGE = {line[0].split()[1]: line for line in HELP_LINES}


@dataclass(frozen=True)
class Help:
    topic: str | None = None  # a subcommand name, or None for general help
    unknown: str | None = None  # the subcommand word we did not understand, as typed


@dataclass(frozen=True)
class Start:
    title: str
    severity: int | None = None
    at: str | None = None  # checked for form; parse_time() with the user's zone gives the time


@dataclass(frozen=True)
class Note:
    at: str | None
    text: str  # exactly as typed, minus outer whitespace


@dataclass(frozen=True)
class Close:
    at: str | None = None
    impact: timedelta | None | Unset = NOT_GIVEN  # None: "--impact none"
    data_loss: bool | None = None
    intervention: str | None = None
    detected_by: str | None = None
    reviewers: tuple[str, ...] = ()  # Slack user ids

    @property
    def is_complete(self) -> bool:
        """All facts given, so the incident can be closed without asking in a modal."""
        return (
            self.impact is not NOT_GIVEN
            and self.data_loss is not None
            and self.intervention is not None
            and self.detected_by is not None
        )

    @property
    def facts(self) -> CloseFacts | None:
        """The facts as the domain stores them, or None while some are missing."""
        if (
            isinstance(self.impact, Unset)
            or self.data_loss is None
            or self.intervention is None
            or self.detected_by is None
        ):
            return None
        return CloseFacts(self.impact, self.data_loss, self.intervention, self.detected_by)


Command = Help | Start | Note | Close


# ---- tokens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool  # a quoted token is always text, never an option


# Clients swap straight quotes for curly ones (and not always the right way round), so any
# double-ish quote closes any double-ish quote, and likewise for single quotes.
_DOUBLE = '"“”„'
_SINGLE = "'‘’"
_CLOSERS = {q: _DOUBLE for q in _DOUBLE} | {q: _SINGLE for q in "'‘"}
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
        f"The quote at {snippet!r} is never closed. Close it, or leave the quotes out."
    )


def _word_end(text: str, start: int) -> int:
    """Index just past the unquoted word starting at ``start``."""
    i = start
    while i < len(text) and not text[i].isspace():
        markup = _SLACK_MARKUP.match(text, i) if text[i] == "<" else None
        i = markup.end() if markup else i + 1
    return i


def _tokenize(text: str) -> list[_Token]:
    """Split like a shell would, with the quoting rules in the module docstring."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] in _CLOSERS:
            end = _closing_quote(text, i)
            tokens.append(_Token(text[i + 1 : end], quoted=True))
            i = end + 1
        elif inline := _QUOTED_INLINE.match(text, i):
            # --at="2021-12-28 10:00": the option, then its quoted value as the next token.
            tokens.append(_Token(inline["option"], quoted=False))
            i = inline.end("option") + 1  # the quote after "="
        else:
            end = _word_end(text, i)
            tokens.append(_Token(text[i:end], quoted=False))
            i = end
    return tokens


# ---- options -----------------------------------------------------------------------------

_Kind = Literal["one", "time", "many"]  # one word; a time (maybe two words); words until --x
_OPTION = re.compile(r"(?:--|[—–])(?P<name>[A-Za-z][A-Za-z_-]*)(?:=(?P<value>.*))?", re.DOTALL)
_DATE_WORD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK_WORD = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?")
_ALIASES = {"severity": "sev"}
_EXAMPLES = {
    "sev": "--sev 2",
    "at": '--at 10:42 or --at "2021-12-28 10:42"',
    "impact": "--impact 25m (or --impact none)",
    "data-loss": "--data-loss no (or yes)",
    "intervention": f"--intervention rollback (one of {', '.join(INTERVENTIONS)})",
    "detected-by": f"--detected-by monitoring (one of {', '.join(DETECTIONS)})",
    "reviewers": "--reviewers @alice @bob",
}


def _option(token: _Token, spec: Mapping[str, _Kind]) -> tuple[str, str | None] | None:
    """(name, inline value) when ``token`` is an option of ``spec``; None when it is text."""
    match = None if token.quoted else _OPTION.fullmatch(token.text)
    if match is None:
        return None
    name = match["name"].lower().replace("_", "-")
    name = _ALIASES.get(name, name)
    if name in spec:
        return name, match["value"]
    if token.text.startswith("--"):
        known = ", ".join(f"--{n}" for n in spec) or "none"
        raise BadCommand(f"I don't know the option {token.text.split('=')[0]!r}. Options: {known}.")
    return None  # "—foo" with an unknown name is just a dash in the text


def _value_count(tokens: list[_Token], i: int, kind: _Kind, spec: Mapping[str, _Kind]) -> int:
    """How many tokens from ``i`` on are an option's value (0: the value is missing)."""

    def is_value(j: int) -> bool:
        return j < len(tokens) and _option(tokens[j], spec) is None

    end = i
    while is_value(end) and (kind == "many" or end == i):
        end += 1
    if kind == "time" and end > i and is_value(end):
        # "--at 2021-12-28 10:00" without quotes: a date word takes the clock word after it.
        first, second = tokens[i], tokens[end]
        if not (first.quoted or second.quoted) and (
            _DATE_WORD.fullmatch(first.text) and _CLOCK_WORD.fullmatch(second.text)
        ):
            end += 1
    return end - i


def _split_options(text: str, spec: Mapping[str, _Kind]) -> tuple[dict[str, list[str]], list[str]]:
    """Separate option values (by option name) from the free words, in any order."""
    tokens = _tokenize(text)
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
            raise BadCommand(f"--{name} is given twice; please give it once: {_EXAMPLES[name]}.")
        kind, start = spec[name], i + 1
        # "--sev=2" holds its whole value; only a list ("--reviewers=<@U1> <@U2>") goes on.
        inline_only = inline is not None and kind != "many"
        count = 0 if inline_only else _value_count(tokens, start, kind, spec)
        given = [] if inline is None else [inline]
        given += [t.text for t in tokens[start : start + count]]
        values[name] = [value for value in given if value]
        if not values[name]:
            raise BadCommand(f"--{name} needs a value, e.g. {_EXAMPLES[name]}.")
        i = start + count
    return values, free


# ---- option values -----------------------------------------------------------------------

_SEVERITY = re.compile(r"(?:sev-?|s)?(?P<n>[0-9]{1,3})", re.IGNORECASE)
_MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_YES_NO = {"yes": True, "true": True, "no": False, "false": False}


def _severity(raw: str) -> int:
    match = _SEVERITY.fullmatch(raw)
    if match is None or int(match["n"]) not in SEVERITIES:
        raise BadCommand(
            f"Severity must be 1, 2, 3 or 4 (1 is the worst), e.g. --sev 2; got {raw!r}."
        )
    return int(match["n"])


def _time(raw: str) -> str:
    try:
        return check_time(raw)
    except BadTime as exc:
        raise BadTime(f"--at: {exc}") from None


def _impact(raw: str) -> timedelta | None:
    if raw.lower() == "none":
        return None
    try:
        impact = parse_duration(raw)
    except BadTime as exc:
        raise BadTime(f"--impact: {exc} Or write --impact none.") from None
    # Zero impact is no impact: one representation downstream, not two.
    return impact or None


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.lower().replace("_", "-")
    if value not in choices:
        raise BadCommand(f"--{name} must be one of {', '.join(choices)}; got {raw!r}.")
    return value


def _data_loss(raw: str) -> bool:
    if raw.lower() not in _YES_NO:
        raise BadCommand(f"--data-loss must be yes or no; got {raw!r}.")
    return _YES_NO[raw.lower()]


def _reviewers(words: list[str]) -> tuple[str, ...]:
    """Slack user ids from mentions, in order, without repeats; commas between are fine."""
    ids: list[str] = []
    for word in words:
        for part in filter(None, word.split(",")):
            match = _MENTION.fullmatch(part)
            if match is None:
                raise BadCommand(_not_a_mention(part))
            ids.append(match["id"])
    return tuple(dict.fromkeys(ids))


def _not_a_mention(word: str) -> str:
    if word.startswith("@"):
        # Typed by hand (or the command lacks should_escape), Slack sends no user id with it.
        return (
            f"I can't tell who {word!r} is. When you type @, pick the person from Slack's "
            "autocomplete list so it becomes a mention, e.g. --reviewers @alice @bob."
        )
    return f"--reviewers takes people, e.g. --reviewers @alice @bob; {word!r} isn't one."


# ---- subcommands -------------------------------------------------------------------------

_START_OPTIONS: dict[str, _Kind] = {"sev": "one", "at": "time"}
_CLOSE_OPTIONS: dict[str, _Kind] = {
    "at": "time",
    "impact": "one",
    "data-loss": "one",
    "intervention": "one",
    "detected-by": "one",
    "reviewers": "many",
}


def _one(values: dict[str, list[str]], name: str) -> str | None:
    return " ".join(values[name]) if name in values else None


def _parse_start(rest: str) -> Start:
    values, free = _split_options(rest, _START_OPTIONS)
    title = " ".join(word for word in free if word).strip()
    if not title:
        usage, example = _USAGE["start"]
        raise BadCommand(f"What is the incident called? Try {example} (usage: {usage}).")
    sev, at = _one(values, "sev"), _one(values, "at")
    return Start(
        title=title,
        severity=None if sev is None else _severity(sev),
        at=None if at is None else _time(at),
    )


def _parse_note(rest: str) -> Note:
    at, text = split_leading_time(rest)
    if at is not None:
        check_time(at)
    if not text:
        raise BadCommand(f"What happened? Try {_USAGE['note'][1]}")
    return Note(at=at, text=text)


def _parse_close(rest: str) -> Close:
    values, free = _split_options(rest, _CLOSE_OPTIONS)
    if any(free):
        stray = " ".join(word for word in free if word)
        raise BadCommand(
            f"I didn't understand {stray!r}: close only takes options. Try {_USAGE['close'][1]}"
        )
    at = _one(values, "at")
    impact = _one(values, "impact")
    data_loss = _one(values, "data-loss")
    intervention = _one(values, "intervention")
    detected_by = _one(values, "detected-by")
    return Close(
        at=None if at is None else _time(at),
        impact=NOT_GIVEN if impact is None else _impact(impact),
        data_loss=None if data_loss is None else _data_loss(data_loss),
        intervention=None
        if intervention is None
        else _choice("intervention", intervention, INTERVENTIONS),
        detected_by=None
        if detected_by is None
        else _choice("detected-by", detected_by, DETECTIONS),
        reviewers=_reviewers(values.get("reviewers", [])),
    )


def _parse_help(rest: str) -> Help:
    words = rest.split()
    topic = words[0].lower() if words else None
    # An unknown topic gets the general help rather than an error.
    return Help(topic=topic if topic in _USAGE else None)


_SUBCOMMANDS: dict[str, Callable[[str], Command]] = {
    "start": _parse_start,
    "note": _parse_note,
    "close": _parse_close,
    "help": _parse_help,
}
_SUBCOMMAND = re.compile(r"\s*(?P<word>\S+)(?P<rest>.*)", re.DOTALL)


def parse(text: str) -> Command:
    """Parse ``/incident`` command text (see the module docstring); raise BadCommand if unclear."""
    match = _SUBCOMMAND.fullmatch(text)
    if match is None:
        return Help()
    parse_rest = _SUBCOMMANDS.get(match["word"].lower())
    if parse_rest is None:
        return Help(unknown=match["word"])
    return parse_rest(match["rest"])
