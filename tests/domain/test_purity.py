"""The domain imports only the standard library (and itself)."""

import ast
import sys
from pathlib import Path

import bot.domain

DOMAIN = Path(bot.domain.__file__).parent
MODULES = sorted(DOMAIN.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Top-level names of absolute imports; relative imports stay inside the package."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def is_allowed(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names or (
        module == "bot.domain" or module.startswith("bot.domain.")
    )


def test_the_domain_has_modules() -> None:
    assert {p.name for p in MODULES} >= {"errors.py", "model.py", "timeparse.py", "commands.py"}


def test_domain_imports_only_the_standard_library() -> None:
    offenders = {
        f"{path.relative_to(DOMAIN)}: {module}"
        for path in MODULES
        for module in imported_modules(path)
        if not is_allowed(module)
    }
    assert not offenders, f"non-stdlib imports in bot/domain: {sorted(offenders)}"


def test_the_check_catches_third_party_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import yaml\nfrom slack_sdk import WebClient\nfrom bot.services import x\n")
    modules = imported_modules(bad)
    assert modules == {"yaml", "slack_sdk", "bot.services"}
    assert not any(is_allowed(m) for m in modules)
