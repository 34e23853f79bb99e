"""inbox index on tasks: a lane's open tasks soonest due first, with the case and the id

Revision ID: 8e1f4b7a2c6d
Revises: e649c756e575
Create Date: 2026-12-07 02:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e1f4b7a2c6d'
down_revision = 'e649c756e575'
branch_labels = None
depends_on = None


def upgrade():
    # It begins with the columns of ix_tasks_lane_status, which it replaces.
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(
            'ix_tasks_inbox',
            ['lane', 'status', 'due_at', 'created_at', 'id', 'case_id'],
            unique=False,
        )
        batch_op.drop_index('ix_tasks_lane_status')


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_lane_status', ['lane', 'status'], unique=False)
        batch_op.drop_index('ix_tasks_inbox')
