"""receipts found by keyed hash; the receipt guard leaves the database

Adds intake_tips.receipt_mac (HMAC-SHA256 of the receipt under a key kept outside the database, unique), and
lets receipt_locator and receipt_hash be empty: new receipts have only the keyed hash, and a receipt issued
before gets its keyed hash (and loses the other two) the first time it is used. Drops intake_guard: receipt
guessing is now limited in memory, per client, under a random key (no address hash is stored any more).

Revision ID: intake_0006_h12
Revises: intake_0005_h11b
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'intake_0006_h12'
down_revision: Union[str, Sequence[str], None] = 'intake_0005_h11b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_mac', sa.String(length=64), nullable=True))
        batch_op.alter_column('receipt_locator', existing_type=sa.String(length=8), nullable=True)
        batch_op.alter_column('receipt_hash', existing_type=sa.String(length=200), nullable=True)
        batch_op.create_index('ix_intake_tips_receipt_mac', ['receipt_mac'], unique=True)
    op.drop_table('intake_guard')


def downgrade() -> None:
    op.create_table('intake_guard',
                    sa.Column('bucket', sa.String(length=64), nullable=False),
                    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('failures', sa.Integer(), nullable=False),
                    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('bucket'))
    # Receipts that have only a keyed hash cannot get an argon2id hash back: after a downgrade they stop
    # working (their tips stay); the columns stay nullable so those rows remain.
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_tips_receipt_mac')
        batch_op.drop_column('receipt_mac')
