"""Incidents, their timeline and postmortems.

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
        sa.Column("closed_at", UTCDateTime),
        sa.Column("closed_by", sa.String(32)),
        sa.Column("has_facts", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("impact_seconds", sa.Integer),
        sa.Column("data_loss", sa.Boolean),
        sa.Column("intervention", sa.String(32)),
        sa.Column("detected_by", sa.String(32)),
    )
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, server_default="note"),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_timeline_entries_incident_id", "timeline_entries", ["incident_id"])
    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("reviewers", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("triggers", sa.JSON, nullable=False),
        sa.Column("sections", sa.JSON, nullable=False),
        sa.Column("doc_kind", sa.String(16)),
        sa.Column("doc_id", sa.String(64)),
        sa.Column("doc_url", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("postmortems")
    op.drop_index("ix_timeline_entries_incident_id", "timeline_entries")
    op.drop_table("timeline_entries")
    op.drop_table("incidents")
    op.drop_table("counters")
