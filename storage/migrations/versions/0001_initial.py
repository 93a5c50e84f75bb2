"""Incidents, their timeline (with revisions, captured messages), roles, responders and
postmortems.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from storage.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _incident_fk(**kwargs: object) -> sa.Column:
    return sa.Column(
        "incident_id",
        sa.Integer,
        sa.ForeignKey("incidents.id", ondelete="CASCADE"),
        **kwargs,  # type: ignore[arg-type]
    )


def _postmortem_fk() -> sa.Column:
    return sa.Column(
        "postmortem_id",
        sa.Integer,
        sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer)),
        [{"name": "incident", "value": 0}],
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("severity", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("declared_by", sa.String(32), nullable=False),
        sa.Column("declared_in", sa.String(32), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("declared_at", UTCDateTime, nullable=False),
        sa.Column("channel_id", sa.String(32), unique=True),
        sa.Column("channel_name", sa.String(80)),
        sa.Column("summary_ts", sa.String(32)),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("closed_by", sa.String(32)),
        sa.Column("entry_seq", sa.Integer, nullable=False, server_default="0"),
        sa.Column("action_seq", sa.Integer, nullable=False, server_default="0"),
        sa.Column("has_facts", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("impact_seconds", sa.Integer),
        sa.Column("data_loss", sa.Boolean),
        sa.Column("intervention", sa.String(32)),
        sa.Column("detected_by", sa.String(32)),
    )
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _incident_fk(nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, server_default="note"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False, server_default="command"),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("permalink", sa.Text),
        sa.Column("deleted_at", UTCDateTime),
        sa.UniqueConstraint("incident_id", "seq", name="uq_timeline_entries_seq"),
        sa.UniqueConstraint("incident_id", "message_ts", name="uq_timeline_entries_message"),
    )
    op.create_index("ix_timeline_entries_incident_id", "timeline_entries", ["incident_id"])
    op.create_table(
        "timeline_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "entry_id",
            sa.Integer,
            sa.ForeignKey("timeline_entries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before_text", sa.Text),
        sa.Column("after_text", sa.Text),
        sa.Column("before_at", UTCDateTime),
        sa.Column("after_at", UTCDateTime),
    )
    op.create_index("ix_timeline_revisions_entry_id", "timeline_revisions", ["entry_id"])
    op.create_table(
        "capture_votes",
        _incident_fk(primary_key=True),
        sa.Column("message_ts", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
    )
    op.create_table(
        "incident_roles",
        _incident_fk(primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("assigned_at", UTCDateTime, nullable=False),
        sa.Column("assigned_by", sa.String(32), nullable=False),
    )
    op.create_table(
        "responders",
        _incident_fk(primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("joined_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _incident_fk(nullable=False, unique=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("reviewers", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("triggers", sa.JSON, nullable=False),
        sa.Column("sections", sa.JSON, nullable=False),
        sa.Column("doc_kind", sa.String(16)),
        sa.Column("doc_id", sa.String(64)),
        sa.Column("doc_url", sa.Text),
        sa.Column("review_round", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ready_at", UTCDateTime),
        sa.Column("approved_at", UTCDateTime),
        sa.Column("published_at", UTCDateTime),
        sa.Column("publish_ts", sa.String(32)),
        sa.Column("waived_reason", sa.Text),
        sa.Column("waived_by", sa.String(32)),
        sa.Column("retro_due_at", UTCDateTime),
        sa.Column("retro_held_at", UTCDateTime),
        sa.Column("retro_notes", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "postmortem_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _postmortem_fk(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("section", sa.String(24), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("postmortem_id", "version", name="uq_postmortem_revisions_version"),
    )
    op.create_index(
        "ix_postmortem_revisions_postmortem_id", "postmortem_revisions", ["postmortem_id"]
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _incident_fk(nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(32)),
        sa.Column("due", sa.Date),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("drop_reason", sa.Text),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.UniqueConstraint("incident_id", "seq", name="uq_action_items_seq"),
    )
    op.create_index("ix_action_items_incident_id", "action_items", ["incident_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _postmortem_fk(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_feedback_postmortem_id", "feedback", ["postmortem_id"])
    op.create_table(
        "approvals",
        sa.Column(
            "postmortem_id",
            sa.Integer,
            sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("round", sa.Integer, primary_key=True),
        sa.Column("reviewer", sa.String(32), primary_key=True),
        sa.Column("decision", sa.String(24), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("decided_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer, nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("nth", sa.Integer, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint(
            "kind", "subject_id", "recipient", "seq", name="uq_reminders_occurrence"
        ),
    )
    op.create_index("ix_reminders_state_due", "reminders", ["state", "due_at"])


def downgrade() -> None:
    for table in (
        "feedback",
        "action_items",
        "postmortem_revisions",
        "reminders",
        "approvals",
        "postmortems",
        "responders",
        "incident_roles",
        "capture_votes",
        "timeline_revisions",
        "timeline_entries",
        "incidents",
        "counters",
    ):
        op.drop_table(table)
