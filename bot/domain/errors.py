"""Typed errors of the domain. One error handler turns them into a polite ephemeral message."""


class FurikaeriError(Exception):
    """Base of every error a user can cause; its message is safe to show them."""


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
