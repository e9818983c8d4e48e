"""Coordinates a tipster or a partner sends: where they may be, and how precisely they are kept.

Sodsong cannot turn a point into a subdistrict (no package ships the subdistricts' boundaries or centroids; see
docs/open311.md), so a point is never the place itself: a tip still names a DOPA code, and the point is kept as
part of the tipster's own description of where.

Kept precision: a point can reveal far more than the subdistrict (a house, a shop). Unless the tipster chose to
give the exact point, it is rounded to 0.1 degree, a cell about 11 km across in Thailand, larger than most
subdistricts (7,436 of them share 513,000 km², about 8 km across on average): it says roughly where, never which
house. A point the tipster chose to give exactly is kept to 5 decimals (about 1 m), beyond which a phone's fix
means nothing.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

AREA_DECIMALS = 1
EXACT_DECIMALS = 5
# Thailand's extent with a margin (islands and border areas included)
LAT_RANGE = (Decimal("5.0"), Decimal("21.0"))
LONG_RANGE = (Decimal("97.0"), Decimal("106.0"))


class CoordinateError(ValueError):
    """`field` is "lat" or "long"; `key` an i18n message key."""

    def __init__(self, field: str, key: str):
        super().__init__(key)
        self.field = field
        self.key = key


def _number(raw, field: str) -> Decimal:
    if isinstance(raw, bool):
        raise CoordinateError(field, "field.invalid")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise CoordinateError(field, "field.invalid") from None
    if not value.is_finite():
        raise CoordinateError(field, "field.invalid")
    return value


def kept_point(lat, long, exact: bool = False) -> tuple[str, str]:
    """The point as it is stored: (lat, long) as decimal strings at the precision allowed.

    Raises CoordinateError for a value that is not a number or lies outside Thailand."""
    values = []
    for field, raw, (low, high) in (("lat", lat, LAT_RANGE), ("long", long, LONG_RANGE)):
        value = _number(raw, field)
        if not low <= value <= high:
            raise CoordinateError(field, "geo.outside_thailand")
        values.append(value)
    places = Decimal(1).scaleb(-(EXACT_DECIMALS if exact else AREA_DECIMALS))
    lat_kept, long_kept = (str(v.quantize(places, rounding=ROUND_HALF_EVEN)) for v in values)
    return lat_kept, long_kept
