"""case events by kind and time (ix_case_event_kind_at): "Min side" finds the leader's feedback without
reading the whole stafettlogg

Revision ID: b3d8f1c6e2a9
Revises: b28c0e1f5a90
Create Date: 2026-12-06 14:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3d8f1c6e2a9'
down_revision = 'b28c0e1f5a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_event_kind_at', 'case_event', ['kind', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_case_event_kind_at', table_name='case_event')
