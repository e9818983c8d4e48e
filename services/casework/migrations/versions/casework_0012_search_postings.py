"""the inbox at 100,000 cases: the blind index read as posting lists (its term index carries the case id, so a
search reads each word's cases from the index alone, in case order); an inbox index from which a page's cases are
chosen without reading the cases (a case row carries its sealed text: about two kilobytes), which also serves
what the state-first index did (SQLite took that one for an agency's open cases and read every row)

Revision ID: casework_0012_h15
Revises: casework_0011_h16
"""
from alembic import op

revision = 'casework_0012_h15'
down_revision = 'casework_0011_h16'
branch_labels = None
depends_on = None

INBOX_INDEX = ['office_code', 'status', 'acknowledged_at', 'acknowledge_due', 'feedback_given_at', 'feedback_due',
               'opened_at', 'assignee_id', 'id']


def upgrade() -> None:
    with op.batch_alter_table('casework_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_search_terms_term')
        batch_op.create_index('ix_casework_search_terms_term_case', ['term', 'case_id'], unique=False)
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.create_index('ix_casework_cases_inbox', INBOX_INDEX, unique=False)
        batch_op.drop_index('ix_casework_cases_status_opened')


def downgrade() -> None:
    with op.batch_alter_table('casework_cases', schema=None) as batch_op:
        batch_op.create_index('ix_casework_cases_status_opened', ['status', 'opened_at'], unique=False)
        batch_op.drop_index('ix_casework_cases_inbox')
    with op.batch_alter_table('casework_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_search_terms_term_case')
        batch_op.create_index('ix_casework_search_terms_term', ['term'], unique=False)
