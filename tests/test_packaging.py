"""The installed distribution: a wheel carries the templates and catalogues the bot reads beside
its code, and a bot imported from the unpacked wheel (not this checkout) finds and renders them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the build reads. It runs on a copy so its build/ and egg-info stay out of the checkout.
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "storage", "templates")
DATA = [
    "templates/postmortem.md.j2",
    "templates/export_timeline.md.j2",
    "templates/blameless/en.json",
    "templates/blameless/ja.json",
    "bot/locales/ja/LC_MESSAGES/messages.po",
]
# Run from the unpacked wheel: where the code was imported from, the draft's first lines in
# both languages (the template and the Japanese catalogue), and the built-in blameless lists.
RENDER = """
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import bot.render
from bot.domain.blameless import default_rules
from bot.domain.model import Incident, Postmortem

at = datetime(2021, 12, 28, 1, 0, tzinfo=UTC)
incident = Incident(1, 7, "Aurora failover", 2, "closed", "U1", "C1", at, at, closed_at=at)
postmortem = Postmortem(1, 1, "draft", "U1", (), at, ())
drafts = {
    locale: bot.render.Renderer().postmortem_markdown(
        incident=incident, postmortem=postmortem, timeline=[], names={}, locale=locale,
        tz=ZoneInfo("UTC"), now=at,
    )
    for locale in ("en", "ja")
}
print(json.dumps({
    "code": bot.render.__file__,
    "title": {locale: md.splitlines()[0] for locale, md in drafts.items()},
    "sections": {
        locale: next(line for line in md.splitlines() if line.startswith("## "))
        for locale, md in drafts.items()
    },
    "blameless": len(default_rules(("en", "ja"))) > 0,
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel ``pip wheel --no-deps --no-build-isolation`` builds from the sources."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    built = subprocess.run(
        [*pip, "-w", str(out), str(src)], capture_output=True, text=True, timeout=180
    )
    assert built.returncode == 0, built.stderr
    [found] = out.glob("furikaeri-*.whl")
    return found


def test_the_wheel_holds_the_templates_and_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in DATA if name not in names] == []


def test_a_bot_installed_from_the_wheel_renders_the_postmortem(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = os.environ | {"PYTHONPATH": str(site)}
    ran = subprocess.run(
        [sys.executable, "-c", RENDER],
        cwd=tmp_path,  # not the checkout: its bot/ and templates/ must not be found
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    said = json.loads(ran.stdout)
    assert Path(said["code"]).is_relative_to(site)
    assert said["title"] == {"en": "# INC-7: Aurora failover", "ja": "# INC-7: Aurora failover"}
    assert said["sections"] == {"en": "## Summary", "ja": "## サマリ"}
    assert said["blameless"]
