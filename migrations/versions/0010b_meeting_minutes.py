"""Minuted meetings: chair and attendees on the meeting, its decisions and action items.

Revision ID: 0010b
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0010b'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting') as batch:
        batch.add_column(sa.Column('chair', sa.String(), nullable=False, server_default=''))
        batch.add_column(sa.Column('attendees', sa.String(), nullable=False, server_default=''))
    op.create_table(
        'meetingdecision',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meeting.id'), nullable=False, index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(), nullable=False),
    )
    op.create_table(
        'meetingaction',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meeting.id'), nullable=False, index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('what', sa.String(), nullable=False),
        sa.Column('who', sa.String(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=True, index=True),
        sa.Column('done_by', sa.String(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('meetingaction')
    op.drop_table('meetingdecision')
    with op.batch_alter_table('meeting') as batch:
        batch.drop_column('attendees')
        batch.drop_column('chair')
