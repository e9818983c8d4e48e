"""the volunteer registry keeps each volunteer's area (subdistrict codes), so that a network's coordinator sees the
network's volunteers only; NULL until intake announces it (`volunteers announce` in intake's command line, or any change)

Revision ID: casework_0011_h16
Revises: casework_0010_h15
"""
from alembic import op
import sqlalchemy as sa

revision = 'casework_0011_h16'
down_revision = 'casework_0010_h15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('casework_volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subdistricts_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('casework_volunteers', schema=None) as batch_op:
        batch_op.drop_column('subdistricts_json')
