"""family: "Min familie" sign-ins as server-side sessions (no staff user, the national id's keyed hash), and a
consent the family gives digitally (no staff member recorded it)

Revision ID: 5f2a8c3d1e07
Revises: 3e7b1d9c4a20
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f2a8c3d1e07'
down_revision = '3e7b1d9c4a20'
branch_labels = None
depends_on = None


def _nullable(table: str, column: str, nullable: bool) -> None:
    """Change a column's NOT NULL. SQLite can only copy the table (batch mode); while it copies, foreign keys
    are off, else dropping the old `consent` would trip over the `consent_service` rows that point at it."""
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(table, column, existing_type=sa.Integer(), nullable=nullable)
        return
    _foreign_keys("OFF")
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(column, existing_type=sa.Integer(), nullable=nullable)
    _foreign_keys("ON")


def _foreign_keys(state: str) -> None:
    """SQLite ignores this pragma inside a transaction, and TIK's engine opens one even in Alembic's autocommit
    block (tik/extensions.py begins every transaction itself): so end it, on the driver's connection."""
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.dbapi_connection
        raw.commit()
        raw.execute(f"PRAGMA foreign_keys={state}")


def upgrade():
    op.add_column('user_session', sa.Column('family_lookup', sa.String(length=64), nullable=True))
    _nullable('user_session', 'user_id', True)
    _nullable('consent', 'recorded_by_id', True)


def downgrade():
    op.execute("DELETE FROM user_session WHERE user_id IS NULL")
    _nullable('consent', 'recorded_by_id', False)
    _nullable('user_session', 'user_id', False)
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('family_lookup')
