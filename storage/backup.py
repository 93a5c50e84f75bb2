"""`furikaeri db backup PATH`: a consistent copy of a SQLite database while the bot runs
(SQLite's online backup API, safe beside its writer and in WAL mode). PostgreSQL is backed up
with its own tools (README, "Backup and restore")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup can't be made; the message says why and what to do."""


def backup(database_url: str, target: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "db backup copies a SQLite database; back PostgreSQL up with pg_dump "
            "(README, 'Backup and restore')"
        )
    source = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source.is_file():
        raise BackupError(f"there is no SQLite database at {url.database!r} to back up")
    path = Path(target)
    if path.exists():
        raise BackupError(f"{path} already exists; name a new file")
    _copy(source, path)
    return path


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # page by page, consistent even while the bot writes
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()
