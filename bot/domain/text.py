"""The one rule for text that comes in: characters no database of ours can store.

PostgreSQL can't store a NUL (U+0000) in text, and no UTF-8 database can store a lone surrogate
(U+D800–U+DFFF without its pair; JSON can carry one as `\\ud800`). Such text is stopped at the
door (handlers/door.py): refused, naming the character, when a person sent it, so they can fix
it; replaced by U+FFFD when a channel sent it (an event, a message read back), where nobody could
be answered and the rest of the text is still worth keeping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

Path = tuple[str | int, ...]  # where in a request a text is: keys and indexes


class BadText(BadCommand):
    """A text holds a character that can't be stored; `path` says where it was found."""

    def __init__(self, message: Message, path: Path = ()) -> None:
        super().__init__(message)
        self.path = path


def problem(text: str) -> Message | None:
    """What is wrong with `text` (naming its first unstorable character), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return Message(
            N_(
                "Your text contains a control character (NUL) that can't be stored; "
                "remove it and try again."
            )
        )
    return Message(
        N_(
            "Your text contains a broken character (an unpaired surrogate, U+%(code)s) that "
            "can't be stored; remove it and try again."
        ),
        {"code": f"{ord(found.group()):04X}"},
    )


def check(value: Any, *, skip: frozenset[str] = frozenset()) -> None:
    """Raise BadText for the first unstorable text in `value` (a request body: dicts, lists,
    strings, keys included), leaving out its top-level entries named in `skip`."""
    for path, text in _texts(value, (), skip):
        message = problem(text)
        if message is not None:
            raise BadText(message, path)


def scrub(text: str) -> str:
    """`text` with every unstorable character replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def scrub_all(value: Any) -> Any:
    """`value` with every text in it (keys included) scrubbed; dicts and lists are changed in
    place, so that whoever holds them sees the clean text."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        value[:] = [scrub_all(item) for item in value]
    elif isinstance(value, dict):
        items = [(scrub(k) if isinstance(k, str) else k, scrub_all(v)) for k, v in value.items()]
        value.clear()
        value.update(items)
    return value


def _texts(value: Any, path: Path, skip: frozenset[str]) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i), skip)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not path and key in skip:
                continue
            if isinstance(key, str):
                yield (*path, key), key
            yield from _texts(item, (*path, key), skip)
