"""child welfare report record, guardian e-mail, consent exclusions, details and feedback events

Revision ID: b7c41f0e9a21
Revises: 7a3c91e5b2d4
Create Date: 2026-12-01 15:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c41f0e9a21'
down_revision = '7a3c91e5b2d4'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":  # the timeline's new event kinds
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE eventkind ADD VALUE IF NOT EXISTS 'DETAILS'")
            op.execute("ALTER TYPE eventkind ADD VALUE IF NOT EXISTS 'FEEDBACK'")
    op.create_table('child_welfare_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hard_stop', sa.Boolean(), nullable=False),
    sa.Column('guardians', sa.JSON(), nullable=False),
    sa.Column('child_told', sa.Boolean(), nullable=True),
    sa.Column('child_not_told_reason', sa.Text(), nullable=False),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=60), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('sent_how', sa.String(length=40), nullable=False),
    sa.Column('feedback_due', sa.Date(), nullable=True),
    sa.Column('feedback_received_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_child_welfare_report_case_id_case')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_child_welfare_report_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_welfare_report'))
    )
    with op.batch_alter_table('child_welfare_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_welfare_report_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_welfare_report_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_welfare_report_feedback_due'), ['feedback_due'], unique=False)
    # Plain columns with server defaults, so rows that exist get a value (no batch copy on SQLite).
    op.add_column('guardian', sa.Column('email', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('consent', sa.Column('exclusions', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('exclusions')
    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('child_welfare_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_welfare_report_feedback_due'))
        batch_op.drop_index(batch_op.f('ix_child_welfare_report_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_child_welfare_report_case_id'))
    op.drop_table('child_welfare_report')
    # PostgreSQL cannot drop an enum value; the unused 'DETAILS' and 'FEEDBACK' stay in the type.
