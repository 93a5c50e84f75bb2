"""`furikaeri doctor`: is everything the bot needs in place? One row per check, with a fix for
each failure: the token (auth.test), its scopes (Slack's `x-oauth-scopes` header) against the
manifest, the database (reachable, migrated), the policy (valid), the channels the policy names
(they exist and the bot can post there) and how drafts will be shared (canvases or files)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.policy import Policy
from bot.settings import Settings, SettingsError, load_policy
from storage.db import create_engine, ping
from storage.migrate import at_head

# The bot scopes manifest.yml asks for (tests/test_manifest.py keeps the two in step).
BOT_SCOPES = frozenset(
    {
        "commands",
        "channels:manage",
        "channels:read",
        "chat:write",
        "pins:write",
        "users:read",
        "canvases:write",
        "files:write",
        "files:read",
        "channels:history",
        "reactions:read",
        "im:write",
        "im:history",
        "groups:history",
        "groups:read",
        "groups:write",
        "chat:write.public",
    }
)
REINSTALL = (
    "add them in the app's OAuth & Permissions page (or update it from manifest.yml), reinstall"
)


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # works, but not as well as it could: not a failure


async def diagnose(settings: Settings, policy_path: str | None) -> list[Finding]:
    findings: list[Finding] = []
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    scopes = await _token(client, findings)
    if scopes is not None:
        findings.append(_scopes(scopes))
    findings.extend(await _database(settings.database_url))
    policy = _policy(policy_path, findings)
    if policy is not None and scopes is not None:
        findings.extend(await _channels(client, policy, scopes))
        findings.append(_sharing(policy, scopes))
    return findings


async def _token(client: AsyncWebClient, findings: list[Finding]) -> frozenset[str] | None:
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        findings.append(
            Finding(
                "token",
                False,
                f"auth.test refused it: {error}",
                "copy the app's Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN",
            )
        )
        return None
    except (aiohttp.ClientError, TimeoutError) as exc:
        findings.append(
            Finding(
                "token",
                False,
                f"Slack did not answer ({exc.__class__.__name__})",
                "check SLACK_API_URL and the network (proxy, firewall)",
            )
        )
        return None
    team = answer.get("team") or answer.get("team_id")
    findings.append(Finding("token", True, f"bot {answer.get('user_id')} in {team}"))
    header = answer.headers.get("x-oauth-scopes") or answer.headers.get("X-OAuth-Scopes") or ""
    return frozenset(s.strip() for s in header.split(",") if s.strip())


def _scopes(granted: frozenset[str]) -> Finding:
    missing = sorted(BOT_SCOPES - granted)
    if not missing:
        return Finding("scopes", True, f"all {len(BOT_SCOPES)} the manifest asks for")
    return Finding("scopes", False, f"missing: {', '.join(missing)}", REINSTALL)


async def _database(url: str) -> list[Finding]:
    engine = create_engine(url)
    try:
        if not await ping(engine):
            return [
                Finding(
                    "database",
                    False,
                    f"{engine.url.render_as_string(hide_password=True)} does not answer",
                    "check DATABASE_URL and that the server runs",
                )
            ]
        reachable = Finding("database", True, engine.url.render_as_string(hide_password=True))
        if await at_head(engine):
            return [reachable, Finding("schema", True, "at the newest migration")]
        return [
            reachable,
            Finding(
                "schema",
                False,
                "not at the newest migration",
                "run `furikaeri db upgrade` (starting the bot does it too)",
            ),
        ]
    finally:
        await engine.dispose()


def _policy(path: str | None, findings: list[Finding]) -> Policy | None:
    try:
        policy = load_policy(path)
    except SettingsError as exc:
        findings.append(
            Finding("policy", False, str(exc), "fix the file (`furikaeri policy check`)")
        )
        return None
    findings.append(Finding("policy", True, path or "the defaults"))
    return policy


async def _channels(
    client: AsyncWebClient, policy: Policy, scopes: frozenset[str]
) -> Iterable[Finding]:
    named = {
        "publish channel": policy.publish_channel,
        "private publish channel": policy.private_publish_channel,
        "escalation channel": policy.escalation_channel,
    }
    found = []
    for what, channel in named.items():
        if not channel:
            continue
        try:
            info = (await client.conversations_info(channel=channel))["channel"]
        except SlackApiError as exc:
            error = exc.response.get("error", "error")
            found.append(
                Finding(
                    what,
                    False,
                    f"{channel}: {error}",
                    "name an existing channel's id in the policy, and invite the bot if private",
                )
            )
            continue
        postable = info.get("is_member") or (
            not info.get("is_private") and "chat:write.public" in scopes
        )
        found.append(
            Finding(what, True, f"#{info.get('name', channel)}")
            if postable
            else Finding(
                what,
                False,
                f"#{info.get('name', channel)}: the bot can't post there",
                f"`/invite @furikaeri` in #{info.get('name', channel)}",
            )
        )
    return found


def _sharing(policy: Policy, scopes: frozenset[str]) -> Finding:
    canvases, files = "canvases:write" in scopes, "files:write" in scopes
    if policy.share == "canvas" and not canvases:
        return Finding("drafts", False, "share: canvas, but canvases:write is missing", REINSTALL)
    if policy.share == "file" or (policy.share == "auto" and not canvases):
        if not files:
            return Finding("drafts", False, "files:write is missing", REINSTALL)
        if policy.share == "auto":
            return Finding(
                "drafts",
                True,
                "as Markdown files (canvases:write is missing)",
                "add canvases:write for canvases",
                warning=True,
            )
        return Finding("drafts", True, "as Markdown files")
    return Finding("drafts", True, "as canvases")


def table(findings: list[Finding]) -> str:
    """The findings as a plain-text table: check, status, detail, fix."""
    rows = [("CHECK", "STATUS", "DETAIL", "FIX")] + [
        (f.check, "ok" if f.ok and not f.warning else "warn" if f.ok else "FAIL", f.detail, f.fix)
        for f in findings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + ("  " + row[3] if row[3] else "")
        for row in rows
    )
