"""Slack mrkdwn escaping.

Slack gives meaning to only three characters in message text: ``<`` and ``>`` delimit mentions
(``<@U1>``), broadcasts (``<!channel>``) and links (``<https://…|label>``), and ``&`` starts
the escapes for them. Escaping exactly these three makes user text inert — it can never ping
anyone or forge a link — while Markdown-like formatting (``*bold*``, backticks) still renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime


def escape(text: str) -> str:
    """Make ``text`` safe to embed in mrkdwn (``&`` first, so nothing is escaped twice)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<``, ``>`` in incoming text, and nothing else.

    Slash-command text arrives escaped when the command has ``should_escape`` set. ``&amp;`` is
    undone last so that a literal ``&lt;`` typed by the user (sent as ``&amp;lt;``) stays
    ``&lt;`` instead of becoming ``<``.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_SLACK_MARKUP = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def mentions(text: str) -> set[str]:
    """The people ``text`` mentions (``<@U123>``, ``<@U123|aki>``), by their Slack ids."""
    return set(_MENTION.findall(text))


def _readable(token: str, names: Mapping[str, str]) -> str:
    target, _, label = token.partition("|")
    if target.startswith("@"):
        return "@" + (label or names.get(target[1:]) or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        return label or ("@" + name if name in ("channel", "here", "everyone") else name)
    return f"{label} ({target})" if label and label != target else target


def readable(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack markup as plain words, for documents outside Slack's message surface: a mention
    becomes "@alice" (its label, else its name in ``names``), a link "label (https://…)", and
    Markdown link brackets are escaped, so a note can neither mention nor hide a link in the
    postmortem document."""
    plain = _SLACK_MARKUP.sub(lambda m: _readable(m.group(1), names or {}), text)
    return plain.replace("[", "\\[").replace("]", "\\]")


def slack_date(at: datetime, fallback: str) -> str:
    """``at`` as a Slack date: each reader sees it in their own zone (``2021-12-28 10:42``);
    ``fallback`` where Slack can't render it (notifications, old clients)."""
    return f"<!date^{int(at.timestamp())}^{{date_num}} {{time}}|{escape(fallback)}>"
