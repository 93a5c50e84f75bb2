"""The database schema, as SQLAlchemy Core tables. Alembic migrations create exactly this."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC on every backend and always hands back aware UTC datetimes."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


counters = Table(
    "counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("severity", Integer),
    Column("status", String(16), nullable=False),  # investigating … resolved, closed
    Column("declared_by", String(32), nullable=False),
    Column("declared_in", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("declared_at", UTCDateTime, nullable=False),
    Column("channel_id", String(32), unique=True),
    Column("channel_name", String(80)),
    Column("summary_ts", String(32)),
    Column("resolved_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("closed_by", String(32)),
    # The last timeline entry / action item number handed out; both are numbered per incident.
    Column("entry_seq", Integer, nullable=False, default=0),
    Column("action_seq", Integer, nullable=False, default=0),
    # Close facts; has_facts tells "no impact" (NULL impact) from "not closed yet".
    Column("has_facts", Boolean, nullable=False, default=False),
    Column("impact_seconds", Integer),
    Column("data_loss", Boolean),
    Column("intervention", String(32)),
    Column("detected_by", String(32)),
    # The declarer's Slack time zone at the start: documents are shown in it (policy overrides).
    Column("tz", String(64)),
    # `start --private`: a private channel, said nowhere else. A server default only, so rows
    # written without it (and before it existed) are public.
    Column("private", Boolean, nullable=False, server_default=false()),
)

# Who people are, as Slack last told us: the documents people commit show names, not ids.
people = Table(
    "people",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("real_name", Text),
    Column("tz", String(64)),
    Column("updated_at", UTCDateTime, nullable=False),
)

timeline_entries = Table(
    "timeline_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "incident_id",
        ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("seq", Integer, nullable=False),  # the entry's number within its incident: #1, #2…
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("author", String(32), nullable=False),
    Column("kind", String(32), nullable=False, default="note"),
    Column("text", Text, nullable=False),
    Column("source", String(16), nullable=False, default="command"),  # command|reaction|shortcut
    # A captured Slack message's ts: one entry per message, however often it is captured.
    Column("message_ts", String(32)),
    Column("permalink", Text),
    Column("deleted_at", UTCDateTime),
    # What the bot recorded, as its message's fields (bot.domain.lifecycle): NULL for people's
    # words, which stay in `text` as written; `text` is empty where the bot speaks.
    Column("said", JSON(none_as_null=True)),
    UniqueConstraint("incident_id", "seq", name="uq_timeline_entries_seq"),
    UniqueConstraint("incident_id", "message_ts", name="uq_timeline_entries_message"),
)

timeline_revisions = Table(
    "timeline_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        ForeignKey("timeline_entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("changed_by", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # edit|move|delete|restore
    Column("before_text", Text),
    Column("after_text", Text),
    Column("before_at", UTCDateTime),
    Column("after_at", UTCDateTime),
)

capture_votes = Table(
    "capture_votes",
    metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("message_ts", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
)

incident_roles = Table(
    "incident_roles",
    metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Column("assigned_by", String(32), nullable=False),
)

responders = Table(
    "responders",
    metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("joined_at", UTCDateTime, nullable=False),
)

postmortems = Table(
    "postmortems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "incident_id",
        ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("status", String(24), nullable=False),
    Column("author", String(32), nullable=False),
    Column("reviewers", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # [{id, said: the reason's fields}], or {id, reason} for words an older version stored
    Column("triggers", JSON, nullable=False),
    Column("sections", JSON, nullable=False),
    Column("doc_kind", String(16)),
    Column("doc_id", String(64)),
    Column("doc_url", Text),
    Column("review_round", Integer, nullable=False, default=0),  # +1 each time review is asked
    Column("ready_at", UTCDateTime),
    Column("approved_at", UTCDateTime),
    Column("published_at", UTCDateTime),
    Column("publish_ts", String(32)),
    Column("waived_reason", Text),
    Column("waived_by", String(32)),
    Column("retro_due_at", UTCDateTime),
    Column("retro_held_at", UTCDateTime),
    Column("retro_notes", Text),
    Column("version", Integer, nullable=False, default=0),  # +1 on every saved section
)

postmortem_revisions = Table(
    "postmortem_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "postmortem_id",
        ForeignKey("postmortems.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("version", Integer, nullable=False),  # the version this save created
    Column("section", String(24), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("changed_by", String(32), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    # Made after publication: shown as an amendment in the document and the export.
    Column("amendment", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("postmortem_id", "version", name="uq_postmortem_revisions_version"),
)

action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("seq", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(32)),
    Column("due", Date),
    Column("priority", String(8), nullable=False),
    Column("state", String(8), nullable=False),  # open | done | dropped
    Column("drop_reason", Text),
    Column("created_by", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    UniqueConstraint("incident_id", "seq", name="uq_action_items_seq"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "postmortem_id",
        ForeignKey("postmortems.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("user_id", String(32), nullable=False),
    Column("kind", String(12), nullable=False),  # helpful | comment
    Column("text", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

approvals = Table(
    "approvals",
    metadata,
    Column("postmortem_id", ForeignKey("postmortems.id", ondelete="CASCADE"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("reviewer", String(32), primary_key=True),
    Column("decision", String(24), nullable=False),  # approved | changes_requested
    Column("comment", Text),
    Column("decided_at", UTCDateTime, nullable=False),
)

# A nudge is a row: due time, kind, recipient, subject, state. Recurring nudges are rows
# numbered by `seq`; the unique key makes planning the next one idempotent.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # author|reviewer|escalation|retro|digest|action
    # What subject_id names (bot/domain/nudges.py): postmortem | action_item | workspace
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", Integer, nullable=False),  # the postmortem, action item, 0 for the digest
    Column("recipient", String(32), nullable=False),  # a user id (DM) or a channel id
    Column("seq", Integer, nullable=False),
    Column("nth", Integer, nullable=False),  # its place in the current series: 1, 2, 3…
    Column("due_at", UTCDateTime, nullable=False),
    Column("state", String(12), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("occasion", String(32)),  # set on escalations: one per postmortem, stage and round
    UniqueConstraint("kind", "subject_id", "recipient", "seq", name="uq_reminders_occurrence"),
    Index("ix_reminders_state_due", "state", "due_at"),
    Index("ix_reminders_subject", "subject_kind", "subject_id"),
    Index("uq_reminders_once", "kind", "subject_kind", "subject_id", "occasion", unique=True),
)

# An effect owed to Slack after a committed change (the transactional outbox): written in the
# same transaction as the change, delivered after the commit, retried until sent or failed.
# Signed requests seen within Slack's five-minute freshness window (bot/replay.py).
seen_requests = Table(
    "seen_requests",
    metadata,
    Column("signature", String(96), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # channel_setup | close_outcome | publication…
    Column("subject_id", Integer, nullable=False),  # the incident
    Column("key", String(120), nullable=False, unique=True),  # idempotency: one row per effect
    Column("payload", JSON, nullable=False),
    Column("state", String(12), nullable=False, default="pending"),  # pending|sending|sent|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_at", UTCDateTime, nullable=False),  # next try; while sending, its lease's end
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Index("ix_outbox_state_due", "state", "due_at"),
    Index("ix_outbox_subject", "subject_id"),
)
