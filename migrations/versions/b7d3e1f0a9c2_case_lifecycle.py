"""case lifecycle: restriction, legal hold, previous case, archive prints, anonymised statistics

Revision ID: b7d3e1f0a9c2
Revises: b7c41f0e9a21
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d3e1f0a9c2'
down_revision = 'b7c41f0e9a21'
branch_labels = None
depends_on = None

NEW_KINDS = ("REOPENED", "ARCHIVED", "RESTRICTED", "LEGAL_HOLD")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":  # the timeline's new event kinds
        with op.get_context().autocommit_block():
            for kind in NEW_KINDS:
                op.execute(f"ALTER TYPE eventkind ADD VALUE IF NOT EXISTS '{kind}'")
    # Plain ALTER TABLE ADD COLUMN on both databases (batch mode would copy the case table on SQLite).
    op.add_column('case', sa.Column('restricted', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('case', sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('case', sa.Column('previous_ref', sa.String(length=20), nullable=False, server_default=''))

    op.create_table('archive_print',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.Column('printed_by_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_archive_print_case_id_case')),
    sa.ForeignKeyConstraint(['printed_by_id'], ['user.id'], name=op.f('fk_archive_print_printed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_print'))
    )
    with op.batch_alter_table('archive_print', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_print_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_archive_print_printed_by_id'), ['printed_by_id'], unique=False)

    op.create_table('case_statistic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_opened', sa.Integer(), nullable=False),
    sa.Column('year_closed', sa.Integer(), nullable=False),
    sa.Column('months_open', sa.Integer(), nullable=False),
    sa.Column('level_reached', sa.Integer(), nullable=False),
    sa.Column('age_group', sa.String(length=16), nullable=False),
    sa.Column('owning_service', sa.String(length=64), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('end_key', sa.String(length=64), nullable=False),
    sa.Column('end_reason', sa.String(length=64), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_statistic'))
    )
    with op.batch_alter_table('case_statistic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_statistic_year_closed'), ['year_closed'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_statistic_year_opened'), ['year_opened'], unique=False)


def downgrade():
    with op.batch_alter_table('case_statistic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_statistic_year_opened'))
        batch_op.drop_index(batch_op.f('ix_case_statistic_year_closed'))
    op.drop_table('case_statistic')
    with op.batch_alter_table('archive_print', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_print_printed_by_id'))
        batch_op.drop_index(batch_op.f('ix_archive_print_case_id'))
    op.drop_table('archive_print')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('previous_ref')
        batch_op.drop_column('legal_hold')
        batch_op.drop_column('restricted')
    # PostgreSQL cannot drop enum values; the initial migration's downgrade drops the whole type.
