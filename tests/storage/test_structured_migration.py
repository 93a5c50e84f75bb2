"""Migration 0008_structured_text on both databases: timeline entries and trigger reasons that
earlier versions stored in English become fields, read once with that English's patterns; what
doesn't match stays as written. Readers see exactly what they saw before, in English and in
Japanese, and a downgrade gives back the English rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from bot.export import to_json
from bot.i18n import translator
from bot.services.reports import incident_report
from bot.wording import entry_text, trigger_reason
from storage.db import create_engine, session_factory
from storage.migrate import alembic_config, upgrade
from storage.tables import UTCDateTime
from storage.uow import Storage

NOW = datetime(2021, 12, 28, 10, 0, tzinfo=UTC)
PREVIOUS = "0007_seen_requests"

# The tables as release 0005 had them (only the columns written here).
incidents = sa.table(
    "incidents",
    sa.column("id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("status", sa.String),
    sa.column("declared_by", sa.String),
    sa.column("declared_in", sa.String),
    sa.column("started_at", UTCDateTime),
    sa.column("declared_at", UTCDateTime),
    sa.column("entry_seq", sa.Integer),
    sa.column("action_seq", sa.Integer),
    sa.column("has_facts", sa.Boolean),
)
entries = sa.table(
    "timeline_entries",
    sa.column("incident_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("occurred_at", UTCDateTime),
    sa.column("recorded_at", UTCDateTime),
    sa.column("author", sa.String),
    sa.column("kind", sa.String),
    sa.column("text", sa.Text),
    sa.column("source", sa.String),
)
postmortems = sa.table(
    "postmortems",
    sa.column("id", sa.Integer),
    sa.column("incident_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("author", sa.String),
    sa.column("reviewers", sa.JSON),
    sa.column("created_at", UTCDateTime),
    sa.column("triggers", sa.JSON),
    sa.column("sections", sa.JSON),
    sa.column("review_round", sa.Integer),
    sa.column("version", sa.Integer),
)

# (kind, what release 0005 stored) → (its fields after the upgrade, its Japanese as shown before);
# its English is shown as it was stored
ENTRIES = {
    ("declared", "Declared INC-1: Redis: down\nagain"): (
        {"number": 1, "title": "Redis: down\nagain"},
        "INC-1 を宣言: Redis: down\nagain",
    ),
    ("status", "Status: identified"): ({"status": "identified"}, "ステータス: 原因特定"),
    ("status", "Status: resolved"): ({"status": "resolved"}, "ステータス: 解決"),
    ("severity", "Severity: SEV2 (was SEV3)"): (
        {"severity": 2, "was": 3},
        "重大度: SEV2（変更前: SEV3）",
    ),
    ("severity", "Severity: SEV1 (was not set)"): (
        {"severity": 1, "was": None},
        "重大度: SEV1（変更前: 未設定）",
    ),
    ("role", "Commander: rin"): (
        {"role": "commander", "user": None, "name": "rin"},
        "指揮官: rin",
    ),
    ("role", "Comms: Ann: Lee"): (
        {"role": "comms", "user": None, "name": "Ann: Lee"},
        "連絡担当: Ann: Lee",
    ),
    ("role", "Scribe: 佐藤 花子"): (
        {"role": "scribe", "user": None, "name": "佐藤 花子"},
        "記録係: 佐藤 花子",
    ),
    ("detected", "Detected"): ({}, "検知"),
    ("mitigated", "Mitigated"): ({}, "緩和"),
    ("impact-start", "User impact started"): ({}, "ユーザー影響開始"),
    ("impact-end", "User impact ended"): ({}, "ユーザー影響終了"),
    ("closed", "Closed INC-1"): ({"number": 1}, "INC-1 をクローズ"),
    # People's words, however they read: kept as written, in every language.
    ("detected", "Sentry alert"): (None, "Sentry alert"),
    ("note", "Status: identified"): (None, "Status: identified"),
    ("message", "Detected"): (None, "Detected"),
    ("mitigated", "Mitigated by hand"): (None, "Mitigated by hand"),
    ("role", "Commander rin"): (None, "Commander rin"),
}
# Reasons as release 0005 stored them → (fields after the upgrade, English and Japanese shown)
REASONS = [
    (
        {"id": "impact", "reason": "user impact 27 min ≥ 20 min"},
        {"impact": 1620, "threshold": 1200},
        "user impact 27 min ≥ 20 min",
        "ユーザー影響 27分（基準: 20分以上）",
    ),
    (
        {"id": "impact", "reason": "user impact 1 h 5 min ≥ 45 s"},
        {"impact": 3900, "threshold": 45},
        "user impact 1 h 5 min ≥ 45 s",
        "ユーザー影響 1時間5分（基準: 45秒以上）",
    ),
    ({"id": "data-loss", "reason": "data was lost"}, {}, "data was lost", "データ損失が発生した"),
    (
        {"id": "intervention", "reason": "engineers intervened (data-patch)"},
        {"how": "data-patch"},
        "engineers intervened (data patch)",
        "エンジニアが介入した（データパッチ）",
    ),
    (
        {"id": "duration", "reason": "time to resolve 1 d 2 h ≥ 1 h"},
        {"took": 93600, "threshold": 3600},
        "time to resolve 1 d 2 h ≥ 1 h",
        "復旧までの時間 1日2時間（基準: 1時間以上）",
    ),
    (
        {"id": "detection", "reason": "detected by a human, not by monitoring"},
        {"by": "human"},
        "detected by a human, not by monitoring",
        "監視ではなく、人が気付いて検出した",
    ),
    (
        {"id": "detection", "reason": "detected by a customer, not by monitoring"},
        {"by": "customer"},
        "detected by a customer, not by monitoring",
        "監視ではなく、顧客からの報告で検出した",
    ),
    (
        {"id": "severity", "reason": "severity 1 (policy: sev 2 or worse)"},
        {"severity": 1, "threshold": 2},
        "severity 1 (policy: sev 2 or worse)",
        "重大度 SEV1（ポリシー: SEV2以上が対象）",
    ),
    # Words none of ours read like: kept, and shown, as stored.
    ({"id": "duration", "reason": "took ages"}, None, "took ages", "took ages"),
    (
        {"id": "impact", "reason": "user impact 4 hours ≥ 20 min"},
        None,
        "user impact 4 hours ≥ 20 min",
        "user impact 4 hours ≥ 20 min",
    ),
    ({"id": "impact", "reason": "data was lost"}, None, "data was lost", "data was lost"),
]


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def write_as_release_0005(engine) -> None:
    """An incident, its timeline and its postmortem, as the previous release wrote them."""
    await upgrade(engine, PREVIOUS)
    rows = [
        {
            "incident_id": 1,
            "seq": seq,
            "occurred_at": NOW + timedelta(minutes=seq),
            "recorded_at": NOW + timedelta(minutes=seq),
            "author": "U1",
            "kind": kind,
            "text": text,
            "source": "command",
        }
        for seq, (kind, text) in enumerate(ENTRIES, start=1)
    ]
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(incidents).values(
                id=1,
                number=1,
                title="Redis: down\nagain",
                status="investigating",
                declared_by="U1",
                declared_in="C0",
                started_at=NOW,
                declared_at=NOW,
                entry_seq=len(rows),
                action_seq=0,
                has_facts=False,
            )
        )
        await conn.execute(sa.insert(entries), rows)
        await conn.execute(
            sa.insert(postmortems).values(
                id=1,
                incident_id=1,
                status="draft",
                author="U1",
                reviewers=[],
                created_at=NOW,
                triggers=[stored for stored, *_ in REASONS],
                sections={},
                review_round=0,
                version=0,
            )
        )


async def test_what_earlier_versions_stored_in_english_becomes_fields_shown_as_before(engine):
    await write_as_release_0005(engine)

    await upgrade(engine)

    report = await incident_report(uow=Storage(session_factory(engine)).uow(), number=1)
    en, ja = translator("en"), translator("ja")
    found = {
        (kind, old): (e.kind, e.said, e.text, entry_text(e, en), entry_text(e, ja))
        for e, (kind, old) in zip(report.timeline, ENTRIES, strict=True)
    }
    assert found == {
        (kind, old): (kind, said, "" if said is not None else old, old, japanese)
        for (kind, old), (said, japanese) in ENTRIES.items()
    }
    exported = to_json(report)
    assert [e["text"] for e in exported["timeline"]] == [old for _, old in ENTRIES]
    triggers = report.postmortem.triggers
    assert [(t.id, t.said) for t in triggers] == [(old["id"], said) for old, said, *_ in REASONS]
    assert [trigger_reason(t, en) for t in triggers] == [english for *_, english, _ in REASONS]
    assert [trigger_reason(t, ja) for t in triggers] == [japanese for *_, japanese in REASONS]
    assert [t["reason"] for t in exported["triggers"]] == [old["reason"] for old, *_ in REASONS]


async def test_a_downgrade_gives_back_the_english_rows(engine):
    await write_as_release_0005(engine)
    async with engine.connect() as conn:
        before = await _as_release_0005(conn)
    await upgrade(engine)

    def downgrade(sync) -> None:
        command.downgrade(alembic_config(sync), PREVIOUS)

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)
    async with engine.connect() as conn:
        after = await _as_release_0005(conn)
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("timeline_entries")}
        )

    assert after == before
    assert "said" not in columns


async def _as_release_0005(conn) -> tuple[list[tuple[str, str]], list[dict]]:
    rows = await conn.execute(sa.select(entries.c.kind, entries.c.text).order_by(entries.c.seq))
    triggers = (await conn.execute(sa.select(postmortems.c.triggers))).scalar_one()
    return [tuple(row) for row in rows], triggers
