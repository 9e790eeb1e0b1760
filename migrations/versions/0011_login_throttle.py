"""Login throttling per user name and client address (growing delays) instead of a per-name lock-out.

Revision ID: 0011
Revises: 0010b
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'loginthrottle',
        sa.Column('username', sa.String(length=64), primary_key=True),
        sa.Column('address', sa.String(length=64), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_loginthrottle_last_failure_at', 'loginthrottle', ['last_failure_at'])
    # The old per-name failures only ever locked the editor out; a 15-minute history is not worth carrying over.
    op.drop_index('ix_loginfailure_username', table_name='loginfailure')
    op.drop_table('loginfailure')


def downgrade() -> None:
    op.create_table(
        'loginfailure',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(length=120), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_loginfailure_username', 'loginfailure', ['username'])
    op.drop_index('ix_loginthrottle_last_failure_at', table_name='loginthrottle')
    op.drop_table('loginthrottle')
