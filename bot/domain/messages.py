"""What the domain says to people, kept translatable: it names its messages in English, and the
Slack layer says them in the workspace's language (``bot.i18n``).

``N_`` marks a message id for ``pybabel extract`` without translating it (the gettext
convention for text that is translated later, where it is shown). A ``Message`` is such an id
with its ``%(name)s`` parameters; a parameter may itself be a ``Message``, said in the same
language, or a tuple of them, said one per line. ``str()`` of a message is its English text.
What the bot stores is kept as message fields, never as text to be read back (see
``bot.domain.lifecycle.said_message``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Moment:
    """A point in time inside a message, shown to each reader in their own zone where the
    surface can (Slack's ``<!date>``); ``str()`` is the unambiguous UTC fallback."""

    at: datetime

    def __str__(self) -> str:
        return self.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Span:
    """A length of time inside a message, said as its reader's language writes durations
    (``1 h 30 min``, ``1時間30分``); ``str()`` is the English."""

    length: timedelta

    def __str__(self) -> str:
        from bot.domain.timeparse import format_duration  # it imports this module

        return format_duration(self.length)


@dataclass(frozen=True)
class Message:
    """A message id and its parameters, to be said in the reader's language."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(
        self,
        gettext: Callable[[str], str],
        moment: Callable[[Moment], str] = str,
        span: Callable[[Span], str] = str,
    ) -> str:
        """The text in the language of ``gettext``, nested messages included; ``moment`` says
        each ``Moment`` (by default in UTC), ``span`` each ``Span`` (by default in English)."""
        text = gettext(self.msgid)
        if not self.params:
            return text
        said = {name: _said(value, gettext, moment, span) for name, value in self.params.items()}
        return text % said

    def __str__(self) -> str:
        return self.render(lambda msgid: msgid)


def echo(raw: str, limit: int = 40) -> str:
    """User input echoed in a message, quoted, without letting a paste of a novel flood it."""
    shown = raw.strip()
    return f"'{shown[:limit]}…'" if len(shown) > limit else f"'{shown}'"


def _said(
    value: object,
    gettext: Callable[[str], str],
    moment: Callable[[Moment], str],
    span: Callable[[Span], str],
) -> object:
    if isinstance(value, Message):
        return value.render(gettext, moment, span)
    if isinstance(value, Moment):
        return moment(value)
    if isinstance(value, Span):
        return span(value)
    if isinstance(value, tuple):
        return "\n".join(str(_said(item, gettext, moment, span)) for item in value)
    return value
