"""`furikaeri export --format md`, parsed back: YAML front matter and a Mermaid timeline.

Incidents are replayed through Slack's front door; the export is then split into its front
matter (loaded with ``yaml.safe_load``) and its ``mermaid`` block (checked line by line against
the strictest Mermaid timeline grammar: no ``:`` but the event separator, no ``#`` or ``;``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import yaml

from bot.domain.policy import Policy
from bot.export import to_json
from bot.export_markdown import mermaid_text, to_markdown, yaml_string
from tests.slack.test_close import ALL_FACTS
from tests.support.flows import declare, eventually, send_event, stored
from tests.support.settle import quiet
from tests.test_cli import base_env, run

HOSTILE = (
    'a: b "quotes"\nsecond line {{ 7*7 }} {% if x %}\n---\n... #tag; 100%%{init: {}}%% 管理画面'
)
EN_MOMENTS = [
    ("10∶00", "Incident started"),
    ("10∶00", "User impact started"),
    ("10∶05", "Detected — Sentry alert"),
    ("10∶20", "Cause identified"),
    ("10∶40", "Mitigated"),
    ("10∶45", "User impact ended"),
    ("11∶00", "Resolved"),
    ("14∶00", "Closed"),
]


def split_export(markdown: str) -> tuple[dict, str]:
    """The front matter as loaded by PyYAML, and the document after it."""
    assert markdown.startswith("---\n")
    head, body = markdown[len("---\n") :].split("\n---\n", 1)
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data, body


def mermaid_block(body: str) -> str:
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", body, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, body
    return blocks[0]


def mermaid_events(block: str) -> list[tuple[str, str]]:
    """(period, event) pairs, asserting each line fits Mermaid's timeline grammar."""
    lines = block.splitlines()
    assert lines[0] == "timeline"
    events: list[tuple[str, str]] = []
    period = None
    for line in lines[1:]:
        text = line.strip()
        assert "#" not in text and ";" not in text and "%%" not in text, line
        if text.startswith(("title ", "section ")):
            assert ":" not in text, line
            continue
        assert line.count(" : ") == 1 and line.count(":") == 1, line
        before, event = (part.strip() for part in line.split(" : "))
        assert event, line
        period = before or period
        assert period, f"an event before any period: {line}"
        events.append((period, event))
    return events


def key_lines(block: str, prefix: str) -> list[str]:
    return [
        line.strip()[len(prefix) :]
        for line in block.splitlines()
        if line.strip().startswith(prefix)
    ]


async def closed_incident(bot, title: str, *, detected_note: str = "Sentry alert") -> int:
    number, channel = await declare(bot, f'--at "2021-12-28T10:00Z" --sev 2 {title}')
    for text in (
        "mark impact-start 2021-12-28T10:00Z",
        "mark detected 2021-12-28T10:03Z",
        f"mark detected 2021-12-28T10:05Z {detected_note}",  # marked again: the latest counts
        "status identified 2021-12-28T10:20Z",
        "note 2021-12-28T10:30Z Rolled back the deploy",
        "mark mitigated 2021-12-28T10:40Z",
        "mark impact-end 2021-12-28T10:45Z",
        "status resolved 2021-12-28T11:00Z",
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.json["response_type"] == "in_channel", reply.json
    await bot.slack.command(
        f"close --at 2021-12-28T14:00Z {ALL_FACTS} --reviewers <@U8|rin> <@U9>", channel_id=channel
    )
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.doc_id is not None)
    await quiet(bot.runtime)  # what Slack said of the people is kept in the background too
    return number


def export(bot, report) -> str:
    return to_markdown(report, policy=bot.runtime.policy, renderer=bot.runtime.deps.renderer)


async def test_front_matter_and_mermaid_timeline_of_a_closed_incident(bot):
    bot.fake.users["U1"] = {"name": "Aki Tanaka"}
    bot.fake.users["U8"] = {"name": "Rin"}
    bot.fake.strict_users = True  # U9 is not in the workspace any more
    number = await closed_incident(bot, "Aurora failover caused write errors")
    markdown = export(bot, await stored(bot, number))

    front, body = split_export(markdown)
    assert front == {
        "id": "INC-1",
        "title": "Aurora failover caused write errors",
        "severity": 2,
        "status": "closed",
        "private": False,
        "postmortem_status": "draft",
        "started_at": "2021-12-28T10:00:00Z",
        "resolved_at": "2021-12-28T11:00:00Z",
        "closed_at": "2021-12-28T14:00:00Z",
        "duration_minutes": 60,
        "triggers": ["impact", "intervention", "duration"],
        "impact_minutes": 27,
        "data_loss": False,
        "detected_by": "monitoring",
        "intervention": "rollback",
        "declared_by": {"id": "U1", "name": "Aki Tanaka"},
        "roles": {},
        "author": {"id": "U1", "name": "Aki Tanaka"},
        "reviewers": [{"id": "U8", "name": "Rin"}, {"id": "U9", "name": "U9"}],  # never seen
        "published_at": None,
    }
    assert body.startswith("# INC-1: Aurora failover caused write errors\n")
    block = mermaid_block(body)
    assert key_lines(block, "section ") == ["2021-12-28 UTC"]
    assert mermaid_events(block) == EN_MOMENTS  # notes and the corrected mark left out
    # The diagram sits under the title and facts; the document follows, table included.
    assert body.index("**Key figures:**") < body.index("```mermaid") < body.index("## Summary")
    assert "| 2021-12-28 10:30 UTC | Aki Tanaka | Rolled back the deploy |" in body


