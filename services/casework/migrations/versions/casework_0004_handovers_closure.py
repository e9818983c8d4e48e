"""hand-over records, case version, closure reason for the tipster, the office of a note

Revision ID: casework_0004_h11b
Revises: casework_0003
Create Date: 2026-12-01 04:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'casework_0004_h11b'
down_revision: Union[str, Sequence[str], None] = 'casework_0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('casework_handovers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('from_office', sa.String(length=40), nullable=False),
    sa.Column('triage', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=False),
    sa.Column('suggested_office', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=36), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('to_office', sa.String(length=40), nullable=True),
    sa.Column('to_office_name_th', sa.String(length=200), nullable=True),
    sa.Column('to_office_name_en', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refusal_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['casework_cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('casework_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_handovers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_handovers_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_handovers_from_office'), ['from_office'], unique=False)
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('closure_reason_json', sa.Text(), nullable=True))
    with op.batch_alter_table('casework_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_code', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('casework_notes', schema=None) as batch_op:
        batch_op.drop_column('office_code')
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.drop_column('closure_reason_json')
        batch_op.drop_column('version')
    with op.batch_alter_table('casework_handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_casework_handovers_from_office'))
        batch_op.drop_index(batch_op.f('ix_casework_handovers_reference'))
        batch_op.drop_index(batch_op.f('ix_casework_handovers_case_id'))
    op.drop_table('casework_handovers')
