"""account lifecycle: TOTP enrolment, personal notification contacts, failed sign-ins and unlocks

Adds casework_users.totp_pending_secret (a TOTP secret awaiting its first code), email and line_user_id (the
person's own notices; sealed like the TOTP secret), failed_sign_ins / last_failed_at (shown to administrators)
and unlocked_at (an administrator's unlock, read by every desk instance).

Revision ID: casework_0009_h15
Revises: casework_0008_h15
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0009_h15'
down_revision = 'casework_0008_h15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_pending_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('email', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('line_user_id', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unlocked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        for column in ('unlocked_at', 'last_failed_at', 'failed_sign_ins', 'line_user_id', 'email',
                       'totp_pending_secret'):
            batch_op.drop_column(column)