async def test_the_canvas_draft_has_neither_front_matter_nor_mermaid(bot):
    await closed_incident(bot, "Aurora failover")
    canvas = await bot.fake.wait_for("canvases.create")
    draft = canvas.args["document_content"]["markdown"]
    assert draft.startswith("# INC-1: Aurora failover")
    assert "```mermaid" not in draft and "\n---\n" not in draft


async def test_hostile_title_and_notes_break_neither_the_yaml_nor_the_diagram(bot):
    note = 'Sentry: "write errors" #api; 50%%{init: {"theme": "dark"}}%% {{ 7*7 }}\n--- next: line'
    number = await closed_incident(bot, "a: b {{ 7*7 }} --- #x; 管理画面", detected_note=note)
    report = await stored(bot, number)

    front, body = split_export(export(bot, report))
    assert front["title"] == "a: b {{ 7*7 }} --- #x; 管理画面"
    events = mermaid_events(mermaid_block(body))
    assert [period for period, _ in events] == [period for period, _ in EN_MOMENTS]
    assert events[:2] + events[3:] == EN_MOMENTS[:2] + EN_MOMENTS[3:]
    detected = events[2][1]
    assert (
        detected.startswith('Detected — Sentry∶ "write errors" ＃api； 50%％')
        and "{{ 7*7 }}" in detected
    )

    # Text the slash command cannot carry (quotes, line breaks, odd separators), set directly.
    report = replace(report, incident=replace(report.incident, title=HOSTILE))
    front, body = split_export(export(bot, report))
    assert front["title"] == " ".join(HOSTILE.split())
    assert len(front) == 20 and front["id"] == "INC-1"
    assert mermaid_events(mermaid_block(body)) == events  # the title is not in the diagram


@pytest.mark.parametrize(
    "policy", [Policy.from_mapping({"locale": "ja", "display_timezone": "Asia/Tokyo"})]
)
async def test_japanese_export_times_in_the_display_zone(bot):
    number = await closed_incident(bot, "管理画面用Redisインスタンスのダウン")
    markdown = export(bot, await stored(bot, number))

    assert 'title: "管理画面用Redisインスタンスのダウン"' in markdown  # readable, not \u-escaped
    front, body = split_export(markdown)
    assert front["title"] == "管理画面用Redisインスタンスのダウン"
    assert front["started_at"] == "2021-12-28T10:00:00Z"  # front matter stays in UTC
    block = mermaid_block(body)
    assert key_lines(block, "title ") == ["INC-1 の主な出来事"]
    assert key_lines(block, "section ") == ["2021-12-28 JST"]
    events = mermaid_events(block)
    assert events[0] == ("19∶00", "障害発生")
    assert events[2] == ("19∶05", "検知：Sentry alert")
    assert events[-2:] == [("20∶00", "解決"), ("23∶00", "クローズ")]


async def test_a_running_incident_exports_what_is_known(bot):
    number, channel = await declare(bot, '--at "2021-12-28T23:50Z" Kafka brokers down')
    await bot.slack.command("status identified 2021-12-29T00:10Z", channel_id=channel)
    report = await stored(bot, number)

    front, body = split_export(export(bot, report))
    assert front["status"] == "identified" and front["postmortem_status"] is None
    assert front["closed_at"] is None and front["resolved_at"] is None
    assert front["duration_minutes"] is None and front["impact_minutes"] is None
    assert front["triggers"] == [] and front["reviewers"] == [] and front["severity"] is None
    block = mermaid_block(body)
    assert key_lines(block, "section ") == ["2021-12-28 UTC", "2021-12-29 UTC"]
    assert mermaid_events(block) == [("23∶50", "Incident started"), ("00∶10", "Cause identified")]


async def test_published_at_is_in_the_front_matter(bot):
    number = await closed_incident(bot, "Aurora failover")
    report = await stored(bot, number)
    published = replace(
        report.postmortem, status="published", published_at=datetime(2022, 1, 5, 9, 30, tzinfo=UTC)
    )
    front, _ = split_export(export(bot, replace(report, postmortem=published)))
    assert (front["postmortem_status"], front["published_at"]) == (
        "published",
        "2022-01-05T09:30:00Z",
    )


