"""blind index for desk search over sealed case text

Revision ID: casework_0007_h13
Revises: casework_0006_h13
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0007_h13'
down_revision = 'casework_0006_h13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'casework_search_terms',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('term', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['casework_cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', 'term'),
    )
    with op.batch_alter_table('casework_search_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_search_terms_term'), ['term'], unique=False)


def downgrade() -> None:
    op.drop_table('casework_search_terms')
