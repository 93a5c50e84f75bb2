"""Slack channel names for incidents: ``inc-7-kafka-brokers-down``, ``inc-6-決済障害``.

Slack allows lower-case letters, digits, hyphens and underscores, up to 80 characters, and
Japanese workspaces name channels in Japanese: the title's words are kept in any script (Latin
lower-cased and folded to ASCII where it has an ASCII form). Slack's documentation only speaks of
"lowercase letters", so where a workspace refuses such a name the caller falls back to the
Latin-only one (``latin_only=True``).
"""

from __future__ import annotations

import re
import unicodedata

SLACK_MAX_LEN = 80

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Slack markup in a title: a mention or channel reads as its label (never the id); a link too.
_MARKUP = re.compile(r"<(?:[@#!][^|<>]*|(?:https?://|mailto:)[^|<>]*)(?:\|(?P<label>[^<>]*))?>")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by single hyphens; everything else separates words.

    NFKD folds accents and full-width letters first, so ``Café`` gives ``cafe`` and
    ``Ｒｅｄｉｓ`` gives ``redis``; scripts without an ASCII form (Japanese) simply drop out.
    """
    folded = unicodedata.normalize("NFKD", text).lower()
    return _NOT_SLUG.sub("-", folded).strip("-")


def words_slug(text: str) -> str:
    """The title's words in any script, joined by single hyphens: ``決済障害`` stays, ``Café``
    gives ``cafe``, full-width ``Ｒｅｄｉｓ`` gives ``redis``; punctuation and emoji separate."""
    text = _MARKUP.sub(lambda m: f" {m['label'] or ''} ", text)
    out = []
    for char in unicodedata.normalize("NFKC", text).lower():
        ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        if ascii_form.isalnum():
            out.append(ascii_form.lower())
        elif char.isalnum() and not char.isascii():
            out.append(char)
        else:
            out.append("-")
    return re.sub("-+", "-", "".join(out)).strip("-")


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


def channel_name(
    prefix: str,
    number: int,
    title: str,
    max_len: int = SLACK_MAX_LEN,
    *,
    latin_only: bool = False,
) -> str:
    """``inc-7-kafka-brokers-down``: prefix, number, then the title's words (``inc-6-決済障害``).

    ``latin_only`` keeps only ASCII words, so a title with none (``決済障害``) gives ``inc-6``.
    """
    base = f"{slugify(prefix)}-{number}"
    if not slugify(prefix) or len(base) > max_len:
        raise ValueError(f"cannot build a channel name from prefix {prefix!r} in {max_len} chars")
    slug = slugify(_MARKUP.sub(lambda m: f" {m['label'] or ''} ", title)) if latin_only else (
        words_slug(title)
    )
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
