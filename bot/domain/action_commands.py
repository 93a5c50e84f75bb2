"""``/incident action …``: an incident's action items, parsed into typed commands (see
``bot.domain.commands`` for the grammar as a whole)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.actions import PRIORITIES, check_due
from bot.domain.command_help import OPTION_EXAMPLES, USAGE
from bot.domain.errors import BadCommand, BadTime
from bot.domain.messages import N_, Message
from bot.domain.tokens import (
    Kind,
    first_word,
    listing,
    nothing_more,
    read_option,
    split_options,
    tokenize,
)
from bot.domain.values import read_action_number, read_choice, read_people


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


def _one_owner(words: list[str], *, wanted: Message, example: str | Message) -> str | None:
    """The one person mentioned in ``words``; None if nobody is."""
    users = read_people(words, wanted=wanted, example=example)
    if len(users) > 1:
        raise BadCommand(N_("One owner per action item, please: %(example)s"), example=example)
    return users[0] if users else None


def _read_owner_option(raw: str) -> str:
    example = OPTION_EXAMPLES["owner"]
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
    values, free = split_options(rest, _ACTION_OPTIONS, OPTION_EXAMPLES)
    text = " ".join(word for word in free if word).strip()
    if not text:
        usage, example = USAGE["action"]
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


def _action_number(rest: str, *, question: Message, example: str | Message) -> tuple[int, str]:
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


def parse_action(rest: str) -> ActionCommand:
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
            example=USAGE["action"][1],
        )
    return parse_rest(rest)
