"""Typed errors of the domain. One error handler turns them into a polite ephemeral message.

Each carries its text as a ``Message`` (``N_``-marked id and parameters), so the handler can say
it in the workspace's language; ``str(error)`` is the English text.
"""

from __future__ import annotations

from bot.domain.messages import Message


class FurikaeriError(Exception):
    """Base of every error a user can cause; its message is safe to show them."""

    def __init__(self, message: str | Message, /, **params: object) -> None:
        self.message = message if isinstance(message, Message) else Message(message, params)
        super().__init__(str(self.message))


class BadCommand(FurikaeriError):
    """The command text could not be understood."""


class BadTime(BadCommand):
    """A time or duration could not be understood, or is out of range."""


class IncidentNotFound(FurikaeriError):
    """No incident matches the number or channel."""


class NotAnIncidentChannel(FurikaeriError):
    """The command needs an incident channel but was used elsewhere."""


class InvalidTransition(FurikaeriError):
    """The incident or postmortem is not in a state that allows this."""


class NotAllowed(FurikaeriError):
    """The user may not do this."""
