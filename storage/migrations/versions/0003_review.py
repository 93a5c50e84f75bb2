"""A section revision made after publication is an amendment, and says so.

Revision ID: 0003_review
Revises: 0002_outbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_review"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postmortem_revisions") as batch:
        batch.add_column(
            sa.Column("amendment", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("postmortem_revisions") as batch:
        batch.drop_column("amendment")
