"""Mobility counts: one aggregate number per cell (year, term, group, direction, programme, level, faculty).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:48:50.895904
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mobilitycount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('faculty', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'term', 'group', 'direction', 'programme', 'level', 'faculty', name='uq_count_cell')
    )
    with op.batch_alter_table('mobilitycount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobilitycount_group'), ['group'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobilitycount_year'), ['year'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mobilitycount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobilitycount_year'))
        batch_op.drop_index(batch_op.f('ix_mobilitycount_group'))

    op.drop_table('mobilitycount')
