"""Statistics: the nightly summary, its refresh log, and imported youth-survey figures.

Revision ID: 5a7c3e9d2b14
Revises: 6a92a24595ea
Create Date: 2026-12-01 15:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '5a7c3e9d2b14'
down_revision = '6a92a24595ea'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_cell',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('service_key', sa.String(length=64), nullable=False),
        sa.Column('age_group', sa.String(length=32), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_cell')),
    )
    op.create_index('ix_stat_cell_covering', 'stat_cell',
                    ['metric', 'months', 'month', 'key', 'service_key', 'unit_id', 'age_group', 'level', 'count'], unique=False)
    op.create_table('stat_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
        sa.Column('cells', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_run')),
    )
    op.create_table('survey_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=200), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('respondents', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_value')),
        sa.UniqueConstraint('year', 'indicator', name=op.f('uq_survey_value_year')),
    )


def downgrade():
    op.drop_table('survey_value')
    op.drop_table('stat_run')
    op.drop_index('ix_stat_cell_covering', table_name='stat_cell')
    op.drop_table('stat_cell')
