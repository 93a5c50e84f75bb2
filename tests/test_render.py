"""The postmortem document: structure, pre-filled facts, timeline, and user text kept as data."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2
import pytest

from bot.domain.lifecycle import said_mark, said_role, said_severity
from bot.domain.model import CloseFacts, Incident, Postmortem, TimelineEntry, Trigger
from bot.domain.postmortem import SECTION_KEYS, ActionRow, Participants
from bot.render import Renderer, format_dt, md_block, md_cell
from bot.settings import load_policy
from bot.wording import format_duration_ja

TOKYO = ZoneInfo("Asia/Tokyo")

EN_HEADINGS = [
    "Summary",
    "Impact",
    "Root cause",
    "Trigger",
    "Response",
    "Detection",
    "What went well",
    "What went wrong",
    "Where we got lucky",
    "Action items",
    "Timeline",
    "References",
]
JA_HEADINGS = [
    "サマリ",
    "インパクト",
    "根本原因",
    "発生原因",
    "対応",
    "検出",
    "うまくいった事",
    "うまくいかなかった事",
    "幸運だった事",
    "アクションアイテム",
    "タイムライン",
    "参考情報",
]
EN_META = ["Created", "Incident period", "Author", "Reviewers", "Status"]
JA_META = ["作成日", "障害発生期間", "作者", "レビュワー", "ステータス"]
NAMES = {"U_AKI": "Aki Sato", "U_BEN": "Ben Ito", "U_CHIE": "Chie Mori"}


# --- the seed's examples --------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def entry(n: int, at: datetime, author: str, text: str) -> TimelineEntry:
    return TimelineEntry(n, 1, n, at, at + timedelta(minutes=1), author, text)


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture
def aurora() -> tuple[Incident, Postmortem, list[TimelineEntry]]:
    """Example 2: Aurora failover caused write errors; 4 hours; Sentry alert; Unicorn restart."""
    start = utc(2021, 12, 28, 1, 0)  # 10:00 JST
    incident = Incident(
        id=1,
        number=7,
        title="Aurora failover caused write errors",
        severity=2,
        status="closed",
        declared_by="U_AKI",
        declared_in="C_OPS",
        started_at=start,
        declared_at=start + timedelta(minutes=10),
        channel_id="C_INC7",
        channel_name="inc-7-aurora-failover",
        closed_at=start + timedelta(hours=4),
        closed_by="U_AKI",
        facts=CloseFacts(
            impact=timedelta(hours=4),
            data_loss=False,
            intervention="restart",
            detected_by="monitoring",
        ),
    )
    postmortem = Postmortem(
        id=1,
        incident_id=1,
        status="draft",
        author="U_AKI",
        reviewers=("U_BEN", "U_CHIE"),
        created_at=utc(2021, 12, 29, 2, 0),  # 11:00 JST
        triggers=(
            Trigger("impact", {"impact": 4 * 3600, "threshold": 20 * 60}),
            Trigger("intervention", {"how": "restart"}),
            Trigger("duration", {"took": 4 * 3600, "threshold": 3600}),
        ),
        sections={
            "summary": "After an Aurora failover promoted the replica, some Unicorn processes kept "
            "a cached connection to the now read-only instance, so their write APIs failed.",
            "impact": "Write API errors on part of the processes for the whole period.",
            "action_items": "- [ ] Patch ActiveRecord to drop connections after a failover",
        },
    )
    timeline = [  # deliberately out of order
        entry(4, start + timedelta(hours=3, minutes=40), "U_BEN", "Restarted Unicorn everywhere"),
        entry(1, start, "U_AKI", "Aurora failover: the replica was promoted to writer"),
        entry(5, start + timedelta(hours=4), "U_AKI", "Write errors back to zero"),
        entry(2, start + timedelta(minutes=5), "U_XYZ", "Sentry alert: errors on write APIs"),
        entry(3, start + timedelta(hours=1, minutes=30), "U_CHIE", "Only some processes fail"),
    ]
    return incident, postmortem, timeline


@pytest.fixture
def redis_ja() -> tuple[Incident, Postmortem, list[TimelineEntry]]:
    """Example 3: admin-panel Redis down; 2 hours; reported by a person; forced failover."""
    start = utc(2022, 3, 10, 6, 0)  # 15:00 JST
    incident = Incident(
        id=2,
        number=12,
        title="管理画面用のRedisインスタンスがダウン",
        severity=3,
        status="closed",
        declared_by="U_BEN",
        declared_in="C_OPS",
        started_at=start,
        declared_at=start + timedelta(minutes=20),
        closed_at=start + timedelta(hours=2),
        facts=CloseFacts(
            impact=None, data_loss=False, intervention="failover", detected_by="human"
        ),
    )
    postmortem = Postmortem(
        id=2,
        incident_id=2,
        status="draft",
        author="U_BEN",
        reviewers=(),
        created_at=utc(2022, 3, 11, 1, 0),
        triggers=(
            Trigger("intervention", {"how": "failover"}),
            Trigger("duration", {"took": 2 * 3600, "threshold": 3600}),
            Trigger("detection", {"by": "human"}),
        ),
        sections={
            "impact": "開発者向けの管理画面が500エラーを返した。",
            "went_wrong": "2人のSREが並行して同じ調査をしていた。",
            "lucky": "開発者向けのツールだった。",
        },
    )
    timeline = [
        entry(
            2, start + timedelta(minutes=20), "U_CHIE", "運用チームから管理画面が500を返すと報告"
        ),
        entry(1, start, "U_BEN", "Redisプライマリに到達できなくなる"),
        entry(3, start + timedelta(hours=1, minutes=50), "U_BEN", "レプリカへ強制フェイルオーバー"),
    ]
    return incident, postmortem, timeline


def render(renderer: Renderer, example, locale: str = "en", **changes) -> str:
    incident, postmortem, timeline = example
    kwargs = dict(incident=incident, postmortem=postmortem, timeline=timeline, names=NAMES)
    kwargs |= dict(locale=locale, tz=TOKYO, now=utc(2022, 1, 1)) | changes
    return renderer.postmortem_markdown(**kwargs)


# --- reading the Markdown back ---------------------------------------------------------------


def headings(md: str) -> list[str]:
    return [line[3:] for line in md.splitlines() if line.startswith("## ")]


def section(md: str, heading: str) -> str:
    """The text under ``## heading``, up to the next ``##`` heading."""
    return md.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0].strip()


