"""As of: example meetings and example checklist runs are labelled and removable like other example data.

Revision ID: 0006b
Revises: 0005 (needs 0004)
Create Date: 2026-11-30 15:05:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0006b'
down_revision = '0005'
branch_labels = None
depends_on = '0004'


def upgrade() -> None:
    with op.batch_alter_table('meeting') as batch:
        batch.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                   server_default='manual'))
    with op.batch_alter_table('checklistrun') as batch:
        batch.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                   server_default='manual'))


def downgrade() -> None:
    with op.batch_alter_table('checklistrun') as batch:
        batch.drop_column('source')
    with op.batch_alter_table('meeting') as batch:
        batch.drop_column('source')
