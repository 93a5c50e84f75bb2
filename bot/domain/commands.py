"""Parse the text of the ``/incident`` slash command into typed commands.

``parse(text)`` returns one of the ``Command`` types, or raises ``BadCommand`` (``BadTime`` for
times and durations) with a message that is safe to show the user. ``command_help.HELP_LINES``
has every form; action items and the postmortem have their own modules (``action_commands``,
``postmortem_commands``).

Syntax, in brief:

* The first word is the subcommand, in any case. Empty text is ``help``; an unknown word is
  ``Help(unknown=word)`` so the reply can say what was not understood.
* ``note [TIME] text``, ``mark MOMENT [TIME] [text]``, ``postmortem waive reason`` and
  ``retro held [notes]``: the text is not tokenised; it is kept exactly as typed.
* ``note edit|move|delete N …`` corrects note N (``3`` or ``#3``), but only when a number follows
  the word: ``note edit the config`` is a plain note. A note that really starts with ``edit 3``
  needs its time first: ``note 10:42 edit 3 …``.
* ``action add text [--owner @u] [--due DUE] [--priority P]``; ``action list`` (or ``action``);
  ``action done N``, ``action drop N reason`` (the reason kept exactly as typed), ``action owner N
  @u`` and ``action due N DUE``. A DUE is a date or days/weeks from today (``bot.domain.actions``),
  checked for form here and turned into a date by ``resolve_due`` once today is known.
* ``start``, ``close`` and ``action add`` take options (``--sev 2``) before or after the free
  text; the other subcommands take their words in order. A TIME is one word, or
  ``YYYY-MM-DD HH:MM`` as two. Quoting and options follow ``bot.domain.tokens``.

Slack escapes ``&``, ``<`` and ``>`` in command text (``should_escape``). ``parse`` does not undo
that — the caller decides, usually ``parse(mrkdwn.unescape_slack(text))``. Either way, mentions
stay in Slack's ``<@U123|name>`` form, which ``--reviewers``, ``role``, ``postmortem`` and
``--owner`` read; free text (titles, notes, action items) comes back as given and must be escaped
when rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.action_commands import ActionCommand, parse_action
from bot.domain.command_help import OPTION_EXAMPLES, USAGE
from bot.domain.errors import BadCommand
from bot.domain.lifecycle import MARKS, ROLES, STATUSES
from bot.domain.messages import N_, Message
from bot.domain.model import DETECTIONS, INTERVENTIONS, CloseFacts
from bot.domain.postmortem_commands import (
    PostmortemCommand,
    RetroHeld,
    parse_postmortem,
    parse_retro,
)
from bot.domain.tokens import (
    NOT_GIVEN,
    Kind,
    Unset,
    final_time,
    first_word,
    leading_time,
    listing,
    nothing_more,
    read_at,
    read_option,
    read_time,
    split_options,
    tokenize,
)
from bot.domain.values import (
    mention_id,
    read_choice,
    read_data_loss,
    read_impact,
    read_note_number,
    read_reviewers,
    read_severity,
)


@dataclass(frozen=True)
class Help:
    topic: str | None = None  # a subcommand name, or None for general help
    unknown: str | None = None  # the subcommand word we did not understand, as typed


@dataclass(frozen=True)
class Start:
    title: str
    severity: int | None = None
    at: str | None = None  # checked for form; parse_time() with the user's zone gives the time
    private: bool = False  # --private: a private channel, said nowhere else (bot.domain.visibility)


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
        return self.facts is not None

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


@dataclass(frozen=True)
class Status:
    status: str  # one of STATUSES
    at: str | None = None  # like Start.at


@dataclass(frozen=True)
class Severity:
    severity: int  # one of SEVERITIES
    at: str | None = None


@dataclass(frozen=True)
class Role:
    role: str | None = None  # one of ROLES; None (and no user): list who has which role
    user: str | None = None  # Slack user id


@dataclass(frozen=True)
class Mark:
    mark: str  # one of MARKS
    at: str | None
    text: str  # exactly as typed, minus outer whitespace; may be empty


@dataclass(frozen=True)
class Timeline:
    check: bool = False  # `timeline check`: the timeline review instead of the entries
    page: int | None = None  # `timeline 2`: that page; None: the newest entries


@dataclass(frozen=True)
class NoteEdit:
    number: int  # the note's number in the timeline (#3)
    text: str  # exactly as typed, minus outer whitespace


@dataclass(frozen=True)
class NoteMove:
    number: int
    at: str


@dataclass(frozen=True)
class NoteDelete:
    number: int


NoteCorrection = NoteEdit | NoteMove | NoteDelete


LifecycleCommand = Status | Severity | Role | Mark | Timeline | NoteCorrection
Command = (
    Help | Start | Note | Close | LifecycleCommand | ActionCommand | PostmortemCommand | RetroHeld
)


# ---- start, note, close ------------------------------------------------------------------

_START_OPTIONS: dict[str, Kind] = {"sev": "one", "at": "time", "private": "flag"}
_CLOSE_OPTIONS: dict[str, Kind] = {
    "at": "time",
    "impact": "one",
    "data-loss": "one",
    "intervention": "one",
    "detected-by": "one",
    "reviewers": "many",
}


def _parse_start(rest: str) -> Start:
    values, free = split_options(rest, _START_OPTIONS, OPTION_EXAMPLES)
    title = " ".join(word for word in free if word).strip()
    if not title:
        usage, example = USAGE["start"]
        raise BadCommand(
            N_("What is the incident called? Try %(example)s (usage: %(usage)s)."),
            example=example,
            usage=usage,
        )
    return Start(
        title=title,
        severity=read_option(values, "sev", read_severity),
        at=read_option(values, "at", read_at),
        private="private" in values,
    )


_CORRECTION = re.compile(
    r"\s*(?P<verb>edit|move|delete)\s+(?P<number>#?[0-9]+)(?=\s|\Z)(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)


def _parse_note(rest: str) -> Note | NoteCorrection:
    correction = _CORRECTION.fullmatch(rest)
    if correction is not None:
        return _parse_correction(correction)
    at, text = leading_time(rest)
    if at is not None:
        at = read_time(at, USAGE["note"][1])
    if not text:
        raise BadCommand(N_("What happened? Try %(example)s"), example=USAGE["note"][1])
    return Note(at=at, text=text)


def _parse_correction(match: re.Match[str]) -> NoteCorrection:
    verb, number, rest = match["verb"].lower(), read_note_number(match["number"]), match["rest"]
    if verb == "edit":
        if not rest.strip():
            raise BadCommand(
                N_(
                    "What should note #%(number)s say instead? "
                    "Try /incident note edit %(number)s <the corrected text>"
                ),
                number=number,
            )
        return NoteEdit(number=number, text=rest.strip())
    # Unlike an edit, a stray word here hints at a plain note that starts like a correction.
    written = f"{match['verb']} {match['number']}"
    hint = Message(
        N_("To write a note that begins with %(written)r, put its time first: %(example)s"),
        {"written": written, "example": f"/incident note 10:42 {written} …"},
    )
    if verb == "delete":
        if rest.strip():
            raise BadCommand(
                N_("Delete takes just the number: /incident note delete %(number)s\n%(hint)s"),
                number=number,
                hint=hint,
            )
        return NoteDelete(number=number)
    example = f"/incident note move {number} 10:42"
    note = Message(N_("note #%(number)s"), {"number": number})
    try:
        at = final_time(tokenize(rest), note, example)
    except BadCommand as exc:
        raise type(exc)(N_("%(problem)s\n%(hint)s"), problem=exc.message, hint=hint) from None
    if at is None:
        raise BadCommand(
            N_("When did note #%(number)s happen? Try %(example)s"), number=number, example=example
        )
    return NoteMove(number=number, at=at)


def _parse_close(rest: str) -> Close:
    values, free = split_options(rest, _CLOSE_OPTIONS, OPTION_EXAMPLES)
    if any(free):
        stray = " ".join(word for word in free if word)
        raise BadCommand(
            N_("I didn't understand %(stray)r: close only takes options. Try %(example)s"),
            stray=stray,
            example=USAGE["close"][1],
        )

    def choice(name: str, choices: tuple[str, ...]) -> str | None:
        return read_option(values, name, lambda raw: read_choice(name, raw, choices))

    return Close(
        at=read_option(values, "at", read_at),
        impact=read_impact(" ".join(values["impact"])) if "impact" in values else NOT_GIVEN,
        data_loss=read_option(values, "data-loss", read_data_loss),
        intervention=choice("intervention", INTERVENTIONS),
        detected_by=choice("detected-by", DETECTIONS),
        reviewers=read_reviewers(values.get("reviewers", [])),
    )


# ---- the incident's lifecycle ------------------------------------------------------------


def _parse_status(rest: str) -> Status:
    tokens, example = tokenize(rest), USAGE["status"][1]
    if not tokens or tokens[0].text.lower() not in STATUSES:
        if tokens:
            raise BadCommand(
                N_("The status is one of %(choices)s; got %(got)r. Try %(example)s"),
                choices=listing(STATUSES),
                got=tokens[0].text,
                example=example,
            )
        raise BadCommand(
            N_("The status is one of %(choices)s. Try %(example)s"),
            choices=listing(STATUSES),
            example=example,
        )
    at = final_time(tokens[1:], Message(N_("the status")), example)
    return Status(status=tokens[0].text.lower(), at=at)


def _parse_severity(rest: str) -> Severity:
    tokens, example = tokenize(rest), USAGE["sev"][1]
    if not tokens:
        raise BadCommand(
            N_("Which severity: 1, 2, 3 or 4 (1 is the worst)? Try %(example)s"), example=example
        )
    return Severity(
        severity=read_severity(tokens[0].text, example),
        at=final_time(tokens[1:], Message(N_("the severity")), example),
    )


def _parse_role(rest: str) -> Role:
    tokens = tokenize(rest)
    if not tokens:
        return Role()
    role = tokens[0].text.lower()
    if role not in ROLES:
        raise BadCommand(
            N_(
                "The role is one of %(choices)s; got %(got)r. "
                "Try %(example)s, or /incident role to see who has which."
            ),
            choices=listing(ROLES),
            got=tokens[0].text,
            example=USAGE["role"][1],
        )
    example = f"/incident role {role} @alice"
    if len(tokens) == 1:
        raise BadCommand(
            N_("Who should take the %(role)s role? Try %(example)s"),
            role=Message(role),
            example=example,
        )
    if len(tokens) > 2:
        raise BadCommand(N_("One person per role, please: %(example)s"), example=example)
    wanted = Message(N_("The %(role)s role goes to a person"), {"role": Message(role)})
    user = mention_id(tokens[1].text, wanted=wanted, example=example)
    return Role(role=role, user=user)


def _parse_mark(rest: str) -> Mark:
    (word, rest), example = first_word(rest), USAGE["mark"][1]
    mark = word.lower().replace("_", "-")
    if mark not in MARKS:
        if word:
            raise BadCommand(
                N_("Which moment? Mark one of %(choices)s; got %(got)r. Try %(example)s"),
                choices=listing(MARKS),
                got=word,
                example=example,
            )
        raise BadCommand(
            N_("Which moment? Mark one of %(choices)s. Try %(example)s"),
            choices=listing(MARKS),
            example=example,
        )
    at, text = leading_time(rest)
    return Mark(mark=mark, at=None if at is None else read_time(at, example), text=text)


def _parse_timeline(rest: str) -> Timeline:
    word, more = first_word(rest)
    if word.lower() == "check":
        nothing_more(more, "timeline check", USAGE["timeline"][1])
        return Timeline(check=True)
    if word.lower() == "page":
        word, more = first_word(more)
    if word.isascii() and word.isdigit() and 0 < int(word) < 10_000:
        nothing_more(more, "timeline", USAGE["timeline"][1])
        return Timeline(page=int(word))
    nothing_more(rest, "timeline", USAGE["timeline"][1])
    return Timeline()


# ---- parse -------------------------------------------------------------------------------


def _parse_help(rest: str) -> Help:
    words = rest.split()
    topic = words[0].lower() if words else None
    # An unknown topic gets the general help, saying it was not understood.
    if topic is not None and topic not in USAGE:
        return Help(unknown=words[0])
    return Help(topic=topic)


SUBCOMMANDS: dict[str, Callable[[str], Command]] = {
    "start": _parse_start,
    "note": _parse_note,
    "close": _parse_close,
    "status": _parse_status,
    "sev": _parse_severity,
    "role": _parse_role,
    "mark": _parse_mark,
    "timeline": _parse_timeline,
    "action": parse_action,
    "postmortem": parse_postmortem,
    "retro": parse_retro,
    "help": _parse_help,
}


def parse(text: str) -> Command:
    """Parse ``/incident`` command text (see the module docstring); raise BadCommand if unclear."""
    word, rest = first_word(text)
    if not word:
        return Help()
    parse_rest = SUBCOMMANDS.get(word.lower())
    if parse_rest is None:
        return Help(unknown=word)
    return parse_rest(rest)
