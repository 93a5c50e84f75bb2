"""Reminders say what their subject is (postmortem, action item, workspace), and an escalation
carries the occasion it stands for, unique per postmortem: one per stalled stage and round.

Existing rows get their subject's type from their kind, which until now implied it.

Revision ID: 0004_reminder_subject
Revises: 0003_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_reminder_subject"
down_revision = "0003_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reminders", sa.Column("subject_kind", sa.String(16)))
    op.add_column("reminders", sa.Column("occasion", sa.String(32)))
    op.execute(
        "UPDATE reminders SET subject_kind = CASE kind"
        " WHEN 'action' THEN 'action_item' WHEN 'digest' THEN 'workspace'"
        " ELSE 'postmortem' END"
    )
    # No default: every writer has to say what its reminder is about.
    with op.batch_alter_table("reminders") as batch:
        batch.alter_column("subject_kind", existing_type=sa.String(16), nullable=False)
    op.create_index("ix_reminders_subject", "reminders", ["subject_kind", "subject_id"])
    op.create_index(
        "uq_reminders_once",
        "reminders",
        ["kind", "subject_kind", "subject_id", "occasion"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_reminders_once", table_name="reminders")
    op.drop_index("ix_reminders_subject", table_name="reminders")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("occasion")
        batch.drop_column("subject_kind")
