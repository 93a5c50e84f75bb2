"""What went wrong when Slack refused or failed, as a short code."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code ("channel_not_found"), or the HTTP status when Slack sent an error
    page instead of JSON (a 502 from a proxy, say)."""
    data = exc.response.data
    if isinstance(data, dict):
        return str(data.get("error") or f"http_{exc.response.status_code}")
    return f"http_{exc.response.status_code}"
