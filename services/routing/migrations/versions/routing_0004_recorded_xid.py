"""tips say which transaction wrote them (PostgreSQL)

On PostgreSQL each routing_tips row gets the 64-bit id of the transaction that inserted it, filled in by the server
(a column default, so every writer sets it, whatever its version). An instance refreshing its duplicate index
then reads only the rows of transactions that were not yet finished at its previous read, instead of every row
written in the last two minutes. SQLite (one process, one writer) keeps the column empty and the time window.

Revision ID: routing_0004
Revises: routing_0003_h13
"""
from alembic import op
import sqlalchemy as sa

revision = 'routing_0004'
down_revision = 'routing_0003_h13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    default = sa.text("(pg_current_xact_id()::text)::bigint") if postgresql else None
    with op.batch_alter_table('routing_tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_xid', sa.BigInteger(), server_default=default, nullable=True))
        batch_op.create_index(batch_op.f('ix_routing_tips_recorded_xid'), ['recorded_xid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('routing_tips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_tips_recorded_xid'))
        batch_op.drop_column('recorded_xid')
