"""force accounts of users signing in with their identity provider

Revision ID: 55f866cfc09e
Revises: 8e1f4b7a2c6d
Create Date: 2026-12-07 03:58:25.130878

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '55f866cfc09e'
down_revision = '8e1f4b7a2c6d'
branch_labels = None
depends_on = None


def upgrade():
    # A column and a unique index, which SQLite adds in place: a unique constraint would make it
    # rebuild the users table, which the tables referring to users do not allow.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_account', sa.String(length=700), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_provider_account'), ['provider_account'], unique=True)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_provider_account'))
        batch_op.drop_column('provider_account')
