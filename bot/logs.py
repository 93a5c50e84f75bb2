"""Logging: quiet by default, `LOG_LEVEL` and `LOG_FORMAT=text|json` from the environment.

Libraries that speak at every tick or plugin (APScheduler, Alembic) are held to warnings;
storage/migrate.py says in one line which migrations it applied at start. JSON lines go
through python-json-logger: each record's `extra` fields (a request's surface, incident ref,
outcome and ack latency — see handlers/observe.py) become fields of its object.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from pythonjsonlogger.json import JsonFormatter

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = {  # logger → the least it says
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,  # storage/migrate.py says in one line what it upgraded
    "slack_bolt": logging.WARNING,
    "slack_sdk": logging.WARNING,
    "aiohttp.access": logging.WARNING,
}


class LogSettingError(ValueError):
    pass


def configure(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    level = (env.get("LOG_LEVEL") or "INFO").upper()
    form = (env.get("LOG_FORMAT") or "text").lower()
    if level not in LEVELS:
        raise LogSettingError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    if form not in FORMATS:
        raise LogSettingError(f"LOG_FORMAT must be text or json, not {form!r}")
    handler = logging.StreamHandler(sys.stderr)
    if form == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, least in QUIET.items():
        logging.getLogger(name).setLevel(max(least, logging.getLevelName(level)))
