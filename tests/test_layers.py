"""The layers (README, "Development"): each imports only what is below it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = sys.stdlib_module_names


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def _allowed(module: str, allowed: tuple[str, ...]) -> bool:
    top = module.split(".")[0]
    return top in STDLIB or top == "__future__" or module.startswith(allowed)


LAYERS = {
    # folder: what its modules may import besides the standard library
    "bot/domain": ("bot.domain",),
    "bot/services": ("bot.domain", "bot.services"),
    "storage": ("storage", "bot.domain", "bot.services.ports", "sqlalchemy", "alembic"),
    "handlers": ("handlers", "bot", "slack_bolt", "slack_sdk", "aiohttp"),  # never storage
}


@pytest.mark.parametrize(
    "path",
    [p for folder in LAYERS for p in _modules(folder)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_each_module_imports_only_from_below(path: Path) -> None:
    folder = str(path.parent.relative_to(ROOT))
    allowed = LAYERS[folder]
    wrong = sorted(m for m in _imports(path) if not _allowed(m, allowed))
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"

