"""A people table (who a Slack id is: display name, real name, time zone) so that documents show
names; and the incident's own time zone, the declarer's at the start.

Revision ID: 0005_people
Revises: 0004_reminder_subject
"""

import sqlalchemy as sa
from alembic import op

from storage.tables import UTCDateTime

revision = "0005_people"
down_revision = "0004_reminder_subject"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("real_name", sa.Text),
        sa.Column("tz", sa.String(64)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.add_column("incidents", sa.Column("tz", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("tz")
    op.drop_table("people")
