"""Parse the text of the ``/incident`` slash command into typed commands.

``parse(text)`` returns one of the ``Command`` types, or raises ``BadCommand`` (``BadTime`` for
times and durations) with a message that is safe to show the user. HELP_LINES has every form.

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

from bot.domain.actions import PRIORITIES, check_due
from bot.domain.errors import BadCommand, BadTime
from bot.domain.lifecycle import MARKS, ROLES, STATUSES
from bot.domain.messages import N_, Message
from bot.domain.model import DETECTIONS, INTERVENTIONS, CloseFacts
from bot.domain.timeparse import check_time, split_leading_time
from bot.domain.tokens import (
    NOT_GIVEN,
    Kind,
    Unset,
    final_time,
    first_word,
    listing,
    mention_id,
    nothing_more,
    read_action_number,
    read_at,
    read_choice,
    read_data_loss,
    read_impact,
    read_note_number,
    read_option,
    read_people,
    read_reviewers,
    read_severity,
    read_time,
    split_options,
    tokenize,
)

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
    (f"/incident status {'|'.join(STATUSES)} [TIME]", "/incident status monitoring 10:42"),
    ("/incident sev 1-4 [TIME]", "/incident sev 2"),
    (f"/incident role [{'|'.join(ROLES)} @person]", "/incident role commander @alice"),
    (
        f"/incident mark {'|'.join(MARKS)} [TIME] [what]",
        "/incident mark mitigated 10:58 Failover to the replica done",
    ),
    ("/incident timeline", "/incident timeline"),
    (
        "/incident note edit N <text> | note move N TIME | note delete N",
        "/incident note move 3 10:40",
    ),
    (
        "/incident action add <text> [--owner @person] [--due YYYY-MM-DD|2w|10d] "
        f"[--priority {'|'.join(PRIORITIES)}]",
        "/incident action add Alert on replica lag --owner @alice --due 2w --priority high",
    ),
    ("/incident action [list] | action done N", "/incident action done 2"),
    ("/incident action drop N <reason>", "/incident action drop 3 Duplicate of action #1"),
    (
        "/incident action owner N @person | action due N YYYY-MM-DD|2w",
        "/incident action owner 2 @alice",
    ),
    (
        "/incident postmortem [author @person | reviewers @a @b | ready]",
        "/incident postmortem author @alice",
    ),
    ("/incident postmortem waive <reason>", "/incident postmortem waive Duplicate of INC-6"),
    ("/incident postmortem edit [section]", "/incident postmortem edit root-cause"),
    ("/incident postmortem check", "/incident postmortem check"),
    ("/incident retro held [notes]", "/incident retro held Walked the timeline, 3 actions"),
    ("/incident help [command]", "/incident help close"),
)
# The first line of each subcommand; "note" is the note itself, not its corrections.
_USAGE = {line[0].split()[1]: line for line in reversed(HELP_LINES)}


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
    pass


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


@dataclass(frozen=True)
class PostmortemShow:
    pass


@dataclass(frozen=True)
class PostmortemAuthor:
    user: str  # Slack user id


@dataclass(frozen=True)
class PostmortemReviewers:
    users: tuple[str, ...]  # Slack user ids, at least one, in order, without repeats


@dataclass(frozen=True)
class PostmortemReady:
    pass


@dataclass(frozen=True)
class PostmortemWaive:
    reason: str  # exactly as typed, minus outer whitespace; never empty


@dataclass(frozen=True)
class PostmortemEdit:
    section: str | None = None  # one of EDITABLE_SECTIONS; None: pick one in the form


@dataclass(frozen=True)
class PostmortemCheck:
    pass


@dataclass(frozen=True)
class RetroHeld:
    notes: str  # exactly as typed, minus outer whitespace; may be empty


@dataclass(frozen=True)
class ActionAdd:
    text: str  # the free words, as for a title
    owner: str | None = None  # Slack user id; may be set later
    due: str | None = None  # as typed, checked for form; resolve_due() gives the date
    priority: str | None = None  # one of PRIORITIES; None: not given (the SLO treats it as medium)


@dataclass(frozen=True)
class ActionList:
    pass


@dataclass(frozen=True)
class ActionDone:
    number: int  # the item's number in /incident action list (#2)


@dataclass(frozen=True)
class ActionDrop:
    number: int
    reason: str  # exactly as typed, minus outer whitespace; never empty


@dataclass(frozen=True)
class ActionOwner:
    number: int
    owner: str  # Slack user id


@dataclass(frozen=True)
class ActionDue:
    number: int
    due: str  # like ActionAdd.due


ActionCommand = ActionAdd | ActionList | ActionDone | ActionDrop | ActionOwner | ActionDue
PostmortemCommand = (
    PostmortemShow
    | PostmortemAuthor
    | PostmortemReviewers
    | PostmortemReady
    | PostmortemWaive
    | PostmortemEdit
    | PostmortemCheck
)
LifecycleCommand = Status | Severity | Role | Mark | Timeline | NoteCorrection
Command = (
    Help | Start | Note | Close | LifecycleCommand | ActionCommand | PostmortemCommand | RetroHeld
)


# ---- start, note, close ------------------------------------------------------------------

_START_OPTIONS: dict[str, Kind] = {"sev": "one", "at": "time"}
_CLOSE_OPTIONS: dict[str, Kind] = {
    "at": "time",
    "impact": "one",
    "data-loss": "one",
    "intervention": "one",
    "detected-by": "one",
    "reviewers": "many",
}
_OPTION_EXAMPLES = {
    "sev": "--sev 2",
    "at": '--at 10:42 or --at "2021-12-28 10:42"',
    "impact": "--impact 25m (or --impact none)",
    "data-loss": "--data-loss no (or yes)",
    "intervention": f"--intervention rollback (one of {', '.join(INTERVENTIONS)})",
    "detected-by": f"--detected-by monitoring (one of {', '.join(DETECTIONS)})",
    "reviewers": "--reviewers @alice @bob",
    "owner": "--owner @alice",
    "due": "--due 2021-12-31 (or --due 10d, --due 2w)",
    "priority": f"--priority high (one of {', '.join(PRIORITIES)})",
}


def _parse_start(rest: str) -> Start:
    values, free = split_options(rest, _START_OPTIONS, _OPTION_EXAMPLES)
    title = " ".join(word for word in free if word).strip()
    if not title:
        usage, example = _USAGE["start"]
        raise BadCommand(
            N_("What is the incident called? Try %(example)s (usage: %(usage)s)."),
            example=example,
            usage=usage,
        )
    return Start(
        title=title,
        severity=read_option(values, "sev", read_severity),
        at=read_option(values, "at", read_at),
    )


_CORRECTION = re.compile(
    r"\s*(?P<verb>edit|move|delete)\s+(?P<number>#?[0-9]+)(?=\s|\Z)(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)


def _parse_note(rest: str) -> Note | NoteCorrection:
    correction = _CORRECTION.fullmatch(rest)
    if correction is not None:
        return _parse_correction(correction)
    at, text = split_leading_time(rest)
    if at is not None:
        check_time(at)
    if not text:
        raise BadCommand(N_("What happened? Try %(example)s"), example=_USAGE["note"][1])
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
    values, free = split_options(rest, _CLOSE_OPTIONS, _OPTION_EXAMPLES)
    if any(free):
        stray = " ".join(word for word in free if word)
        raise BadCommand(
            N_("I didn't understand %(stray)r: close only takes options. Try %(example)s"),
            stray=stray,
            example=_USAGE["close"][1],
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
    tokens, example = tokenize(rest), _USAGE["status"][1]
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
    tokens, example = tokenize(rest), _USAGE["sev"][1]
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
            example=_USAGE["role"][1],
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
    (word, rest), example = first_word(rest), _USAGE["mark"][1]
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
    at, text = split_leading_time(rest)
    return Mark(mark=mark, at=None if at is None else read_time(at, example), text=text)


def _parse_timeline(rest: str) -> Timeline:
    nothing_more(rest, "timeline", _USAGE["timeline"][1])
    return Timeline()


# ---- action items ------------------------------------------------------------------------

_ACTION = "/incident action"
_ACTION_FORMS = (
    "add <text>",
    "list",
    "done N",
    "drop N <reason>",
    "owner N @person",
    "due N YYYY-MM-DD|2w",
)
_ACTION_OPTIONS: dict[str, Kind] = {"owner": "one", "due": "one", "priority": "one"}
_WHICH_ITEM = Message(N_("Which action item?"))


def _one_owner(words: list[str], *, wanted: Message, example: str) -> str | None:
    """The one person mentioned in ``words``; None if nobody is."""
    users = read_people(words, wanted=wanted, example=example)
    if len(users) > 1:
        raise BadCommand(N_("One owner per action item, please: %(example)s"), example=example)
    return users[0] if users else None


def _read_owner_option(raw: str) -> str:
    example = _OPTION_EXAMPLES["owner"]
    owner = _one_owner([raw], wanted=Message(N_("--owner takes a person")), example=example)
    if owner is None:
        raise BadCommand(N_("--owner needs a person, e.g. %(example)s."), example=example)
    return owner


def _read_due_option(raw: str) -> str:
    try:
        return check_due(raw)
    except BadTime as exc:
        raise BadTime(N_("--due: %(problem)s"), problem=exc.message) from None


def _parse_action_add(rest: str) -> ActionAdd:
    values, free = split_options(rest, _ACTION_OPTIONS, _OPTION_EXAMPLES)
    text = " ".join(word for word in free if word).strip()
    if not text:
        usage, example = _USAGE["action"]
        raise BadCommand(
            N_("What needs doing? Try %(example)s (usage: %(usage)s)."),
            example=example,
            usage=usage,
        )
    return ActionAdd(
        text=text,
        owner=read_option(values, "owner", _read_owner_option),
        due=read_option(values, "due", _read_due_option),
        priority=read_option(
            values, "priority", lambda raw: read_choice("priority", raw, PRIORITIES)
        ),
    )


def _parse_action_list(rest: str) -> ActionList:
    nothing_more(rest, "action list", f"{_ACTION} list")
    return ActionList()


def _action_number(rest: str, *, question: Message, example: str) -> tuple[int, str]:
    """The item number that ``rest`` starts with, and the untouched rest after it."""
    word, after = first_word(rest)
    if not word:
        raise BadCommand(
            N_("%(question)s Give its number, as /incident action list shows it: %(example)s"),
            question=question,
            example=example,
        )
    return read_action_number(word, example), after


def _parse_action_done(rest: str) -> ActionDone:
    example = f"{_ACTION} done 2"
    question = Message(N_("Which action item is done?"))
    number, after = _action_number(rest, question=question, example=example)
    nothing_more(after, f"action done {number}", f"{_ACTION} done {number}")
    return ActionDone(number=number)


def _parse_action_drop(rest: str) -> ActionDrop:
    example = f"{_ACTION} drop 3 Duplicate of action #1"
    question = Message(N_("Which action item should be dropped, and why?"))
    number, after = _action_number(rest, question=question, example=example)
    if not after.strip():
        raise BadCommand(
            N_(
                "Why drop action item #%(number)s? Give a reason everyone can read later, "
                "e.g. %(example)s"
            ),
            number=number,
            example=f"{_ACTION} drop {number} Duplicate of action #1",
        )
    return ActionDrop(number=number, reason=after.strip())


def _parse_action_owner(rest: str) -> ActionOwner:
    number, after = _action_number(rest, question=_WHICH_ITEM, example=f"{_ACTION} owner 2 @alice")
    example = f"{_ACTION} owner {number} @alice"
    owner = _one_owner(
        [t.text for t in tokenize(after)],
        wanted=Message(N_("An action item's owner is a person")),
        example=example,
    )
    if owner is None:
        raise BadCommand(
            N_("Who owns action item #%(number)s? Try %(example)s"), number=number, example=example
        )
    return ActionOwner(number=number, owner=owner)


def _parse_action_due(rest: str) -> ActionDue:
    number, after = _action_number(rest, question=_WHICH_ITEM, example=f"{_ACTION} due 2 2w")
    example = f"{_ACTION} due {number} 2021-12-31 (or 10d, 2w)"
    tokens = tokenize(after)
    if not tokens:
        raise BadCommand(
            N_("When is action item #%(number)s due? Try %(example)s"),
            number=number,
            example=example,
        )
    if len(tokens) > 1:
        stray = " ".join(t.text for t in tokens)
        raise BadCommand(
            N_("I didn't understand %(stray)r: the due date is one word. Try %(example)s"),
            stray=stray[:60],
            example=example,
        )
    return ActionDue(number=number, due=check_due(tokens[0].text))


_ACTION_VERBS: dict[str, Callable[[str], ActionCommand]] = {
    "add": _parse_action_add,
    "list": _parse_action_list,
    "done": _parse_action_done,
    "drop": _parse_action_drop,
    "owner": _parse_action_owner,
    "due": _parse_action_due,
}


def _parse_action(rest: str) -> ActionCommand:
    word, rest = first_word(rest)
    if not word:
        return ActionList()
    parse_rest = _ACTION_VERBS.get(word.lower())
    if parse_rest is None:
        raise BadCommand(
            N_("I don't know action %(word)r. Try %(command)s %(forms)s, e.g. %(example)s"),
            word=word[:30],
            command=_ACTION,
            forms=listing(_ACTION_FORMS),
            example=_USAGE["action"][1],
        )
    return parse_rest(rest)


# ---- the postmortem and the retro --------------------------------------------------------

_POSTMORTEM = "/incident postmortem"
_POSTMORTEM_FORMS = (
    "author @alice",
    "reviewers @alice @bob",
    "ready",
    "waive <reason>",
    "edit [section]",
    "check",
)
# The sections written in Slack (action items have their own commands), by the words people use.
EDITABLE_SECTIONS = {
    "summary": "summary",
    "impact": "impact",
    "root-cause": "root_cause",
    "root_cause": "root_cause",
    "trigger": "trigger",
    "response": "response",
    "detection": "detection",
    "went-well": "went_well",
    "went_well": "went_well",
    "went-wrong": "went_wrong",
    "went_wrong": "went_wrong",
    "lucky": "lucky",
    "references": "references",
}


def _people(rest: str, *, question: str, wanted: Message, example: str) -> tuple[str, ...]:
    users = read_people([t.text for t in tokenize(rest)], wanted=wanted, example=example)
    if not users:
        raise BadCommand(question, example=example)
    return users


def _parse_postmortem(rest: str) -> PostmortemCommand:
    word, rest = first_word(rest)
    verb = word.lower()
    if not verb:
        return PostmortemShow()
    if verb == "author":
        example = f"{_POSTMORTEM} author @alice"
        users = _people(
            rest,
            question=N_("Who writes the postmortem? Try %(example)s"),
            wanted=Message(N_("The author is a person")),
            example=example,
        )
        if len(users) > 1:
            raise BadCommand(
                N_("One author, please (reviewers can be several): %(example)s"), example=example
            )
        return PostmortemAuthor(user=users[0])
    if verb == "reviewers":
        example = f"{_POSTMORTEM} reviewers @alice @bob"
        users = _people(
            rest,
            question=N_("Who should review the postmortem? Try %(example)s"),
            wanted=Message(N_("Reviewers are people")),
            example=example,
        )
        return PostmortemReviewers(users=users)
    if verb == "ready":
        nothing_more(rest, "postmortem ready", f"{_POSTMORTEM} ready")
        return PostmortemReady()
    if verb == "edit":
        name = rest.strip().lower().replace(" ", "-")
        if name and name not in EDITABLE_SECTIONS:
            sections = ", ".join(sorted({k for k in EDITABLE_SECTIONS if "_" not in k}))
            raise BadCommand(
                N_("There is no section %(name)r. Sections: %(sections)s."),
                name=name[:30],
                sections=sections,
            )
        return PostmortemEdit(section=EDITABLE_SECTIONS[name] if name else None)
    if verb == "check":
        nothing_more(rest, "postmortem check", f"{_POSTMORTEM} check")
        return PostmortemCheck()
    if verb == "waive":
        if not rest.strip():
            raise BadCommand(
                N_("A waiver needs a reason everyone can read later, e.g. %(example)s"),
                example=f"{_POSTMORTEM} waive Duplicate of INC-6",
            )
        return PostmortemWaive(reason=rest.strip())
    raise BadCommand(
        N_(
            "I don't know postmortem %(word)r. Try %(command)s to see where it stands, "
            "or postmortem %(forms)s."
        ),
        word=word[:30],
        command=_POSTMORTEM,
        forms=listing(_POSTMORTEM_FORMS),
    )


def _parse_retro(rest: str) -> RetroHeld:
    word, notes = first_word(rest)
    if word.lower() != "held":
        usage, example = _USAGE["retro"]
        record = Message(
            N_("Once the retro has been held, record it: %(usage)s, e.g. %(example)s"),
            {"usage": usage, "example": example},
        )
        if word:
            raise BadCommand(
                N_("I didn't understand %(word)r. %(record)s"), word=word[:30], record=record
            )
        raise BadCommand(record)
    return RetroHeld(notes=notes.strip())


# ---- parse -------------------------------------------------------------------------------


def _parse_help(rest: str) -> Help:
    words = rest.split()
    topic = words[0].lower() if words else None
    # An unknown topic gets the general help rather than an error.
    return Help(topic=topic if topic in _USAGE else None)


_SUBCOMMANDS: dict[str, Callable[[str], Command]] = {
    "start": _parse_start,
    "note": _parse_note,
    "close": _parse_close,
    "status": _parse_status,
    "sev": _parse_severity,
    "role": _parse_role,
    "mark": _parse_mark,
    "timeline": _parse_timeline,
    "action": _parse_action,
    "postmortem": _parse_postmortem,
    "retro": _parse_retro,
    "help": _parse_help,
}


def parse(text: str) -> Command:
    """Parse ``/incident`` command text (see the module docstring); raise BadCommand if unclear."""
    word, rest = first_word(text)
    if not word:
        return Help()
    parse_rest = _SUBCOMMANDS.get(word.lower())
    if parse_rest is None:
        return Help(unknown=word)
    return parse_rest(rest)