def cells(row: str) -> list[str]:
    """Split a table row as GFM does: a ``|`` right after a backslash is not a delimiter."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def timeline_rows(md: str) -> list[list[str]]:
    lines = section(md, "Timeline" if "## Timeline" in md else "タイムライン").splitlines()
    assert lines[1] == "|---|---|---|"
    table = [line for line in lines[2:] if line.startswith("|")]  # its checks follow it
    return [cells(line) for line in table]


# --- structure -------------------------------------------------------------------------------


def test_english_headings_and_metadata_in_order(renderer, aurora):
    md = render(renderer, aurora)
    assert md.startswith("# INC-7: Aurora failover caused write errors\n\n")
    assert headings(md) == EN_HEADINGS
    labels = re.findall(r"^- \*\*(.+?):\*\*", md.split("\n## ", 1)[0], flags=re.M)
    assert labels[:5] == EN_META
    assert "- **Created:** 2021-12-29 11:00 JST" in md
    assert (
        "- **Incident period:** 2021-12-28 10:00 JST → 2021-12-28 14:00 JST "
        "(4 h, from the start to the close: it was never marked resolved)"
    ) in md
    assert "- **Author:** Aki Sato" in md
    assert "- **Reviewers:** Ben Ito, Chie Mori" in md
    assert "- **Status:** Draft" in md
    assert "- **Severity:** SEV2" in md
    assert md.endswith("Incident channel: #inc-7-aurora-failover\n")


def test_japanese_headings_and_metadata_in_order(renderer, redis_ja):
    md = render(renderer, redis_ja, "ja")
    assert md.startswith("# INC-12: 管理画面用のRedisインスタンスがダウン\n\n")
    assert headings(md) == JA_HEADINGS
    labels = re.findall(r"^- \*\*(.+?):\*\*", md.split("\n## ", 1)[0], flags=re.M)
    assert labels[:5] == JA_META
    assert (
        "- **障害発生期間:** 2022-03-10 15:00 JST → 2022-03-10 17:00 JST"
        "（2時間、開始からクローズまで。解決は記録されていません）"
    ) in md
    assert "- **ステータス:** ドラフト" in md
    assert "- **レビュワー:** _未定" in md


def test_section_keys_follow_the_template():
    assert SECTION_KEYS == (
        "summary", "impact", "root_cause", "trigger", "response", "detection",
        "went_well", "went_wrong", "lucky", "action_items", "no_action_items", "references",
    )  # fmt: skip


# --- pre-filled facts, triggers, prompts -----------------------------------------------------


def test_english_facts_are_prefilled_before_the_writers_text(renderer, aurora):
    md = render(renderer, aurora)
    impact = section(md, "Impact").split("\n\n")
    assert impact == [
        "Users affected for 4 h; no data lost.",
        "Write API errors on part of the processes for the whole period.",
    ]
    assert section(md, "Response") == "Engineer intervention: restart."
    assert section(md, "Detection") == "Detected by monitoring (an automated alert)."


def test_japanese_facts_are_prefilled(renderer, redis_ja):
    md = render(renderer, redis_ja, "ja")
    assert section(md, "インパクト").split("\n\n") == [
        "ユーザー影響: なし。データ損失: なし。",
        "開発者向けの管理画面が500エラーを返した。",
    ]
    assert section(md, "対応") == "エンジニアによる対応: フェイルオーバー。"
    assert section(md, "検出") == "人が気付いて検出（自動監視では検出できず）。"


def test_triggers_are_listed_with_their_reasons(renderer, aurora, redis_ja):
    md = render(renderer, aurora)
    assert "**Why this postmortem:**" in md
    for line in (
        "- User impact 4 h ≥ 20 min",
        "- Engineers intervened (restart)",
        "- Time to resolve 4 h ≥ 1 h",
    ):
        assert f"\n{line}\n" in md
    assert "_Blameless:" in md
    ja = render(renderer, redis_ja, "ja")
    assert "**なぜポストモーテムを書くのか:**" in ja
    for line in (  # the stored English reasons, said in Japanese
        "- エンジニアが介入した（フェイルオーバー）",
        "- 復旧までの時間 2時間（基準: 1時間以上）",
        "- 監視ではなく、人が気付いて検出した",
    ):
        assert f"\n{line}\n" in ja
    assert "_非難しない:" in ja


def test_a_reason_stored_in_another_wording_is_shown_as_stored(renderer, redis_ja):
    incident, postmortem, timeline = redis_ja
    odd = (  # words an older version stored (none of ours read like them): kept as they are
        Trigger("duration", words="took ages"),
        Trigger("impact", words="user impact 4 hours ≥ 20 min"),
    )
    ja = render(renderer, (incident, replace(postmortem, triggers=odd), timeline), "ja")
    assert "\n- Took ages\n- User impact 4 hours ≥ 20 min\n" in ja


def test_no_trigger_still_says_why(renderer, aurora):
    incident, postmortem, timeline = aurora
    md = render(renderer, (incident, replace(postmortem, triggers=()), timeline))
    assert "no trigger fired; it is written by choice" in md


def test_prompts_only_where_there_is_nothing_to_show(renderer, aurora, redis_ja):
    md = render(renderer, aurora)
    assert section(md, "Root cause") == (
        "_What ultimately caused this? Ask why until the answer is a system, not a person._"
    )
    assert section(md, "Detection").startswith("Detected by monitoring")
    assert "How could we have found out in half the time?" not in md
    assert section(md, "Where we got lucky") == "_What could have made this worse, and did not?_"
    assert not section(md, "Summary").startswith("_")
    assert section(md, "Action items").startswith("- [ ] Patch ActiveRecord")

    ja = render(renderer, redis_ja, "ja")
    assert "「なぜ」を繰り返してください" in section(ja, "根本原因")
    assert section(ja, "幸運だった事") == "開発者向けのツールだった。"
    assert section(ja, "サマリ").startswith("_") and section(ja, "サマリ").endswith("_")


def test_why_no_action_item_is_needed_shows_under_action_items_while_there_are_none(
    renderer, aurora, redis_ja
):
    for example, locale, heading, label in (
        (aurora, "en", "Action items", "_None needed:_"),
        (redis_ja, "ja", "アクションアイテム", "_不要とした理由:_"),
    ):
        incident, postmortem, timeline = example
        why = {"no_action_items": "The fix shipped during the incident.\n\n- Nothing else."}
        written = replace(postmortem, sections=why)
        md = render(renderer, (incident, written, timeline), locale)
        assert section(md, heading) == f"{label}\n\n{why['no_action_items']}"
        item = ActionRow(1, "Alert on lag", "U_BEN", date(2022, 1, 10), False, "high", "open")
        listed = render(
            renderer,
            (incident, written, timeline),
            locale,
            participants=Participants(actions=[item]),
        )
        assert "Alert on lag" in section(listed, heading)
        assert "The fix shipped" not in listed and label not in listed


def test_without_facts_every_fact_section_prompts(renderer, aurora):
    incident, postmortem, timeline = aurora
    open_incident = replace(incident, status="open", closed_at=None, facts=None)
    md = render(renderer, (open_incident, replace(postmortem, sections={}), timeline),
                now=incident.started_at + timedelta(hours=1, minutes=30))  # fmt: skip
    assert "→ ongoing (1 h 30 min so far)" in md
    assert section(md, "Impact").startswith("_Who or what was affected")
    assert section(md, "Detection") == (
        "_How did we find out? How could we have found out in half the time?_"
    )
    assert section(md, "Response").startswith("_What did we do")


def test_empty_timeline_prompts(renderer, aurora):
    incident, postmortem, _ = aurora
    md = render(renderer, (incident, postmortem, []))
    assert section(md, "Timeline").startswith("_No entries were recorded.")


# --- timeline --------------------------------------------------------------------------------


def test_timeline_is_sorted_and_shown_in_tokyo_time(renderer, aurora):
    rows = timeline_rows(render(renderer, aurora))
    assert rows == [
        ["2021-12-28 10:00 JST", "Aki Sato", "Aurora failover: the replica was promoted to writer"],
        ["2021-12-28 10:05 JST", "U_XYZ", "Sentry alert: errors on write APIs"],
        ["2021-12-28 11:30 JST", "Chie Mori", "Only some processes fail"],
        ["2021-12-28 13:40 JST", "Ben Ito", "Restarted Unicorn everywhere"],
        ["2021-12-28 14:00 JST", "Aki Sato", "Write errors back to zero"],
    ]


def test_changes_the_bot_recorded_are_said_in_the_documents_language(renderer, redis_ja):
    incident, postmortem, _ = redis_ja
    at = incident.started_at
    recorded = [
        replace(entry(1, at, "U_BEN", ""), kind="severity", said=said_severity(2, None)),
        replace(entry(2, at, "U_BEN", ""), kind="role", said=said_role("commander", "U_B", "Ben Ito")),
        replace(entry(3, at, "U_BEN", ""), kind="mitigated", said=said_mark()),
        replace(entry(4, at, "U_BEN", "Failover done"), kind="mitigated"),  # written by a person
        entry(5, at, "U_BEN", "Status: identified"),  # a note that reads like a change
    ]
    ja = [row[2] for row in timeline_rows(render(renderer, (incident, postmortem, recorded), "ja"))]
    en = [row[2] for row in timeline_rows(render(renderer, (incident, postmortem, recorded)))]

    assert ja == [
        "重大度: SEV2（変更前: 未設定）",
        "指揮官: Ben Ito",
        "緩和",
        "**緩和** · Failover done",
        "Status: identified",
    ]
    assert en == [
        "Severity: SEV2 (was not set)",
        "Commander: Ben Ito",
        "Mitigated",
        "**Mitigated** · Failover done",
        "Status: identified",
    ]


def test_japanese_timeline(renderer, redis_ja):
    rows = timeline_rows(render(renderer, redis_ja, "ja"))
    assert [row[0] for row in rows] == [
        "2022-03-10 15:00 JST",
        "2022-03-10 15:20 JST",
        "2022-03-10 16:50 JST",
    ]
    assert rows[1][2] == "運用チームから管理画面が500を返すと報告"


# --- user text is data -----------------------------------------------------------------------


def test_template_syntax_in_user_text_comes_out_literally(renderer, aurora):
    incident, postmortem, timeline = aurora
    sneaky = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"
    incident = replace(incident, title=f"Aurora {sneaky}")
    postmortem = replace(postmortem, sections={"summary": f"Summary {sneaky}"})
    timeline = [*timeline, entry(9, incident.started_at, "U_AKI", f"Note {sneaky}")]
    for locale in ("en", "ja"):
        md = render(renderer, (incident, postmortem, timeline), locale)
        assert md.startswith(f"# INC-7: Aurora {sneaky}\n")
        assert f"Summary {sneaky}" in md
        assert f"| Note {sneaky} |" in md
        assert "49" not in md
        assert "xxx" not in md


def test_pipes_and_newlines_in_a_note_keep_the_table_shape(renderer, aurora):
    incident, postmortem, timeline = aurora
    note = "errors | 500s on POST\nrestarted app-1\r\nthen | app-2\\"
    timeline = [*timeline, entry(9, incident.started_at, "U_A|B", note)]
    rows = timeline_rows(render(renderer, (incident, postmortem, timeline)))
    assert len(rows) == len(timeline)
    assert all(len(row) == 3 for row in rows)
    assert rows[1][1] == "U_A\\|B"
    assert rows[1][2] == "errors \\| 500s on POST / restarted app-1 / then \\| app-2\\"


def test_an_unclosed_code_fence_is_closed(renderer, aurora):
    incident, postmortem, timeline = aurora
    postmortem = replace(postmortem, sections={"summary": "log:\n```\nERROR read-only"})
    md = render(renderer, (incident, postmortem, timeline))
    assert "```\nERROR read-only\n```\n\n## Impact" in md
    assert headings(md) == EN_HEADINGS


# --- templates, locales ----------------------------------------------------------------------


def test_a_user_template_dir_overrides_the_builtin(tmp_path, aurora):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "postmortem.md.j2").write_text(
        "# {{ incident.ref }} ({{ author_name }}, {{ timeline|length }} entries)\n"
    )
    renderer = Renderer(tmp_path)
    assert render(renderer, aurora) == "# INC-7 (Aki Sato, 5 entries)\n"
    assert headings(render(renderer, aurora, "ja")) == JA_HEADINGS  # falls back to built-in


def test_a_literal_percent_in_a_teams_message_is_written_twice(tmp_path, aurora):
    # Jinja2's newstyle gettext always applies %, so in _() a literal % is %% (README, "Locale").
    (tmp_path / "policy.yml").write_text("locale: ja\ntemplate_dir: team-templates\n")
    team = tmp_path / "team-templates"
    team.mkdir()
    (team / "postmortem.md.j2").write_text('# {{ _("SLO: 99.9%% uptime") }}\n')
    (team / "single.md.j2").write_text('# {{ _("SLO: 99.9% uptime") }}\n')
    renderer = Renderer(load_policy(str(tmp_path / "policy.yml")).template_dir)
    assert render(renderer, aurora, "en") == "# SLO: 99.9% uptime\n"
    assert render(renderer, aurora, "ja") == "# SLO: 99.9% uptime\n"
    with pytest.raises(TypeError):  # what a single % does
        renderer.render("ja", "single.md.j2")


def test_strict_undefined_catches_a_typo_in_a_template(tmp_path, aurora):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "postmortem.md.j2").write_text("# {{ incident.ref }} {{ incidnet.title }}\n")
    with pytest.raises(jinja2.UndefinedError, match="incidnet"):
        render(Renderer(str(tmp_path)), aurora)


def test_locales(renderer, aurora):
    assert headings(render(renderer, aurora, "ja-JP")) == JA_HEADINGS
    assert headings(render(renderer, aurora, "en-US")) == EN_HEADINGS
    for bad in ("fr", "../en", "", "en/../../etc"):
        with pytest.raises(ValueError):
            render(renderer, aurora, bad)


def test_ten_thousand_entries_render_fast(renderer, aurora):
    incident, postmortem, _ = aurora
    start = incident.started_at
    timeline = [
        entry(i, start + timedelta(seconds=(i * 7919) % 14_400), f"U{i % 7}", f"note {i} | x\ny")
        for i in range(10_000)
    ]
    render(renderer, (incident, postmortem, timeline[:1]))  # compile the template first
    began = time.perf_counter()
    md = render(renderer, (incident, postmortem, timeline))
    assert time.perf_counter() - began < 1.0
    assert len(timeline_rows(md)) == 10_000


# --- filters ---------------------------------------------------------------------------------


def test_md_cell():
    assert md_cell("  plain  ") == "plain"
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("one\n\ntwo\rthree\u2028four") == "one / two / three / four"
    assert md_cell("line\nbreak", "<br>") == "line<br>break"
    assert md_cell("ends with \\") == "ends with \\ "


def test_md_block():
    assert md_block("\n\n  text\r\nmore  \n\n") == "text\nmore"
    assert md_block("~~~~\ncode\n~~~\n") == "~~~~\ncode\n~~~\n~~~~"
    assert md_block("```py\ncode\n```") == "```py\ncode\n```"


def test_format_dt():
    at = utc(2021, 12, 28, 1, 0)
    assert format_dt(at, TOKYO) == "2021-12-28 10:00 JST"
    assert format_dt(at.replace(tzinfo=None), TOKYO) == "2021-12-28 10:00 JST"
    assert format_dt(at, ZoneInfo("Europe/Berlin")) == "2021-12-28 02:00 CET"
    assert format_dt(utc(2021, 7, 1, 0, 0), ZoneInfo("Europe/Berlin")) == "2021-07-01 02:00 CEST"
    assert format_dt(at, ZoneInfo("America/Sao_Paulo")) == "2021-12-27 22:00 UTC-03:00"
    assert format_dt(at, ZoneInfo("Asia/Kolkata"), zone=False) == "2021-12-28 06:30"
    assert format_dt(at, TOKYO, "%H:%M") == "10:00 JST"


def test_durations_in_both_languages(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "ja").mkdir()
    source = "{% for d in ds %}{{ d|duration }};{% endfor %}"
    (tmp_path / "en" / "d.j2").write_text(source)
    (tmp_path / "ja" / "d.j2").write_text(source)
    ds = [timedelta(hours=4), timedelta(minutes=27), timedelta(minutes=90), timedelta(days=9)]
    renderer = Renderer(tmp_path)
    assert renderer.render("en", "d.j2", ds=ds) == "4 h;27 min;1 h 30 min;9 d;"
    assert renderer.render("ja", "d.j2", ds=ds) == "4時間;27分;1時間30分;9日;"
    assert format_duration_ja(timedelta(seconds=59)) == "59秒"


def test_mrkdwn_filter_escapes_slack_control_characters(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "msg.txt.j2").write_text("{{ text|mrkdwn }}")
    out = Renderer(tmp_path).render("en", "msg.txt.j2", text="<!channel> a & b > c")
    assert out == "&lt;!channel&gt; a &amp; b &gt; c"


def test_the_draft_uses_what_the_bot_knows(renderer, aurora):
    """The detected mark's words and time in Detection; captured messages linked in the
    timeline and the references; the period runs to the resolution (as the time to resolve)."""
    incident, postmortem, timeline = aurora
    start = incident.started_at
    resolved = replace(incident, resolved_at=start + timedelta(hours=3, minutes=50))
    captured = replace(
        entry(6, start + timedelta(minutes=2), "U_XYZ", "Write errors on /orders"),
        kind="message",
        permalink="https://example.slack.com/archives/C_INC7/p1640653320000100",
    )
    detected = replace(entry(7, start + timedelta(minutes=5), "U_AKI", "Sentry alert"), kind="detected")
    md = render(renderer, (resolved, postmortem, [*timeline, captured, detected]))

    assert section(md, "Detection") == (
        "Detected by monitoring (an automated alert). First detected 2021-12-28 10:05 JST: "
        "Sentry alert."
    )
    link = "([message](<https://example.slack.com/archives/C_INC7/p1640653320000100>))"
    assert any(row[2] == f"Write errors on /orders {link}" for row in timeline_rows(md))
    assert (
        "- Message by U_XYZ, 2021-12-28 10:02 JST: "
        "<https://example.slack.com/archives/C_INC7/p1640653320000100>"
    ) in section(md, "References")
    assert (
        "- **Incident period:** 2021-12-28 10:00 JST → 2021-12-28 13:50 JST (3 h 50 min, "
        "from the start to the resolution; closed 2021-12-28 14:00 JST)"
    ) in md


def test_a_permalink_that_is_not_slacks_https_is_not_linked(renderer, aurora):
    incident, postmortem, timeline = aurora
    odd = replace(
        entry(6, incident.started_at, "U_XYZ", "quoted"), kind="message", permalink="javascript:x"
    )
    md = render(renderer, (incident, postmortem, [*timeline, odd]))
    assert "javascript:" not in md


def test_the_draft_lists_its_timeline_checks_until_they_are_fixed(renderer, aurora):
    incident, postmortem, timeline = aurora
    early = replace(
        entry(8, incident.started_at - timedelta(minutes=30), "U_BEN", "Mitigated"),
        kind="mitigated",
    )
    md = render(renderer, (incident, postmortem, [*timeline, early]))
    checks = md.split("### Timeline checks\n", 1)[1]
    assert "- Mitigation (2021-12-28 09:30 JST) is before the incident started (2021-12-28 10:00 JST)." in checks
    assert "- Nobody marked when it was detected" in checks  # closed without a detected mark

    start = incident.started_at
    fixed = replace(incident, resolved_at=start + timedelta(hours=4))
    detected = replace(entry(9, start + timedelta(minutes=5), "U_AKI", "Sentry"), kind="detected")
    again = render(renderer, (fixed, postmortem, [*timeline, detected]))
    assert "is before the incident started" not in again and "Nobody marked" not in again
    assert "Nothing was recorded from 2021-12-28 11:30 JST to 2021-12-28 13:40 JST" in again
