"""Form drafts: files and a just-shown receipt kept (sealed, briefly) for the web form's next step

Revision ID: intake_0009_i16
Revises: intake_0008_h17
Create Date: 2026-12-01 11:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'intake_0009_i16'
down_revision: Union[str, Sequence[str], None] = 'intake_0008_h17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'intake_form_drafts',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_intake_form_drafts_expires_at', 'intake_form_drafts', ['expires_at'])


def downgrade() -> None:
    op.drop_table('intake_form_drafts')
