"""Slack surfaces. Each module registers its listeners; `register` wires them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    from handlers import (
        action_commands,
        actions,
        commands,
        errors,
        events,
        outbox_actions,
        review_actions,
        shortcuts,
        views,
        writing,
    )

    for module in (
        errors,
        commands,
        views,
        actions,
        events,
        shortcuts,
        review_actions,
        writing,
        action_commands,
        outbox_actions,
    ):
        module.register(app)