async def test_cli_export_md_parses_back(bot, sqlite_url):
    await closed_incident(bot, "Aurora failover caused write errors")
    env = base_env(DATABASE_URL=sqlite_url)
    code, out, err = await run("export", "INC-1", "--format", "md", env=env)
    assert code == 0, err
    front, body = split_export(out)
    assert (front["id"], front["triggers"]) == ("INC-1", ["impact", "intervention", "duration"])
    assert mermaid_events(mermaid_block(body)) == EN_MOMENTS
    assert "## Timeline" in body


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "key: value",
        "- item",
        "[1, 2]",
        "{a: 1}",
        "&anchor *alias !tag %YAML @at `tick`",
        "null",
        "yes",
        "2021-12-28",
        "0x1F",
        "",
        "tab\there",
        "back\\slash \\n",
        "nel\x85 ls\u2028 ps\u2029 del\x7f c1\x9b bom\ufeff",
        "emoji 🔥 and ｆｕｌｌ",
    ],
)
def test_yaml_string_round_trips(text):
    assert yaml.safe_load(f"k: {yaml_string(text)}\n") == {"k": text}


@pytest.mark.parametrize(
    "text", [HOSTILE, "10:05", "a : b", "#x;", "%%{init}%%", "l1\r\nl2\u2028l3\x85l4", "<@U1|aki>"]
)
def test_mermaid_text_has_no_syntax_left(text):
    safe = mermaid_text(text)
    assert not set(safe) & set(":#;\n\r\u2028\x85") and "%%" not in safe


def test_mermaid_text_is_cut_to_a_readable_length():
    safe = mermaid_text("word " * 100)
    assert len(safe) == 80 and safe.endswith("…")


async def test_action_items_export_as_a_checklist(bot):
    from bot.export_markdown import to_markdown
    from tests.support.flows import declare, stored

    number, channel = await declare(bot, "Checklist incident")
    await bot.slack.command(
        "action add Alert on replica lag --owner <@U5> --due 2099-01-31 --priority high",
        channel_id=channel,
    )
    await bot.slack.command("action add Write the runbook", channel_id=channel)
    await bot.slack.command("action done 1", channel_id=channel)
    markdown = to_markdown(
        await stored(bot, number), policy=bot.runtime.policy, renderer=bot.runtime.deps.renderer
    )
    assert "- [x] Alert on replica lag — U5, 2099-01-31, high" in markdown
    assert "- [ ] Write the runbook — no owner, " in markdown


async def test_a_changed_name_reaches_documents_written_afterwards(bot):
    bot.fake.users["U1"] = {"name": "aki"}
    number = await closed_incident(bot, "Redis down")
    before = split_export(export(bot, await stored(bot, number)))[0]

    renamed = {"id": "U1", "name": "aki", "tz": "Asia/Tokyo", "profile": {"display_name": "Aki T.", "real_name": "Aki Tanaka"}}
    await send_event(bot, {"type": "user_change", "user": renamed})
    stranger = {"id": "U77", "profile": {"display_name": "Nobody we know"}}
    await send_event(bot, {"type": "user_change", "user": stranger})

    after = await eventually(
        lambda: stored(bot, number), lambda r: r.people["U1"].display_name == "Aki T."
    )
    assert before["author"] == {"id": "U1", "name": "aki"}
    assert split_export(export(bot, after))[0]["author"] == {"id": "U1", "name": "Aki T."}
    assert after.people["U1"].real_name == "Aki Tanaka"
    assert to_json(after)["people"]["U1"] == {"name": "Aki T.", "real_name": "Aki Tanaka", "tz": "Asia/Tokyo"}
    async with bot.runtime.deps.storage.uow() as uow:  # a workspace's changes are many: only
        assert await uow.people.known(["U77"]) == {}  # people we already know are kept


async def test_documents_show_times_in_the_declarers_zone_unless_the_policy_names_one(bot):
    # An en team in Los Angeles, no display_timezone in its policy: 10:15 reads 10:15.
    bot.fake.users["U1"] = {"tz": "America/Los_Angeles", "name": "sam"}
    number, channel = await declare(bot, '--at "2021-12-28 09:00" Checkout errors')
    await bot.slack.command("note 2021-12-28 10:15 Rolled back", channel_id=channel)

    report = await stored(bot, number)
    body = split_export(export(bot, report))[1]

    assert report.incident.tz == "America/Los_Angeles"
    assert "| 2021-12-28 10:15 PST | sam | Rolled back |" in body
    assert "UTC" not in body.split("## Timeline")[1]
