"""staff contacts: notify's copy of where each desk account's own notices go (account.contacts_changed)

Revision ID: notify_0004_h15
Revises: notify_0003_h13
"""
from alembic import op
import sqlalchemy as sa

revision = 'notify_0004_h15'
down_revision = 'notify_0003_h13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notify_staff_contacts',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('office_code', sa.String(length=40), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('email', sa.Text(), nullable=True),
        sa.Column('line_user_id', sa.Text(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )
    with op.batch_alter_table('notify_staff_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_staff_contacts_office_code'), ['office_code'], unique=False)


def downgrade() -> None:
    op.drop_table('notify_staff_contacts')
