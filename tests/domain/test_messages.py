"""Messages the domain says: rendered in a reader's language with their parameters (nested ones
too), user text passed through as it is, and stored English texts read back into messages."""

from __future__ import annotations

import re

import pytest

from bot.domain.lifecycle import ENTRY_TEXTS
from bot.domain.messages import N_, Message, recognise
from bot.domain.triggers import REASONS

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


def test_a_stored_text_is_recognised_with_its_parameters():
    texts = ENTRY_TEXTS.values()
    assert recognise("Status: identified", texts) == Message(
        ENTRY_TEXTS["status"], {"status": "identified"}
    )
    assert recognise("Severity: SEV2 (was not set)", texts) == Message(
        ENTRY_TEXTS["severity"], {"severity": "2", "was": "not set"}
    )
    declared = recognise("Declared INC-7: Redis: down\nagain", texts)
    assert declared == Message(ENTRY_TEXTS["declared"], {"ref": "INC-7", "title": "Redis: down\nagain"})
    assert recognise("Detected", texts) == Message(ENTRY_TEXTS["detected"])


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("status", "status: identified"),  # a person's wording, not the bot's
        ("status", "Status identified"),
        ("status", "Status: "),
        ("severity", "Severity: SEV2"),
        ("severity", "Severity: 2 (was SEV3)"),
        ("declared", "Declared INC-7 Redis down"),
        ("detected", "Detected a spike"),
        ("closed", "Closed"),
        ("role", "Commander Ann"),
    ],
)
def test_look_alike_text_is_not_recognised(kind, typed):
    assert recognise(typed, [ENTRY_TEXTS[kind]]) is None


def test_every_text_the_bot_reads_back_round_trips():
    msgids = [*ENTRY_TEXTS.values(), *(m for reasons in REASONS.values() for m in reasons)]
    for msgid in msgids:
        message = Message(msgid, {name: f"<{name} 1>" for name in _names(msgid)})
        assert recognise(str(message), [msgid]) == message, msgid


@pytest.mark.parametrize(
    ("msgid", "why"),
    [
        ("%(who)s paged %(who)s", "%\\(who\\)s appears more than once"),
        ("Up 99.9%% of %(period)s", "only %\\(name\\)s placeholders"),
        ("%(n)d entries", "only %\\(name\\)s placeholders"),
        ("Said %(what)r", "only %\\(name\\)s placeholders"),
    ],
)
def test_a_message_that_cannot_be_read_back_is_refused(msgid, why):
    with pytest.raises(ValueError, match=f"can't recognise .*{why}"):
        recognise("anything", [msgid])


def _names(msgid: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", msgid)
