"""the suspicion path as a state of the case (waiting_since) and when the family was told (family_told_on)

A case waits for child welfare from the suspicion concern or the report hard stop until the holder records
child welfare's answer; "Min familie" shows a case only once staff recorded that the family was told. Cases
that already had a consent count as told from the day it was given.

Revision ID: e4f1a2b3c5d6
Revises: e874802ae456
Create Date: 2026-12-06 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4f1a2b3c5d6'
down_revision = 'e874802ae456'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case', sa.Column('waiting_since', sa.DateTime(), nullable=True))
    op.add_column('case', sa.Column('family_told_on', sa.Date(), nullable=True))
    op.execute('UPDATE "case" SET family_told_on = (SELECT MIN(consent.given_on) FROM consent '
               'WHERE consent.case_id = "case".id)')


def downgrade():
    with op.batch_alter_table('case') as batch_op:
        batch_op.drop_column('family_told_on')
        batch_op.drop_column('waiting_since')
