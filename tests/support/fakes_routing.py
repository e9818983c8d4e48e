"""An in-memory routing repository (the same methods as services/routing/repository.py) for unit tests."""
from __future__ import annotations

from datetime import datetime

from services.routing.domain.transfers import Stop
from services.routing.models import Decision, RoutedTip
from shared.clock import aware_utc


class InMemoryRoutingRepository:
    def __init__(self):
        self.routed: dict[str, RoutedTip] = {}
        self.decided: list[Decision] = []

    # -- tips ------------------------------------------------------------------------------------------------
    def tip(self, reference: str) -> RoutedTip | None:
        return self.routed.get(reference)

    def locked_tip(self, reference: str) -> RoutedTip | None:
        return self.routed.get(reference)

    def add_tip(self, **fields) -> bool:
        if fields["reference"] in self.routed:
            return False  # INSERT … ON CONFLICT DO NOTHING on the primary key
        self.routed[fields["reference"]] = RoutedTip(**fields)
        return True

    def tips_submitted_since(self, since: datetime) -> list[RoutedTip]:
        return [t for t in self.routed.values() if aware_utc(t.submitted_at) >= since]

    def references_recorded_after(self, moment: datetime) -> list[str]:
        return [t.reference for t in self.routed.values() if t.recorded_at and aware_utc(t.recorded_at) > moment]

    def snapshot_xmin(self) -> None:
        return None  # as on SQLite: the index refreshes by recorded_at

    def references_submitted_since(self, since: datetime) -> list[str]:
        return [t.reference for t in self.tips_submitted_since(since)]

    def tips(self, references: list[str]) -> list[RoutedTip]:
        return [self.routed[r] for r in references if r in self.routed]

    def unchecked_references(self, limit: int) -> list[str]:
        pending = sorted((t for t in self.routed.values() if t.duplicates_checked_at is None),
                         key=lambda t: aware_utc(t.recorded_at))
        return [t.reference for t in pending[:limit]]

    # -- decisions -------------------------------------------------------------------------------------------
    def add_decision(self, **fields) -> None:
        if any(d.reference == fields["reference"] and d.hop == fields["hop"] for d in self.decided):
            raise ValueError(f"hop {fields['hop']} of {fields['reference']} is decided already")  # the constraint
        self.decided.append(Decision(**fields))

    def decisions(self, reference: str) -> list[Decision]:
        return sorted((d for d in self.decided if d.reference == reference), key=lambda d: d.hop)

    def stops(self, reference: str) -> list[Stop]:
        return [Stop(hop=d.hop, kind=d.kind, agency=d.agency_code, triage=d.triage)
                for d in self.decisions(reference)]
