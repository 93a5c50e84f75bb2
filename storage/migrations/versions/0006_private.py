"""Private incidents (`/incident start --private`): the flag, kept with the incident so that a
retried or resumed channel set-up makes a private channel too, and the rest of the bot knows.
Incidents declared before it are public.

Revision ID: 0006_private
Revises: 0005_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_private"
down_revision = "0005_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "incidents",
        sa.Column("private", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("private")
