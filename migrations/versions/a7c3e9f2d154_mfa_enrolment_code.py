"""one-time MFA enrolment codes an admin issues (mfa_enrolment_code)

A leader or admin who must have a second factor sets it up only with such a code (argon2 hash, single use,
72 hours) or after a provider sign-in counted as MFA.

Revision ID: a7c3e9f2d154
Revises: e4f1a2b3c5d6
Create Date: 2026-12-06 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9f2d154'
down_revision = 'e4f1a2b3c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mfa_enrolment_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_mfa_enrolment_code_issued_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mfa_enrolment_code_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_enrolment_code'))
    )
    op.create_index(op.f('ix_mfa_enrolment_code_user_id'), 'mfa_enrolment_code', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_mfa_enrolment_code_user_id'), table_name='mfa_enrolment_code')
    op.drop_table('mfa_enrolment_code')
