"""LINE chats, webhook events and fetched files

Revision ID: intake_0008_h17
Revises: intake_0007_h13
Create Date: 2026-12-01 05:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'intake_0008_h17'
down_revision: Union[str, Sequence[str], None] = 'intake_0007_h13'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _delivery_columns():
    return [
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('provider_id', sa.String(length=200), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'intake_line_chats',
        sa.Column('chat_key', sa.String(length=64), nullable=False),
        sa.Column('state_enc', sa.Text(), nullable=False),
        sa.Column('draft_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('chat_key'),
    )
    op.create_index('ix_intake_line_chats_draft_expires_at', 'intake_line_chats', ['draft_expires_at'])
    op.create_table(
        'intake_line_events',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
        sa.Column('chat_key', sa.String(length=64), nullable=False),
        sa.Column('event_time', sa.BigInteger(), nullable=False),
        sa.Column('payload_enc', sa.Text(), nullable=True),
        sa.Column('replies_enc', sa.Text(), nullable=True),
        *_delivery_columns(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('webhook_event_id'),
    )
    op.create_index('ix_intake_line_events_chat_key', 'intake_line_events', ['chat_key'])
    op.create_index('ix_intake_line_events_status', 'intake_line_events', ['status'])
    op.create_index('ix_intake_line_events_next_attempt_at', 'intake_line_events', ['next_attempt_at'])
    op.create_table(
        'intake_line_files',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('chat_key', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename_enc', sa.Text(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_intake_line_files_chat_key', 'intake_line_files', ['chat_key'])
    op.create_index('ix_intake_line_files_created_at', 'intake_line_files', ['created_at'])


def downgrade() -> None:
    op.drop_table('intake_line_files')
    op.drop_table('intake_line_events')
    op.drop_table('intake_line_chats')
