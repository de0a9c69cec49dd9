"""statistics: the summary's grain (the detailed cells, or the same counts summed over units, services, age
groups and levels for the unfiltered page of the whole municipality); the covering index leads with it

Revision ID: f3c9a1e7d2b5
Revises: d6a4f2c8b1e3
Create Date: 2026-12-06 19:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f3c9a1e7d2b5'
down_revision = 'd6a4f2c8b1e3'
branch_labels = None
depends_on = None

OTHER_COLUMNS = ['metric', 'months', 'month', 'key', 'service_key', 'unit_id', 'age_group', 'level', 'count']


def upgrade():
    op.drop_index('ix_stat_cell_covering', table_name='stat_cell')
    with op.batch_alter_table('stat_cell') as batch_op:
        batch_op.add_column(sa.Column('grain', sa.String(length=8), server_default='', nullable=False))
    op.create_index('ix_stat_cell_covering', 'stat_cell', ['municipality_id', 'grain', *OTHER_COLUMNS], unique=False)


def downgrade():
    op.execute("DELETE FROM stat_cell WHERE grain <> ''")
    op.drop_index('ix_stat_cell_covering', table_name='stat_cell')
    with op.batch_alter_table('stat_cell') as batch_op:
        batch_op.drop_column('grain')
    op.create_index('ix_stat_cell_covering', 'stat_cell', ['municipality_id', *OTHER_COLUMNS], unique=False)
