"""The outbox: Slack effects owed after a committed change.

Revision ID: 0002_outbox
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from storage.tables import UTCDateTime

revision = "0002_outbox"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("subject_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_state_due", "outbox", ["state", "due_at"])
    op.create_index("ix_outbox_subject", "outbox", ["subject_id"])


def downgrade() -> None:
    op.drop_table("outbox")
