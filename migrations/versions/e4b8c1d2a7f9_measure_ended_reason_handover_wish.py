"""consent expiry settled (expired_at); measure ended by consent (ended_reason); a handover's family wish and scope of measures

Revision ID: e4b8c1d2a7f9
Revises: e3b8d1c4a702
Create Date: 2026-12-06 11:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b8c1d2a7f9'
down_revision = 'e3b8d1c4a702'
branch_labels = None
depends_on = None


def upgrade():
    # Plain columns with server defaults, so rows that exist get a value (no batch copy on SQLite).
    op.add_column('consent', sa.Column('expired_at', sa.DateTime(), nullable=True))
    op.add_column('measure', sa.Column('ended_reason', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('handover', sa.Column('family_wish', sa.Text(), nullable=False, server_default=''))
    op.add_column('handover', sa.Column('measures_scope', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_column('measures_scope')
        batch_op.drop_column('family_wish')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('ended_reason')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('expired_at')
