"""Signed requests seen in the last five minutes, shared by every replica (bot/replay.py): a
replayed request is refused whichever process it reaches. Unlogged on PostgreSQL.

Revision ID: 0007_seen_requests
Revises: 0006_private
"""

import sqlalchemy as sa
from alembic import op

from storage.tables import UTCDateTime

revision = "0007_seen_requests"
down_revision = "0006_private"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("signature", sa.String(96), primary_key=True),
        sa.Column("seen_at", UTCDateTime, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Unlogged: no WAL, so no disk flush at each request's commit. A crash empties it,
        # which only forgets the last five minutes' signatures (each process keeps its own).
        op.execute("ALTER TABLE seen_requests SET UNLOGGED")


def downgrade() -> None:
    op.drop_table("seen_requests")
