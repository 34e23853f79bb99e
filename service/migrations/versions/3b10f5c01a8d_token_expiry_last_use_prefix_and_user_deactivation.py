"""token expiry, last use, prefix and label; user deactivation

Revision ID: 3b10f5c01a8d
Revises: 9c66fe4f1dfc
Create Date: 2026-12-08 09:00:00.000000

Tokens issued before this revision cannot be shown by their first characters (only their hash
was kept), so their prefix stays empty; they expire the configured number of days
(GWARCHOD_TOKEN_DAYS, default 90) after the upgrade, so that none stops working at once.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '3b10f5c01a8d'
down_revision = '9c66fe4f1dfc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefix', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))

    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)))
    expires_at = datetime.now(UTC) + timedelta(days=current_app.config['TOKEN_DAYS'])
    op.execute(tokens.update().values(expires_at=expires_at))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column(
            'expires_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
        batch_op.drop_column('prefix')
