"""identity: sign-up through the staff provider allowed per unit; TOTP and recovery codes; guardians'
national id and parental responsibility

Revision ID: 3e7b1d9c4a20
Revises: b7d3e1f0a9c2
Create Date: 2026-12-01 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7b1d9c4a20'
down_revision = 'b7d3e1f0a9c2'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":  # the timeline's new event kind: the family's own words
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE eventkind ADD VALUE IF NOT EXISTS 'FAMILY'")
    # A plain ALTER TABLE on SQLite too: batch mode would copy and drop the table that users point at.
    op.add_column('unit', sa.Column('sso_signup', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('user', sa.Column('totp_secret', sa.LargeBinary(), nullable=True))
    op.add_column('user', sa.Column('totp_confirmed_at', sa.DateTime(), nullable=True))
    op.add_column('user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'], unique=False)
    op.add_column('guardian', sa.Column('nin_encrypted', sa.LargeBinary(), nullable=True))
    op.add_column('guardian', sa.Column('nin_lookup', sa.String(length=64), nullable=True))
    op.add_column('guardian', sa.Column('responsibility', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index(op.f('ix_guardian_nin_lookup'), 'guardian', ['nin_lookup'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_guardian_nin_lookup'), table_name='guardian')
    for column in ('responsibility', 'nin_lookup', 'nin_encrypted'):
        op.drop_column('guardian', column)
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    for column in ('totp_last_step', 'totp_confirmed_at', 'totp_secret'):
        op.drop_column('user', column)
    op.drop_column('unit', 'sso_signup')
