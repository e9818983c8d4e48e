"""the case version heard, the closure reason for the tipster, ordering and office of timeline lines

Revision ID: intake_0005_h11b
Revises: intake_0004_h11a
Create Date: 2026-12-01 04:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'intake_0005_h11b'
down_revision: Union[str, Sequence[str], None] = 'intake_0004_h11a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_version', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('closure_json', sa.Text(), nullable=True))
    with op.batch_alter_table('intake_timeline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agency_code', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake_timeline', schema=None) as batch_op:
        batch_op.drop_column('agency_code')
        batch_op.drop_column('seq')
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.drop_column('closure_json')
        batch_op.drop_column('case_version')
