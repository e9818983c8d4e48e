"""the inbox: users' saved views (sealed filter and sort) and indexes for its orders and its open-cases view

Revision ID: casework_0010_h15
Revises: casework_0009_h15
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0010_h15'
down_revision = 'casework_0009_h15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'casework_saved_views',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['casework_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'name', name='uq_casework_saved_view'),
    )
    with op.batch_alter_table('casework_saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_saved_views_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.create_index('ix_casework_cases_office_opened', ['office_code', 'opened_at'], unique=False)
        batch_op.create_index('ix_casework_cases_status_opened', ['status', 'opened_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_cases_status_opened')
        batch_op.drop_index('ix_casework_cases_office_opened')
    op.drop_table('casework_saved_views')
