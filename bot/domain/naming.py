"""Slack channel names for incidents: ``inc-7-kafka-brokers-down``.

Slack allows lower-case letters, digits, hyphens and underscores, up to 80 characters. We keep
to ASCII letters, digits and hyphens so names read the same in every client and URL.
"""

from __future__ import annotations

import re
import unicodedata

SLACK_MAX_LEN = 80

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by single hyphens; everything else separates words.

    NFKD folds accents and full-width letters first, so ``Café`` gives ``cafe`` and
    ``Ｒｅｄｉｓ`` gives ``redis``; scripts without an ASCII form (Japanese) simply drop out.
    """
    folded = unicodedata.normalize("NFKD", text).lower()
    return _NOT_SLUG.sub("-", folded).strip("-")


def _truncate(name: str, limit: int) -> str:
    """Cut ``name`` to ``limit`` characters, at a hyphen when that keeps at least half of it."""
    if len(name) <= limit:
        return name
    if name[limit] == "-":
        return name[:limit]
    head = name[:limit]
    cut = head.rfind("-")
    # One very long word would otherwise be dropped whole; cut it instead.
    if cut >= limit // 2:
        return head[:cut]
    return head.rstrip("-")


def channel_name(prefix: str, number: int, title: str, max_len: int = SLACK_MAX_LEN) -> str:
    """``inc-7-kafka-brokers-down``: prefix, number, then the title's ASCII words.

    A title with no ASCII letters or digits (``決済障害``) gives just ``inc-7``.
    """
    base = f"{slugify(prefix)}-{number}"
    if not slugify(prefix) or len(base) > max_len:
        raise ValueError(f"cannot build a channel name from prefix {prefix!r} in {max_len} chars")
    slug = slugify(title)
    if not slug:
        return base
    return _truncate(f"{base}-{slug}", max_len)


def with_suffix(name: str, n: int, max_len: int = SLACK_MAX_LEN) -> str:
    """``inc-7-kafka-2``: ``name`` with ``-n`` appended, shortening ``name`` to stay in bounds.

    Used when a channel name is taken (for example by an archived channel).
    """
    suffix = f"-{n}"
    room = max_len - len(suffix)
    if room < 1:
        raise ValueError(f"no room for suffix {suffix!r} in {max_len} chars")
    return _truncate(name, room).rstrip("-") + suffix
