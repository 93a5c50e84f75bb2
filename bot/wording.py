"""Saying what the bot recorded in the reader's language: durations, trigger reasons and the
changes a timeline records (``Status: identified``). What people wrote stays as written.

The bot stores these as fields (``TimelineEntry.said``, ``Trigger.said``), never as English to
be read back; here they become words through a ``Translator``. Used by the templates' filters
(``bot.render``), the Slack texts (``handlers.blocks``, ``handlers.review_blocks``) and, in
English, the JSON export (``bot.export``).
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain import reasons
from bot.domain.lifecycle import said_message
from bot.domain.model import INTERVENTION_LABELS, TimelineEntry, Trigger
from bot.domain.timeparse import format_duration_in
from bot.domain.timeparse import format_duration_ja as format_duration_ja
from bot.i18n import Translator, language


def duration_in(locale: str, td: timedelta) -> str:
    """``td`` as people of ``locale`` write it: ``1 h 30 min``, ``1時間30分``."""
    return format_duration_in(language(locale), td)


def trigger_reason(trigger: Trigger, t: Translator) -> str:
    """Why ``trigger`` fired, in ``t``'s language; words an older version stored, as stored."""
    explained = None if trigger.said is None else reasons.explained(trigger.id, trigger.said)
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


def entry_text(entry: TimelineEntry, t: Translator) -> str:
    """A timeline entry's text in ``t``'s language: a change the bot recorded is said from its
    fields; what people wrote stays as written."""
    if entry.said is None:
        return entry.text
    message = said_message(entry.kind, entry.said)
    said = dict(message.params)  # the title and a person's name are theirs: never translated
    if "status" in said:
        said["status"] = _status_word(t, str(said["status"]))
    for word in ("role", "was"):  # "Commander"; "not set" (or "SEV3", said as it is)
        if word in said:
            said[word] = t.gettext(str(said[word]))
    return t.gettext(message.msgid, **said)


def english_text(entry: TimelineEntry) -> str:
    """A timeline entry's text in English, as the JSON export carries it."""
    return entry.text if entry.said is None else str(said_message(entry.kind, entry.said))


def _status_word(t: Translator, status: str) -> str:
    return {
        "investigating": t.pgettext("status", "investigating"),
        "identified": t.pgettext("status", "identified"),
        "monitoring": t.pgettext("status", "monitoring"),
        "resolved": t.pgettext("status", "resolved"),
    }.get(status, status)
