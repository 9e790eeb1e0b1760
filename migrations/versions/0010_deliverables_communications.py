"""Deliverables (the plan's documents, with their files) and the communication log (goal E).

Revision ID: 0010
Revises: 0001
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0010'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deliverable',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('key', sa.String(80), nullable=False, unique=True),
        sa.Column('activity_code', sa.String(10), nullable=False, index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('title_sv', sa.String(), nullable=False),
        sa.Column('title_en', sa.String(), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('link', sa.String(), nullable=False),
        sa.Column('approved_on', sa.Date(), nullable=True),
        sa.Column('approved_by', sa.String(), nullable=False),
        sa.Column('updated_by', sa.String(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
    )
    op.create_table(
        'deliverablefile',
        sa.Column('deliverable_id', sa.Integer(), sa.ForeignKey('deliverable.id'), primary_key=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('mime', sa.String(100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sa.String(), nullable=False),
        sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        'communication',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('held_on', sa.Date(), nullable=False, index=True),
        sa.Column('channel', sa.String(30), nullable=False, index=True),
        sa.Column('audience', sa.String(), nullable=False),
        sa.Column('activity_code', sa.String(10), nullable=False),
        sa.Column('note', sa.String(), nullable=False),
        sa.Column('link', sa.String(), nullable=False),
        sa.Column('entered_by', sa.String(), nullable=False),
        sa.Column('entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('communication')
    op.drop_table('deliverablefile')
    op.drop_table('deliverable')
