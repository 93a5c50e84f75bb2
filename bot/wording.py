"""Saying what the bot stored in English in the reader's language: durations, trigger reasons
and the changes a timeline records (``Status: identified``). What people wrote stays as written.

Stored texts stay English (the JSON export keeps them so); they are recognised by their message
ids and said again through a ``Translator``. Used by the templates' filters (``bot.render``) and
by the Slack texts (``handlers.blocks``, ``handlers.review_blocks``).
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.lifecycle import ENTRY_TEXTS
from bot.domain.messages import recognise
from bot.domain.model import INTERVENTION_LABELS, Trigger
from bot.domain.timeparse import format_duration_in
from bot.domain.timeparse import format_duration_ja as format_duration_ja
from bot.domain.triggers import explain
from bot.i18n import Translator, language


def duration_in(locale: str, td: timedelta) -> str:
    """``td`` as people of ``locale`` write it: ``1 h 30 min``, ``1時間30分``."""
    return format_duration_in(language(locale), td)


def trigger_reason(trigger: Trigger, t: Translator) -> str:
    """Why ``trigger`` fired, in ``t``'s language; a reason none of ours reads like, as stored."""
    explained = explain(trigger)
    if explained is None:
        return trigger.reason
    msgid, params = explained
    said = {
        k: duration_in(t.locale, v) if isinstance(v, timedelta) else v for k, v in params.items()
    }
    if "how" in params:  # an intervention: named as the document names it
        how = str(params["how"])
        said["how"] = t.pgettext("intervention", INTERVENTION_LABELS.get(how, how))
    return t.gettext(msgid, **said)


def entry_text(kind: str, text: str, t: Translator) -> str:
    """A timeline entry's text in ``t``'s language: a change the bot recorded is said again;
    what people wrote stays as written."""
    msgid = ENTRY_TEXTS.get(kind)
    message = recognise(text, (msgid,)) if msgid else None
    if message is None:
        return text
    said = dict(message.params)  # the title and a person's name are theirs: never translated
    if "status" in said:
        said["status"] = _status_word(t, str(said["status"]))
    for word in ("role", "was"):  # "Commander"; "not set" (or "SEV3", said as it is)
        if word in said:
            said[word] = t.gettext(str(said[word]))
    return t.gettext(message.msgid, **said)


def _status_word(t: Translator, status: str) -> str:
    return {
        "investigating": t.pgettext("status", "investigating"),
        "identified": t.pgettext("status", "identified"),
        "monitoring": t.pgettext("status", "monitoring"),
        "resolved": t.pgettext("status", "resolved"),
    }.get(status, status)
