"""measures by the person in TIK who answers for them: a partial index (responsible_id IS NOT NULL)

Most measures name an outside person and leave responsible_id NULL; with a full index SQLite's planner saw one
key holding every row and read the whole table to find a user's measures ("Min side").

Revision ID: 9c4e2a7b1f35
Revises: 5f2a8c3d1e07
Create Date: 2026-12-02 02:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4e2a7b1f35'
down_revision = '5f2a8c3d1e07'
branch_labels = None
depends_on = None

WHERE = sa.text("responsible_id IS NOT NULL")


def upgrade():
    op.drop_index("ix_measure_responsible_id", table_name="measure")
    op.create_index("ix_measure_responsible_id", "measure", ["responsible_id"], sqlite_where=WHERE,
                    postgresql_where=WHERE)


def downgrade():
    op.drop_index("ix_measure_responsible_id", table_name="measure")
    op.create_index("ix_measure_responsible_id", "measure", ["responsible_id"])
