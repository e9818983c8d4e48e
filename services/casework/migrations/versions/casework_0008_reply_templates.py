"""reply templates: an office's ready-made questions and notes for the tipster

Revision ID: casework_0008_h15
Revises: casework_0007_h13
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0008_h15'
down_revision = 'casework_0007_h13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'casework_reply_templates',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('office_code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body_th', sa.Text(), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=True),
        sa.Column('updated_by', sa.String(length=36), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('casework_reply_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_reply_templates_office_code'), ['office_code'], unique=False)


def downgrade() -> None:
    op.drop_table('casework_reply_templates')
