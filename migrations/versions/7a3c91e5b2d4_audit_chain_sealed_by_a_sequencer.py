"""audit chain sealed by a sequencer: seq, keyed body digest and redaction tombstone; chain fields nullable

Revision ID: 7a3c91e5b2d4
Revises: c5de4ae0b530
Create Date: 2026-12-01 14:30:00.000000

Rows chained by the old scheme (unkeyed SHA-256 in id order) are unsealed by this upgrade: their chain
fields are cleared and the next `tik audit seal` (or `tik audit verify`) seals them under TIK_AUDIT_KEY.
Run `tik audit verify` with the old release before upgrading if the old chain's verdict matters.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c91e5b2d4'
down_revision = 'c5de4ae0b530'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('redacted', sa.String(length=64), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_audit_event_seq'), ['seq'], unique=True)
    op.execute("UPDATE audit_event SET prev_hash = NULL, hash = NULL")


def downgrade():
    # The old scheme cannot be rebuilt without rechaining; unsealed rows get an empty chain link.
    op.execute("UPDATE audit_event SET prev_hash = '' WHERE prev_hash IS NULL")
    op.execute("UPDATE audit_event SET hash = '' WHERE hash IS NULL")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_seq'))
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('redacted')
        batch_op.drop_column('body_digest')
        batch_op.drop_column('seq')
