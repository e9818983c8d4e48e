"""when each tip was first acknowledged and when it was closed (the public statistics)

Revision ID: intake_0010_stats
Revises: intake_0009_i16
Create Date: 2026-12-01 11:20:00

Tips already followed keep these moments in their timeline lines: copied from there.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'intake_0010_stats'
down_revision: Union[str, Sequence[str], None] = 'intake_0009_i16'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACKNOWLEDGED = ('acknowledged', 'under_review', 'investigating', 'closed')


def upgrade() -> None:
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    tips = sa.table('intake_tips', sa.column('id', sa.String), sa.column('status', sa.String),
                    sa.column('acknowledged_at', sa.DateTime(timezone=True)),
                    sa.column('closed_at', sa.DateTime(timezone=True)))
    lines = sa.table('intake_timeline', sa.column('tip_id', sa.String), sa.column('status', sa.String),
                     sa.column('at', sa.DateTime(timezone=True)))
    first_ack = (sa.select(sa.func.min(lines.c.at)).where(lines.c.tip_id == tips.c.id,
                                                          lines.c.status.in_(ACKNOWLEDGED)).scalar_subquery())
    last_close = (sa.select(sa.func.max(lines.c.at)).where(lines.c.tip_id == tips.c.id,
                                                           lines.c.status == 'closed').scalar_subquery())
    op.execute(sa.update(tips).values(acknowledged_at=first_ack))
    op.execute(sa.update(tips).where(tips.c.status == 'closed').values(closed_at=last_close))


def downgrade() -> None:
    with op.batch_alter_table('intake_tips', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('acknowledged_at')
