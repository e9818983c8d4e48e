"""keyed chain: the chain key id of each entry (NULL for entries linked with plain SHA-256 before)

Revision ID: audit_0002_h13
Revises: audit_0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'audit_0002_h13'
down_revision = 'audit_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_chain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_chain', schema=None) as batch_op:
        batch_op.drop_column('key_id')
