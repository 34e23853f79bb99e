"""case migrations and their cases: moving running cases onto another version, case by case

Revision ID: e4b319f5b855
Revises: 2057755f5f36
Create Date: 2026-12-07 05:08:44.737172

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e4b319f5b855"
down_revision = "2057755f5f36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_migrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_case_migrations_created_by"
        ),
        sa.ForeignKeyConstraint(
            ["to_version_id"], ["definition_versions.id"], name="fk_case_migrations_to_version"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_migrations"),
    )
    with op.batch_alter_table("case_migrations", schema=None) as batch_op:
        batch_op.create_index("ix_case_migrations_status", ["status", "id"], unique=False)

    op.create_table(
        "case_migration_items",
        sa.Column("migration_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("worked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_migration_items_case"),
        sa.ForeignKeyConstraint(
            ["migration_id"], ["case_migrations.id"], name="fk_case_migration_items_migration"
        ),
        sa.PrimaryKeyConstraint("migration_id", "case_id", name="pk_case_migration_items"),
    )
    with op.batch_alter_table("case_migration_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_migration_items_status", ["migration_id", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("case_migration_items", schema=None) as batch_op:
        batch_op.drop_index("ix_case_migration_items_status")

    op.drop_table("case_migration_items")
    with op.batch_alter_table("case_migrations", schema=None) as batch_op:
        batch_op.drop_index("ix_case_migrations_status")

    op.drop_table("case_migrations")
