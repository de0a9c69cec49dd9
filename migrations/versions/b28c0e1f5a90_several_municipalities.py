"""several municipalities: the municipality table, unit_municipality, municipality_id on every scoped table,
a case counter per municipality and year, and (PostgreSQL) row-level security on the tables with case data

Every existing row goes to one municipality: the first entry of municipalities.yaml (TIK_MUNICIPALITIES) when
that file exists, else "default" (the install's one municipality, named TIK_MUNICIPALITY).

Revision ID: b28c0e1f5a90
Revises: c27a55e1d0b9
Create Date: 2026-12-06 14:00:00

"""
import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b28c0e1f5a90'
down_revision = 'c27a55e1d0b9'
branch_labels = None
depends_on = None

# The tables with a municipality_id of their own (audit_event's may be empty: the chain is the install's).
SCOPED = ('unit', 'user', 'child', 'case', 'case_counter', 'case_statistic', 'stat_cell', 'stat_run',
          'survey_value', 'youth_conversation', 'youth_stat', 'outbox_message', 'team', 'meeting')
# Row-level security (PostgreSQL): tables with case data, held by their own column or through their case/child.
RLS_OWN = ('child', 'case', 'case_counter', 'youth_conversation')
RLS_THROUGH_CASE = ('concern', 'consent', 'case_event', 'case_participant', 'plan', 'handover',
                    'child_welfare_report', 'report_draft', 'archive_print', 'export_withholding')
RLS_THROUGH_CHILD = ('guardian',)
SETTING = "NULLIF(current_setting('tik.municipality', true), '')::int"


def _default_municipality() -> tuple[str, str, str]:
    path = os.environ.get('TIK_MUNICIPALITIES') or str(Path(__file__).resolve().parents[2] / 'municipalities.yaml')
    try:
        first = yaml.safe_load(Path(path).read_text(encoding='utf-8'))['municipalities'][0]
        country = first.get('country', 'NO')
        return str(first['key']), str(first['name']), 'NO' if country is False else str(country).upper()
    except (OSError, KeyError, IndexError, TypeError, yaml.YAMLError):
        return 'default', os.environ.get('TIK_MUNICIPALITY') or 'Fjordvik kommune', 'NO'


def _foreign_keys(state: str) -> None:
    """SQLite copies a table to change it (batch mode): foreign keys are off meanwhile, else dropping the old
    `case` would trip over the rows that point at it. The pragma is ignored inside a transaction, and TIK's
    engine opens one even in Alembic's autocommit block (tik/extensions.py): so end it on the driver's connection."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={state}")


def upgrade():
    _foreign_keys('OFF')
    _upgrade()
    _foreign_keys('ON')


def downgrade():
    _foreign_keys('OFF')
    _downgrade()
    _foreign_keys('ON')


def _upgrade():
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('key', name=op.f('uq_municipality_key'))
    )
    op.create_table('unit_municipality',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                            name=op.f('fk_unit_municipality_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_municipality_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'municipality_id', name=op.f('pk_unit_municipality'))
    )
    op.create_index(op.f('ix_unit_municipality_municipality_id'), 'unit_municipality', ['municipality_id'],
                    unique=False)
    key, name, country = _default_municipality()
    table = sa.table('municipality', sa.column('id', sa.Integer), sa.column('key', sa.String),
                     sa.column('name', sa.String), sa.column('country', sa.String),
                     sa.column('created_at', sa.DateTime))
    op.bulk_insert(table, [{'key': key, 'name': name, 'country': country, 'created_at': datetime.utcnow()}])
    default_id = op.get_bind().execute(sa.select(table.c.id).where(table.c.key == key)).scalar_one()

    for name_ in (*SCOPED, 'audit_event'):
        with op.batch_alter_table(name_) as batch_op:
            batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        op.execute(sa.text(f'UPDATE "{name_}" SET municipality_id = :m').bindparams(m=default_id))
        with op.batch_alter_table(name_) as batch_op:
            if name_ != 'audit_event':
                batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(op.f(f'fk_{name_}_municipality_id_municipality'), 'municipality',
                                        ['municipality_id'], ['id'])
            if name_ != 'case_counter':  # there the primary key (municipality_id, year) leads with it
                batch_op.create_index(op.f(f'ix_{name_}_municipality_id'), ['municipality_id'], unique=False)

    with op.batch_alter_table('case_counter') as batch_op:
        batch_op.drop_constraint('pk_case_counter', type_='primary')
        batch_op.create_primary_key('pk_case_counter', ['municipality_id', 'year'])
    with op.batch_alter_table('survey_value') as batch_op:
        batch_op.drop_constraint('uq_survey_value_year', type_='unique')
        batch_op.create_unique_constraint(op.f('uq_survey_value_municipality_id'),
                                          ['municipality_id', 'year', 'indicator'])
    op.drop_index('ix_stat_cell_covering', table_name='stat_cell')
    op.create_index('ix_stat_cell_covering', 'stat_cell', ['municipality_id', 'metric', 'months', 'month', 'key',
                                                           'service_key', 'unit_id', 'age_group', 'level', 'count'],
                    unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        for statement in row_security_statements():
            op.execute(statement)


def row_security_statements() -> list[str]:
    """ENABLE and FORCE row-level security, each table's policy reading `tik.municipality`."""
    statements = []
    for table, using in ([(t, f'municipality_id = {SETTING}') for t in RLS_OWN]
                         + [(t, 'EXISTS (SELECT 1 FROM "case" c WHERE c.id = case_id)') for t in RLS_THROUGH_CASE]
                         + [(t, 'EXISTS (SELECT 1 FROM child c WHERE c.id = child_id)') for t in RLS_THROUGH_CHILD]):
        statements += [f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
                       f'CREATE POLICY tik_municipality ON "{table}" USING ({using}) WITH CHECK ({using})']
    return statements


def _downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*RLS_OWN, *RLS_THROUGH_CASE, *RLS_THROUGH_CHILD):
            op.execute(f'DROP POLICY IF EXISTS tik_municipality ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.drop_index('ix_stat_cell_covering', table_name='stat_cell')
    op.create_index('ix_stat_cell_covering', 'stat_cell', ['metric', 'months', 'month', 'key', 'service_key',
                                                           'unit_id', 'age_group', 'level', 'count'], unique=False)
    with op.batch_alter_table('survey_value') as batch_op:
        batch_op.drop_constraint(op.f('uq_survey_value_municipality_id'), type_='unique')
        batch_op.create_unique_constraint('uq_survey_value_year', ['year', 'indicator'])
    with op.batch_alter_table('case_counter') as batch_op:
        batch_op.drop_constraint('pk_case_counter', type_='primary')
        batch_op.create_primary_key('pk_case_counter', ['year'])
    for name_ in (*SCOPED, 'audit_event'):
        with op.batch_alter_table(name_) as batch_op:
            if name_ != 'case_counter':
                batch_op.drop_index(op.f(f'ix_{name_}_municipality_id'))
            batch_op.drop_constraint(op.f(f'fk_{name_}_municipality_id_municipality'), type_='foreignkey')
            batch_op.drop_column('municipality_id')
    op.drop_index(op.f('ix_unit_municipality_municipality_id'), table_name='unit_municipality')
    op.drop_table('unit_municipality')
    op.drop_table('municipality')
