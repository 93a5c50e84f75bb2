"""The values in ``/incident`` command words: severities, item numbers, durations, yes/no,
choices and people. Each reader takes the raw word and raises ``BadCommand`` (or ``BadTime``)
with an example of what would do."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.errors import BadCommand, BadTime
from bot.domain.messages import N_, Message
from bot.domain.model import SEVERITIES
from bot.domain.timeparse import normal, parse_duration

# ---- values ------------------------------------------------------------------------------

_SEVERITY = re.compile(r"(?:sev-?|s)?(?P<n>[0-9]{1,3})", re.IGNORECASE)
_YES_NO = {"yes": True, "true": True, "no": False, "false": False}


def read_severity(raw: str, example: str | Message = "--sev 2") -> int:
    """``2``, ``sev2``, ``SEV-2`` or ``s2`` → 2; a BadCommand shows ``example``."""
    match = _SEVERITY.fullmatch(normal(raw))
    if match is None or int(match["n"]) not in SEVERITIES:
        raise BadCommand(
            N_("Severity must be 1, 2, 3 or 4 (1 is the worst), e.g. %(example)s; got %(raw)r."),
            example=example,
            raw=raw,
        )
    return int(match["n"])


def read_note_number(raw: str) -> int:
    """A note's number, ``3`` or ``#3``, as /incident timeline shows it."""
    digits = normal(raw).removeprefix("#")
    number = int(digits) if len(digits) <= 9 else 0  # no note has a ten-digit number
    if number < 1:
        raise BadCommand(
            N_(
                "There is no note %(raw)r: notes are numbered from #1, "
                "as /incident timeline shows them."
            ),
            raw=raw[:12],
        )
    return number


_ITEM_NUMBER = re.compile(r"#?(?P<digits>[0-9]+)")


def read_action_number(raw: str, example: str | Message) -> int:
    """An action item's number, ``2`` or ``#2``, as /incident action list shows it.

    A BadCommand shows ``example`` when ``raw`` is not a number at all.
    """
    match = _ITEM_NUMBER.fullmatch(normal(raw))
    if match is None:
        raise BadCommand(
            N_(
                "Which action item? Give its number as /incident action list shows it, "
                "e.g. %(example)s; %(raw)r isn't one."
            ),
            example=example,
            raw=raw[:30],
        )
    digits = match["digits"]
    number = int(digits) if len(digits) <= 9 else 0  # no incident has a billion action items
    if number < 1:
        raise BadCommand(
            N_(
                "There is no action item %(raw)r: action items are numbered from #1, "
                "as /incident action list shows them."
            ),
            raw=raw[:12],
        )
    return number


# What people write for "users were not affected", in the workspace's languages.
NO_IMPACT = ("none", "no", "0", "なし", "無し", "ない", "影響なし")


def read_impact(raw: str) -> timedelta | None:
    """The value of ``--impact``: a duration, or None for ``none`` (and for zero)."""
    try:
        return impact_value(raw)
    except BadTime as exc:
        raise BadTime(N_("--impact: %(problem)s"), problem=exc.message) from None


def impact_value(raw: str) -> timedelta | None:
    """How long users were affected, as the command and the close form read it: a duration
    (``25m``, ``1h30m``, ``25分``), or None for ``none`` (``なし``) and for zero."""
    if normal(raw).lower() in NO_IMPACT:
        return None
    try:
        impact = parse_duration(raw)
    except BadTime as exc:
        raise BadTime(
            N_("%(problem)s If users weren't affected, write none."), problem=exc.message
        ) from None
    # Zero impact is no impact: one representation downstream, not two.
    return impact or None


def read_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` for option ``--name``, in any case, ``_`` read as ``-``."""
    value = normal(raw).lower().replace("_", "-")
    if value not in choices:
        raise BadCommand(
            N_("--%(name)s must be one of %(choices)s; got %(raw)r."),
            name=name,
            choices=", ".join(choices),
            raw=raw,
        )
    return value


def read_data_loss(raw: str) -> bool:
    value = normal(raw).lower()
    if value not in _YES_NO:
        raise BadCommand(N_("--data-loss must be yes or no; got %(raw)r."), raw=raw)
    return _YES_NO[value]


# ---- people ------------------------------------------------------------------------------

_MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def mention_id(word: str, *, wanted: Message, example: str | Message) -> str:
    """The Slack user id in a ``<@U123|name>`` mention; else a polite BadCommand.

    ``wanted`` says what the command takes (``--reviewers takes people``); ``example`` shows it.
    """
    match = _MENTION.fullmatch(word)
    if match is not None:
        return match["id"]
    if word.startswith("@"):
        # Typed by hand (or the command lacks should_escape), Slack sends no user id with it.
        raise BadCommand(
            N_(
                "I can't tell who %(word)r is. When you type @, pick the person from Slack's "
                "autocomplete list so it becomes a mention, e.g. %(example)s."
            ),
            word=word,
            example=example,
        )
    raise BadCommand(
        N_("%(wanted)s, e.g. %(example)s; %(word)r isn't one."),
        wanted=wanted,
        example=example,
        word=word,
    )


# Commas may separate mentions, but a mention's own label (<@U1|Lee, Ann>) is left whole.
_PERSON = re.compile(r"(?:<[^<>]*>|[^,])+")


def read_people(words: list[str], *, wanted: Message, example: str | Message) -> tuple[str, ...]:
    """Slack user ids from mentions, in order, without repeats; commas between are fine.

    ``wanted`` and ``example`` are for the error message, as in ``mention_id``.
    """
    ids = [
        mention_id(part, wanted=wanted, example=example)
        for word in words
        for part in _PERSON.findall(word)
    ]
    return tuple(dict.fromkeys(ids))


def read_reviewers(words: list[str]) -> tuple[str, ...]:
    """The people given to ``--reviewers``."""
    return read_people(
        words, wanted=Message(N_("--reviewers takes people")), example="--reviewers @alice @bob"
    )
