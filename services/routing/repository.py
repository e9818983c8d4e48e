"""Routing's repository: the tips it has decided on and every decision about them, over one session."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from services.routing.domain.transfers import Stop
from services.routing.models import Decision, RoutedTip
from shared.db import insert_if_absent

# made once, executed with each row as parameters (SQLAlchemy finds them compiled)
_TIPS = RoutedTip.__table__
_INSERT_DECISION = insert(Decision.__table__)
_XMIN = "(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint"  # the oldest transaction still running
_SNAPSHOT_XMIN = text(f"SELECT {_XMIN}")
_WRITTEN_SINCE = text(f"SELECT {_XMIN} AS xmin, "
                      "array(SELECT reference FROM routing_tips WHERE recorded_xid >= :xmin) AS refs")


class RoutingRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- tips ------------------------------------------------------------------------------------------------
    def tip(self, reference: str) -> RoutedTip | None:
        return self.session.get(RoutedTip, reference)

    def locked_tip(self, reference: str) -> RoutedTip | None:
        """The tip, locked until the transaction ends: one request per tip at a time (PostgreSQL row lock;
        SQLite has one writer anyway)."""
        return self.session.execute(select(RoutedTip).where(RoutedTip.reference == reference)
                                    .with_for_update()).scalar_one_or_none()

    def add_tip(self, **fields) -> bool:
        """The tip's row, unless routing holds its reference already (the same tip announced again under another
        event id): one INSERT … ON CONFLICT DO NOTHING, no look-up first. Whether it went in."""
        return bool(self.session.execute(insert_if_absent(self.session, _TIPS), fields).rowcount)

    def tips_submitted_since(self, since: datetime) -> Iterable[RoutedTip]:
        return self.session.execute(select(RoutedTip).where(RoutedTip.submitted_at >= since)).scalars()

    def references_recorded_after(self, moment: datetime) -> list[str]:
        return list(self.session.execute(select(RoutedTip.reference)
                                         .where(RoutedTip.recorded_at > moment)).scalars())

    def snapshot_xmin(self) -> int | None:
        """PostgreSQL: the oldest transaction still running as of now; every transaction before it has ended, so
        its rows are visible from now on. None on SQLite."""
        if self.session.get_bind().dialect.name != "postgresql":
            return None
        return self.session.execute(_SNAPSHOT_XMIN).scalar_one()

    def references_written_since(self, xmin: int) -> tuple[list[str], int]:
        """PostgreSQL: the references of rows written by transaction `xmin` or later, and the snapshot's own xmin
        (the mark for the next read): one statement, so both come from the same snapshot."""
        row = self.session.execute(_WRITTEN_SINCE, {"xmin": xmin}).one()
        return list(row.refs), row.xmin

    def references_submitted_since(self, since: datetime) -> list[str]:
        return list(self.session.execute(select(RoutedTip.reference)
                                         .where(RoutedTip.submitted_at >= since)).scalars())

    def tips(self, references: list[str]) -> Iterable[RoutedTip]:
        return self.session.execute(select(RoutedTip).where(RoutedTip.reference.in_(references))).scalars()

    def unchecked_references(self, limit: int) -> list[str]:
        """Tips whose duplicate check has not run, oldest first."""
        return list(self.session.execute(
            select(RoutedTip.reference).where(RoutedTip.duplicates_checked_at.is_(None))
            .order_by(RoutedTip.recorded_at).limit(limit)).scalars())

    # -- decisions -------------------------------------------------------------------------------------------
    def add_decision(self, **fields) -> None:
        """One decision, written at once (a Core INSERT: no object to track on the tip's hot path)."""
        self.session.execute(_INSERT_DECISION, fields)

    def decisions(self, reference: str) -> list[Decision]:
        """Every decision about a tip, in hop order."""
        return list(self.session.execute(select(Decision).where(Decision.reference == reference)
                                         .order_by(Decision.hop)).scalars())

    def stops(self, reference: str) -> list[Stop]:
        """The tip's accepted decisions as the transfer rules read them."""
        return [Stop(hop=d.hop, kind=d.kind, agency=d.agency_code, triage=d.triage)
                for d in self.decisions(reference)]
