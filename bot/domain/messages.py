"""What the domain says to people, kept translatable: it names its messages in English, and the
Slack layer says them in the workspace's language (``bot.i18n``).

``N_`` marks a message id for ``pybabel extract`` without translating it (the gettext
convention for text that is translated later, where it is shown). A ``Message`` is such an id
with its ``%(name)s`` parameters; a parameter may itself be a ``Message``, said in the same
language. ``str()`` of a message is its English text. What the bot stores is kept as message
fields, never as text to be read back (see ``bot.domain.lifecycle.said_message``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


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
class Message:
    """A message id and its parameters, to be said in the reader's language."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(
        self, gettext: Callable[[str], str], moment: Callable[[Moment], str] = str
    ) -> str:
        """The text in the language of ``gettext``, nested messages included; ``moment`` says
        each ``Moment`` (by default in UTC)."""
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {name: _said(value, gettext, moment) for name, value in self.params.items()}

    def __str__(self) -> str:
        return self.render(lambda msgid: msgid)


def echo(raw: str, limit: int = 40) -> str:
    """User input echoed in a message, quoted, without letting a paste of a novel flood it."""
    shown = raw.strip()
    return f"'{shown[:limit]}…'" if len(shown) > limit else f"'{shown}'"


def _said(value: object, gettext: Callable[[str], str], moment: Callable[[Moment], str]) -> object:
    if isinstance(value, Message):
        return value.render(gettext, moment)
    if isinstance(value, Moment):
        return moment(value)
    return value
