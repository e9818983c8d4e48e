"""office notes for the tipster

Revision ID: intake_0004_h11a
Revises: intake_0003
Create Date: 2026-12-01 04:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'intake_0004_h11a'
down_revision: Union[str, Sequence[str], None] = 'intake_0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('intake_office_notes',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('tip_id', sa.String(length=36), nullable=False),
    sa.Column('office_code', sa.String(length=40), nullable=False),
    sa.Column('text_enc', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tip_id'], ['intake_tips.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_intake_office_notes_tip_id'), 'intake_office_notes', ['tip_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_intake_office_notes_tip_id'), table_name='intake_office_notes')
    op.drop_table('intake_office_notes')
