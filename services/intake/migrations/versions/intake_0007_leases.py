"""leases: cluster jobs (retention) run on one instance at a time

Revision ID: intake_0007_h13
Revises: intake_0006_h12
"""
from alembic import op
import sqlalchemy as sa

revision = 'intake_0007_h13'
down_revision = 'intake_0006_h12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'intake_leases',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('intake_leases')
