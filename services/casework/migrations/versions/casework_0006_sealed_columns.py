"""sealed columns: TOTP secrets are sealed at rest, longer than the 64 characters of a plain base32 secret

Revision ID: casework_0006_h13
Revises: casework_0005_h12
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0006_h13'
down_revision = 'casework_0005_h12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', type_=sa.Text(), existing_type=sa.String(length=64),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('casework_users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', type_=sa.String(length=64), existing_type=sa.Text(),
                              existing_nullable=True)
