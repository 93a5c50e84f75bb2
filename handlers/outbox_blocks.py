"""What people read about effects that did not go out: the notice with what to do, the line in
`/incident postmortem`, and the Retry button."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.domain.model import Incident
from bot.domain.outbox import KINDS, Effect
from bot.i18n import Translator
from handlers.blocks import when
from handlers.errors import SLACK_ERRORS
from handlers.kit import actions, button, section

RETRY = "outbox_retry"


def advice(t: Translator, error: str, channel: str | None) -> str:
    """What a person can do about Slack's error."""
    if error == "not_in_channel" and channel:
        return t.gettext(
            "I'm not a member of <#%(channel)s>: invite me there with `/invite @furikaeri`",
            channel=channel,
        )
    if error.startswith("bug:"):
        return t.gettext(
            "something went wrong on my side (ref `%(ref)s`); please tell whoever runs me",
            ref=error.rsplit(" ", 1)[-1],
        )
    if error in SLACK_ERRORS:
        return t.gettext(SLACK_ERRORS[error])
    if error.startswith(("network", "http_", "internal_error", "fatal_error")):
        return t.gettext("Slack did not answer properly; it usually passes")
    return t.gettext("Slack said %(error)s", error=f"`{error}`")


def failure_text(t: Translator, effect: Effect, incident: Incident, channel: str | None) -> str:
    """The notice: what failed, why, what to do, and what happens next."""
    what = t.gettext(KINDS.get(effect.kind, effect.kind))
    error = effect.last_error or "?"
    if effect.state == "failed":
        said = t.gettext(
            "*%(ref)s*: %(what)s failed for good after %(n)s tries (%(error)s): %(advice)s. "
            "Press *Retry* once that is done.",
            ref=incident.ref,
            what=what,
            n=effect.attempts,
            error=f"`{error}`",
            advice=advice(t, error, channel),
        )
    else:
        said = t.gettext(
            "*%(ref)s*: %(what)s failed (%(error)s): %(advice)s. I'll try again %(when)s.",
            ref=incident.ref,
            what=what,
            error=f"`{error}`",
            advice=advice(t, error, channel),
            when=when(effect.due_at) if effect.due_at else "",
        )
    if effect.kind == "channel_setup":
        said += " " + t.gettext(
            "The incident is declared; I'll finish its channel by myself, so there is no need "
            "to declare it again."
        )
    return said


def failure_blocks(
    t: Translator, effect: Effect, incident: Incident, channel: str | None, commander: str | None
) -> list[Block]:
    text = failure_text(t, effect, incident, channel)
    if commander:
        text = f"<@{commander}> {text}"
    retry = button(RETRY, t.gettext("Retry now"), f"{incident.id}:{effect.kind}")
    return [section(text), actions(retry)]


def status_lines(t: Translator, effects: list[Effect]) -> list[str]:
    """For `/incident postmortem`: what is owed to Slack and not delivered yet, and why."""
    lines = []
    for effect in effects:
        what = t.gettext(KINDS.get(effect.kind, effect.kind))
        error = f"`{effect.last_error}`" if effect.last_error else ""
        if effect.state == "failed":
            lines.append(t.gettext("%(what)s failed: %(error)s", what=what, error=error))
        elif effect.last_error and effect.due_at:
            lines.append(
                t.gettext(
                    "%(what)s failed: %(error)s, retrying %(when)s",
                    what=what,
                    error=error,
                    when=when(effect.due_at),
                )
            )
        else:
            lines.append(t.gettext("%(what)s: on its way", what=what))
    return lines
