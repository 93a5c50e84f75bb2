"""Block Kit is built from slack_sdk's typed models (handlers/kit.py), never as hand-written
dicts: a dict literal with a Block Kit `"type"` anywhere in the bot's code is named here."""

import ast
from pathlib import Path

import bot
import handlers

ROOTS = (Path(handlers.__file__).parent, Path(bot.__file__).parent)
BLOCK_KIT_TYPES = frozenset(
    {
        # blocks
        "section",
        "actions",
        "context",
        "header",
        "input",
        "divider",
        "image",
        "rich_text",
        # views
        "modal",
        "home",
        # elements and text objects
        "button",
        "plain_text",
        "mrkdwn",
        "plain_text_input",
        "static_select",
        "radio_buttons",
        "checkboxes",
        "datetimepicker",
        "datepicker",
        "timepicker",
        "multi_users_select",
        "users_select",
        "overflow",
    }
)


def hand_built(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and key.value == "type"
                and isinstance(value, ast.Constant)
                and value.value in BLOCK_KIT_TYPES
            ):
                found.append(f"{path.name}:{node.lineno}: {{'type': {value.value!r}, …}}")
    return found


def test_the_check_finds_a_hand_built_block(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('BLOCK = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}\n')
    assert hand_built(sample) == [
        "sample.py:1: {'type': 'section', …}",
        "sample.py:1: {'type': 'mrkdwn', …}",
    ]


def test_no_block_kit_is_built_by_hand() -> None:
    offenders = [
        found for root in ROOTS for p in sorted(root.rglob("*.py")) for found in hand_built(p)
    ]
    assert not offenders, "build these with handlers/kit.py (slack_sdk models):\n" + "\n".join(
        offenders
    )
