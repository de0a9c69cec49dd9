"""consent kinds per service, whether participants were told of a report, export withholdings

A consent names, per service, the kinds of information it covers (consent_service.kinds; existing consents
keep NULL, read as all kinds). A report records whether the holder told the other participants that it was
sent. export_withholding holds the timeline entries the holder withholds from the family's Art. 15 export,
with the reason and the legal ground.

Revision ID: e3b8d1c4a702
Revises: 9c4e2a7b1f35
Create Date: 2026-12-06 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8d1c4a702'
down_revision = '9c4e2a7b1f35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consent_service") as batch:
        batch.add_column(sa.Column("kinds", sa.JSON(), nullable=True))
    with op.batch_alter_table("child_welfare_report") as batch:
        batch.add_column(sa.Column("participants_told", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "export_withholding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"]),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("export_withholding") as batch:
        batch.create_index(batch.f("ix_export_withholding_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_export_withholding_by_id"), ["by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_withholding") as batch:
        batch.drop_index(batch.f("ix_export_withholding_by_id"))
        batch.drop_index(batch.f("ix_export_withholding_case_id"))
    op.drop_table("export_withholding")
    with op.batch_alter_table("child_welfare_report") as batch:
        batch.drop_column("participants_told")
    with op.batch_alter_table("consent_service") as batch:
        batch.drop_column("kinds")
