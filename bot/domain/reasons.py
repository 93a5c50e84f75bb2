"""Why a postmortem trigger fired, as the bot stores it: the trigger's id and fields (durations
in seconds, the intervention and the detection by their ids), said in words only when read.

``explained`` gives the message id and its parameters (durations as timedeltas), so a reader's
language can say them (``bot.wording``); ``english`` is the text the JSON export carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.domain.messages import N_, Message
from bot.domain.timeparse import format_duration

# The reason of each trigger, by trigger id (detection: by who noticed instead of monitoring).
REASONS = {
    "impact": N_("user impact %(impact)s ≥ %(threshold)s"),
    "data-loss": N_("data was lost"),
    "intervention": N_("engineers intervened (%(how)s)"),
    "duration": N_("time to resolve %(took)s ≥ %(threshold)s"),
    "severity": N_("severity %(severity)s (policy: sev %(threshold)s or worse)"),
}
DETECTION_REASONS = {
    "human": N_("detected by a human, not by monitoring"),
    "customer": N_("detected by a customer, not by monitoring"),
}
DURATION_FIELDS = {"impact": ("impact", "threshold"), "duration": ("took", "threshold")}

Fields = Mapping[str, str | int]


def explained(trigger_id: str, said: Fields) -> tuple[str, dict[str, object]] | None:
    """The message id of a reason and its parameters, durations as timedeltas; None for fields
    that name no reason of ours (a detection by monitoring, say)."""
    if trigger_id == "detection":
        msgid = DETECTION_REASONS.get(str(said.get("by")))
        return None if msgid is None else (msgid, {})
    msgid = REASONS.get(trigger_id)
    if msgid is None:
        return None
    params: dict[str, object] = dict(said)
    for name in DURATION_FIELDS.get(trigger_id, ()):
        params[name] = timedelta(seconds=int(said[name]))
    return msgid, params


def english(trigger_id: str, said: Fields) -> str | None:
    """The reason in English, as stored until this version and as exported."""
    found = explained(trigger_id, said)
    if found is None:
        return None
    msgid, params = found
    shown = {k: format_duration(v) if isinstance(v, timedelta) else v for k, v in params.items()}
    return str(Message(msgid, shown))
