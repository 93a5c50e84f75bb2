"""The close facts, from the command's options or from the close modal's fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.commands import Close
from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message
from bot.domain.model import CloseFacts
from bot.domain.tokens import NOT_GIVEN
from bot.domain.values import impact_value
from handlers.forms import impact_text


class FieldError(BadCommand):
    """A modal field is wrong; `block_id` says which, so Slack shows the error beside it."""

    def __init__(self, block_id: str, message: str | Message) -> None:
        super().__init__(message)
        self.block_id = block_id


def prefill(cmd: Close, closed_at: datetime) -> dict[str, Any]:
    """What the modal starts with: whatever the options already said."""
    return {
        "closed_at": closed_at,
        "impact": "" if cmd.impact is NOT_GIVEN else impact_text(cmd.impact),
        "data_loss": cmd.data_loss,
        "intervention": cmd.intervention,
        "detected_by": cmd.detected_by,
        "reviewers": cmd.reviewers,
    }


def from_command(cmd: Close) -> CloseFacts:
    assert cmd.is_complete and cmd.impact is not NOT_GIVEN
    return CloseFacts(
        impact=cmd.impact,
        data_loss=bool(cmd.data_loss),
        intervention=str(cmd.intervention),
        detected_by=str(cmd.detected_by),
    )


def from_view(values: dict[str, dict[str, Any]]) -> tuple[datetime, CloseFacts, tuple[str, ...]]:
    """Read the submitted modal: (closed_at, facts, reviewers); FieldError on a bad field."""
    field = {block: next(iter(actions.values())) for block, actions in values.items()}
    stamp = field["closed_at"].get("selected_date_time")
    if stamp is None:
        raise FieldError("closed_at", N_("When was it over? Pick a date and time."))
    facts = CloseFacts(
        impact=_impact(field["impact"].get("value") or ""),
        data_loss=_selected(field, "data_loss") == "yes",
        intervention=_selected(field, "intervention"),
        detected_by=_selected(field, "detected_by"),
    )
    reviewers = tuple(field.get("reviewers", {}).get("selected_users") or ())
    return datetime.fromtimestamp(int(stamp), UTC), facts, reviewers


def _impact(raw: str) -> timedelta | None:
    if not raw.strip():
        raise FieldError("impact", N_("How long were users affected? e.g. 25m, 1h30m, or none."))
    try:
        return impact_value(raw)
    except BadCommand as exc:
        raise FieldError("impact", exc.message) from exc


def _selected(field: dict[str, dict[str, Any]], block_id: str) -> str:
    option = field[block_id].get("selected_option")
    if not option:
        raise FieldError(block_id, N_("Please choose one."))
    return option["value"]
