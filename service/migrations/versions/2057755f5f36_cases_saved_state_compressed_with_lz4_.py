"""cases' saved state compressed with lz4 on PostgreSQL

Every command rewrites its case's saved state (tens of KB), which PostgreSQL compresses into
the row's TOAST storage; lz4 compresses it in well under half the CPU time of the default
(pglz), for about the same size. Rows keep the compression they were written with until a
command writes them again. Only on PostgreSQL built with lz4 (14 and later, as most are);
elsewhere, and on SQLite, this changes nothing.

Revision ID: 2057755f5f36
Revises: 55f866cfc09e
Create Date: 2026-12-07 04:58:14.151040

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2057755f5f36'
down_revision = '55f866cfc09e'
branch_labels = None
depends_on = None


def _lz4_available(connection) -> bool:
    if connection.dialect.name != 'postgresql':
        return False
    return bool(
        connection.scalar(
            sa.text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            )
        )
    )


def upgrade():
    if _lz4_available(op.get_bind()):
        op.execute('ALTER TABLE cases ALTER COLUMN state SET COMPRESSION lz4')


def downgrade():
    if _lz4_available(op.get_bind()):
        op.execute('ALTER TABLE cases ALTER COLUMN state SET COMPRESSION default')
