"""audit events carry a MAC from the moment the app writes them (nonce, mac)

A row inserted into audit_event by anyone without TIK_AUDIT_KEY has no MAC that holds: the sequencer marks it
forged instead of sealing it, and `tik audit verify` names it.

Rows already in the table get no MAC: it cannot be computed here, without the key. Rows already sealed stay
verified by their keyed chain hash (legacy rows: a MAC of NULL on a sealed row is accepted). Rows written but
not yet sealed at upgrade time would be reported as forged: run `tik audit seal` before upgrading.

Revision ID: e1a4c7d93b20
Revises: e4b8c1d2a7f9
Create Date: 2026-12-06 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a4c7d93b20'
down_revision = 'e4b8c1d2a7f9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_mac'), ['mac'], unique=True)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_mac'))
        batch_op.drop_column('mac')
        batch_op.drop_column('nonce')
