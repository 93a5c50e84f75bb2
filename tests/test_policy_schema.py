"""The policy's JSON Schema (bot/policy_schema.py) and its loader (bot/domain/policy.py) agree:
the same keys at every level, each example and enum value the schema offers loads, and a value
of the wrong form is refused by the loader too. policy.schema.json is the schema's current output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.policy import Policy
from bot.domain.policy_fields import PolicyError
from bot.policy_schema import schema
from tests.test_cli import base_env, run

ROOT = Path(__file__).resolve().parent.parent
Path_ = tuple[str | int, ...]


def _objects(node: dict[str, Any], path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Every object schema, with where it sits (an int: the first item of a list)."""
    for choice in node.get("oneOf", ()):
        yield from _objects(choice, path)
    if node.get("type") == "object":
        yield path, node
        for key, child in node["properties"].items():
            yield from _objects(child, (*path, key))
    if node.get("type") == "array" and "items" in node:
        yield from _objects(node["items"], (*path, 0))


def _leaves(node: dict[str, Any], path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    for choice in node.get("oneOf", ()):
        yield from _leaves(choice, path)
    if node.get("type") == "object":
        for key, child in node["properties"].items():
            yield from _leaves(child, (*path, key))
    elif "oneOf" not in node:
        yield path, node


def _with_required(path: Path_, value: object) -> Any:
    """`value` at `path`, beside what its object requires (the first value its schema offers)."""
    parent: dict[str, Any] | None = None
    for where, node in OBJECTS:
        if where == path[:-1]:
            parent = node
    needed = parent.get("required", []) if parent else []
    if parent and "anyOf" in parent:  # severity: its threshold, unless switched off
        needed = ["max_severity"] if value is not False else []
    siblings = (
        {key: _offer(parent["properties"][key]) for key in needed if key != path[-1]}
        if parent
        else {}
    )
    return _placed(path[:-1], {**siblings, path[-1]: value}) if siblings else _placed(path, value)


def _offer(leaf: dict[str, Any]) -> object:
    return (leaf.get("examples") or leaf.get("enum"))[0]


def _placed(path: Path_, value: object) -> Any:
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def _dotted(path: Path_) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")


def _known_keys(path: Path_) -> set[str]:
    """The keys the loader knows at `path`, as its refusal of an unknown one lists them."""
    with pytest.raises(PolicyError) as refused:
        Policy.from_mapping(_placed((*path, "no_such_key"), 1))
    assert refused.value.path == _dotted((*path, "no_such_key"))
    listed = re.search(r"Known keys: (.*)\.$", str(refused.value))
    assert listed, str(refused.value)
    return set(listed.group(1).split(", "))


OBJECTS = list(_objects(schema()))


@pytest.mark.parametrize("path, node", OBJECTS, ids=[_dotted(p) or "(top)" for p, _ in OBJECTS])
def test_the_schema_and_the_loader_know_the_same_keys(path: Path_, node: dict[str, Any]) -> None:
    assert set(node["properties"]) == _known_keys(path)


def _samples() -> Iterator[tuple[Path_, object]]:
    for path, leaf in _leaves(schema()):
        for value in leaf.get("examples", ()):
            yield path, value
        for value in leaf.get("enum", ()):
            yield path, value
        if leaf.get("type") == "boolean":
            yield path, True


SAMPLES = list(_samples())


@pytest.mark.parametrize("path, value", SAMPLES, ids=[f"{_dotted(p)}={v}" for p, v in SAMPLES])
def test_what_the_schema_offers_loads(path: Path_, value: object) -> None:
    if path[:2] == ("blameless", "extra"):  # a rule is about a phrase
        Policy.from_mapping(_placed(path[:-1], {"phrase": "whose fault", path[-1]: value}))
    else:
        Policy.from_mapping(_with_required(path, value))


def _wrong() -> Iterator[tuple[Path_, object]]:
    for path, leaf in _leaves(schema()):
        if "enum" in leaf:
            yield path, "not-one-of-them"
        elif leaf.get("type") == "boolean":
            yield path, "yes"
        elif "pattern" in leaf:
            yield path, "!! not this"


WRONG = list(_wrong())


@pytest.mark.parametrize("path, value", WRONG, ids=[_dotted(p) for p, _ in WRONG])
def test_what_the_schema_forbids_the_loader_refuses(path: Path_, value: object) -> None:
    with pytest.raises(PolicyError):
        Policy.from_mapping(_placed(path, value))


def test_policy_schema_json_is_the_schemas_output() -> None:
    committed = json.loads((ROOT / "policy.schema.json").read_text())
    assert committed == schema(), "run: furikaeri policy schema > policy.schema.json"


async def test_furikaeri_policy_schema_prints_it() -> None:
    code, out, _ = await run("policy", "schema", env=base_env())
    assert code == 0 and json.loads(out) == schema()
