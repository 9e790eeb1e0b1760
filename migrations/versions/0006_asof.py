"""As of: a status change's effective date, the plan's rule for start-only activities, example rows for history.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30 15:05:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The date a status took effect; a change entered before this column existed took effect the day it was entered.
    with op.batch_alter_table('statuschange') as batch:
        batch.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                   server_default='manual'))
    op.execute("UPDATE statuschange SET effective_on = date(changed_at)")
    with op.batch_alter_table('statuschange') as batch:
        batch.alter_column('effective_on', existing_type=sa.Date(), nullable=False)
        batch.create_index('ix_statuschange_effective_on', ['effective_on'])
    with op.batch_alter_table('plan') as batch:
        batch.add_column(sa.Column('start_only_months', sa.Integer(), nullable=False, server_default='12'))


def downgrade() -> None:
    with op.batch_alter_table('plan') as batch:
        batch.drop_column('start_only_months')
    with op.batch_alter_table('statuschange') as batch:
        batch.drop_index('ix_statuschange_effective_on')
        batch.drop_column('source')
        batch.drop_column('effective_on')
