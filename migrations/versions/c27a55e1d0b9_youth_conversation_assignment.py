"""a youth conversation assigned to a named operator (youth_conversation.assigned_to_id, assigned_until)

Only the assigned operator (and the professional on duty) answers it while assigned; the assignment lapses
at `assigned_until`, the promise time from the message the operator leaves unanswered.

Revision ID: c27a55e1d0b9
Revises: a7c3e9f2d154
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c27a55e1d0b9'
down_revision = 'a7c3e9f2d154'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('youth_conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_until', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_youth_conversation_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_youth_conversation_assigned_to_id_user'), 'user',
                                    ['assigned_to_id'], ['id'])


def downgrade():
    with op.batch_alter_table('youth_conversation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_youth_conversation_assigned_to_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_youth_conversation_assigned_to_id'))
        batch_op.drop_column('assigned_until')
        batch_op.drop_column('assigned_to_id')
