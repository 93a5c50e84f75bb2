"""Slack mrkdwn escaping.

Slack gives meaning to only three characters in message text: ``<`` and ``>`` delimit mentions
(``<@U1>``), broadcasts (``<!channel>``) and links (``<https://…|label>``), and ``&`` starts
the escapes for them. Escaping exactly these three makes user text inert — it can never ping
anyone or forge a link — while Markdown-like formatting (``*bold*``, backticks) still renders.
"""

from __future__ import annotations


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
