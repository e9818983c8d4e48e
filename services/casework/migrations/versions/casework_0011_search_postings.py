"""the blind index read as posting lists: its term index carries the case id (a search reads each word's cases
from the index alone, in case order, instead of visiting the table once per case)

Revision ID: casework_0011_h15
Revises: casework_0010_h15
"""
from alembic import op

revision = 'casework_0011_h15'
down_revision = 'casework_0010_h15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('casework_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_search_terms_term')
        batch_op.create_index('ix_casework_search_terms_term_case', ['term', 'case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('casework_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_search_terms_term_case')
        batch_op.create_index('ix_casework_search_terms_term', ['term'], unique=False)
