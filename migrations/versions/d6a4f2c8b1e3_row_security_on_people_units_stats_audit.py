"""row-level security (PostgreSQL) also on people, units, statistics, teams and meetings, the rows two steps
from a case, and the audit trail (tik/municipalities/rls.py says what each policy lets through and why); a
team's name is unique within its municipality (was: across the install)

A frozen copy of the statements: tests/municipalities/test_rls.py holds it equal to tik.municipalities.rls.second_statements().
SQLite has no row-level security: nothing to do there.

Revision ID: d6a4f2c8b1e3
Revises: b3d8f1c6e2a9
Create Date: 2026-12-06 16:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd6a4f2c8b1e3'
down_revision = 'b3d8f1c6e2a9'
branch_labels = None
depends_on = None

SETTING = "NULLIF(current_setting('tik.municipality', true), '')::int"
CHAIN = 'tik.audit_chain'
SHARED_UNITS = f'SELECT um.unit_id FROM unit_municipality um WHERE um.municipality_id = {SETTING}'
RLS_OWN_MORE = ('case_statistic', 'stat_cell', 'stat_run', 'survey_value', 'youth_stat', 'team', 'meeting',
                'outbox_message')
RLS_THROUGH_PARENT = (
    ('measure', 'plan_id', 'plan'), ('plan_revision', 'plan_id', 'plan'), ('evaluation', 'measure_id', 'measure'),
    ('consent_service', 'consent_id', 'consent'), ('agenda_item', 'meeting_id', 'meeting'),
    ('participant', 'meeting_id', 'meeting'), ('team_member', 'team_id', 'team'),
    ('youth_message', 'conversation_id', 'youth_conversation'),
)
RLS_SHARED = (
    ('unit', f'municipality_id = {SETTING} OR id IN ({SHARED_UNITS})'),
    ('user', f'municipality_id = {SETTING} OR unit_id IN ({SHARED_UNITS})'),
)
RLS_AUDIT = ('audit_event', f"municipality_id = {SETTING} OR current_setting('{CHAIN}', true) = 'on'")


def pairs() -> list[tuple[str, str]]:
    return ([(t, f'municipality_id = {SETTING}') for t in RLS_OWN_MORE]
            + [(t, f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = {column})')
               for t, column, parent in RLS_THROUGH_PARENT]
            + [*RLS_SHARED, RLS_AUDIT])


def row_security_statements() -> list[str]:
    statements = []
    for table, using in pairs():
        statements += [f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                       f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
                       f'CREATE POLICY tik_municipality ON "{table}" USING ({using}) WITH CHECK ({using})']
    return statements


def _foreign_keys(state: str) -> None:
    """SQLite copies `team` to change its constraint (batch mode): foreign keys off meanwhile, else dropping the
    old table would trip over the members and meetings that point at it (as in b28c0e1f5a90)."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={state}")


def upgrade():
    _foreign_keys('OFF')
    with op.batch_alter_table('team') as batch_op:
        batch_op.drop_constraint('uq_team_name', type_='unique')
        batch_op.create_unique_constraint(op.f('uq_team_municipality_id'), ['municipality_id', 'name'])
    _foreign_keys('ON')
    if op.get_bind().dialect.name == 'postgresql':
        for statement in row_security_statements():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, _using in reversed(pairs()):
            op.execute(f'DROP POLICY IF EXISTS tik_municipality ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    _foreign_keys('OFF')
    with op.batch_alter_table('team') as batch_op:
        batch_op.drop_constraint(op.f('uq_team_municipality_id'), type_='unique')
        batch_op.create_unique_constraint('uq_team_name', ['name'])
    _foreign_keys('ON')
