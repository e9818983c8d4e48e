"""password reset codes; intake's volunteer ids; sign-in limits leave the database

Adds casework_users.reset_code_hash / reset_expires_at (an administrator's one-time reset code, as SHA-256) and
adds casework_volunteers (the volunteer ids intake announces; only those can be bound to a desk account) and
empties casework_login_throttle, which no longer locks accounts (limits are per client, in memory).

Revision ID: casework_0005_h12
Revises: casework_0004_h11b
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'casework_0005_h12'
down_revision: Union[str, Sequence[str], None] = 'casework_0004_h11b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reset_expires_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('casework_volunteers',
                    sa.Column('volunteer_id', sa.String(length=64), nullable=False),
                    sa.Column('active', sa.Boolean(), nullable=False),
                    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('volunteer_id'))
    op.execute("DELETE FROM casework_login_throttle")


def downgrade() -> None:
    op.drop_table('casework_volunteers')
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        batch_op.drop_column('reset_expires_at')
        batch_op.drop_column('reset_code_hash')
