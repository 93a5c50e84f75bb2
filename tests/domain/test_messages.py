"""Messages the domain says: rendered in a reader's language with their parameters (nested ones
too), user text passed through as it is; what the bot records is said from its fields."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import (
    ENTRY_TEXTS,
    said_closed,
    said_declared,
    said_mark,
    said_message,
    said_role,
    said_severity,
    said_status,
)
from bot.domain.messages import N_, Message

# A tiny catalogue: what a reader of another language would get from gettext.
PIRATE = {
    "Closed %(ref)s": "Sunk %(ref)s, arr",
    "%(problem)s\n%(hint)s": "%(hint)s! %(problem)s",
    "Try %(example)s.": "Ye might try %(example)s.",
}


def pirate(msgid: str) -> str:
    return PIRATE.get(msgid, msgid)


def test_nested_messages_are_said_in_the_same_language():
    message = Message(
        N_("%(problem)s\n%(hint)s"),
        {
            "problem": Message(N_("Closed %(ref)s"), {"ref": "INC-7"}),
            "hint": Message(N_("Try %(example)s."), {"example": "/incident reopen"}),
        },
    )
    assert str(message) == "Closed INC-7\nTry /incident reopen."
    assert message.render(pirate) == "Ye might try /incident reopen.! Sunk INC-7, arr"


def test_a_message_without_parameters_is_its_translation_untouched():
    assert Message(N_("100%% sure")).render(lambda msgid: msgid) == "100%% sure"
    assert str(Message(N_("Closed %(ref)s"))) == "Closed %(ref)s"


@pytest.mark.parametrize("typed", ["100% up", "%(ref)s", "%(x)s and %s", "50%%", "%"])
def test_what_people_typed_passes_through_unchanged(typed):
    message = Message(N_("Closed %(ref)s"), {"ref": typed})
    assert str(message) == f"Closed {typed}"
    assert message.render(pirate) == f"Sunk {typed}, arr"
    nested = Message(N_("Try %(example)s."), {"example": message})
    assert nested.render(pirate) == f"Ye might try Sunk {typed}, arr."


@pytest.mark.parametrize(
    ("kind", "said", "english"),
    [
        ("declared", said_declared(7, "Redis: down\nagain"), "Declared INC-7: Redis: down\nagain"),
        ("closed", said_closed(7), "Closed INC-7"),
        ("status", said_status("identified"), "Status: identified"),
        ("severity", said_severity(2, None), "Severity: SEV2 (was not set)"),
        ("severity", said_severity(1, 3), "Severity: SEV1 (was SEV3)"),
        ("role", said_role("commander", "U9", "rin"), "Commander: rin"),
        ("role", said_role("scribe", None, "100% Ann"), "Scribe: 100% Ann"),
        ("detected", said_mark(), "Detected"),
        ("impact-end", said_mark(), "User impact ended"),
    ],
)
def test_what_the_bot_records_is_its_message_with_the_english_of_before(kind, said, english):
    message = said_message(kind, said)
    assert message.msgid == ENTRY_TEXTS[kind]
    assert str(message) == english
