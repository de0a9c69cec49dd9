"""single sign-on: sign-up through the staff provider allowed per unit

Revision ID: 3e7b1d9c4a20
Revises: c5de4ae0b530
Create Date: 2026-12-01 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7b1d9c4a20'
down_revision = 'c5de4ae0b530'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE on SQLite too: batch mode would copy and drop the table that users point at.
    op.add_column('unit', sa.Column('sso_signup', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('unit', 'sso_signup')
