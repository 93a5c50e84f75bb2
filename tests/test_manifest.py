"""manifest.yml is a Slack app manifest that matches what the code does."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Web API methods the bot calls → the bot scope each needs.
SCOPES = {
    "conversations_create": "channels:manage",
    "conversations_invite": "channels:manage",
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "pins_add": "pins:write",
    "users_info": "users:read",
    "canvases_create": "canvases:write",
    "files_upload_v2": "files:write",
    "files_info": "files:read",
    "conversations_history": "channels:history",
    "conversations_replies": "channels:history",
    "conversations_open": "im:write",
    "conversations_members": "channels:read",
    "conversations_list": "channels:read",
}
# The same methods on a private incident channel (`/incident start --private`) need the
# private-channel twin of their scope.
PRIVATE_SCOPES = {
    "conversations_create": "groups:write",
    "conversations_invite": "groups:write",
    "conversations_members": "groups:read",
    "conversations_list": "groups:read",
    "conversations_history": "groups:history",
    "conversations_replies": "groups:history",
}
# Events the code listens to → the subscription (and scope) that delivers them.
EVENTS = {
    "reaction_added": ("reaction_added", "reactions:read"),
    "reaction_removed": ("reaction_removed", "reactions:read"),
    "message": ("message.channels", "channels:history"),
    "member_joined_channel": ("member_joined_channel", "channels:read"),
}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def called_methods() -> set[str]:
    names = set()
    for path in (ROOT / "handlers").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in SCOPES:
                names.add(node.attr)
    return names


def test_slash_command_is_escaped_and_points_at_slack_events():
    [command] = manifest()["features"]["slash_commands"]
    assert command["command"] == "/incident"
    assert command["should_escape"] is True
    assert command["url"].endswith("/slack/events")


def test_interactivity_is_enabled_at_the_same_endpoint():
    interactivity = manifest()["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"].endswith("/slack/events")


def test_every_method_the_code_calls_has_its_scope():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    called = called_methods()
    assert {"conversations_create", "chat_postMessage", "users_info"} <= called
    missing = {method: SCOPES[method] for method in called if SCOPES[method] not in scopes}
    assert missing == {}


def test_a_private_incident_channel_has_the_scopes_of_a_public_one():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    called = called_methods()
    assert {"conversations_create", "conversations_invite", "conversations_members"} <= called
    missing = {m: PRIVATE_SCOPES[m] for m in called & PRIVATE_SCOPES.keys()}
    assert {m: s for m, s in missing.items() if s not in scopes} == {}


def test_events_of_a_private_incident_channel_are_subscribed_too():
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    # Edits and deletions of captured messages, and joins (responders), in a private channel.
    assert "message.groups" in subscribed and "groups:history" in scopes
    assert "groups:read" in scopes  # member_joined_channel in private channels


def listened_events() -> set[str]:
    source = (ROOT / "handlers" / "events.py").read_text()
    return {name for name in EVENTS if f'"{name}"' in source}


def test_every_event_the_code_listens_to_is_subscribed_with_its_scope():
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert listened_events() == set(EVENTS)
    for event, (subscription, scope) in EVENTS.items():
        assert subscription in subscribed, event
        assert scope in scopes, event


def test_the_message_shortcut_is_declared_with_the_callback_the_code_handles():
    from handlers.blocks import CAPTURE_SHORTCUT

    [shortcut] = manifest()["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", CAPTURE_SHORTCUT)
