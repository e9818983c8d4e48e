"""Small-count suppression for published counts (k-anonymity, k ≥ 5): the one rule every statistics view uses
(the public statistics page, the network coordinators' view).

What a reader sees of a count:

- a cell (how many tips in one place and month, one category, one state …) is shown exactly when it is at least
  k, otherwise as "<k" — including 0, so a reader never learns that a cell is exactly 0 either;
- a total is shown exactly only when it is at least k *and* nothing shown next to it lets one subtract a hidden
  cell back out. Otherwise it is shown as "<k" (a row total below k) or as "≥M", where M is no more than what
  the shown cells already add up to (or k), so it tells nothing new.

The check is exact for the shapes published here (rows with their totals and one grand total; column totals
are shown exactly only over columns with nothing hidden): a hidden cell lies in 0..k−1, a row's exact total
fixes the sum of its hidden cells, and the grand total fixes the sum of the hidden cells of the rows whose
totals are not shown. A total is shown exactly only if every hidden cell it constrains (and every row total
below k) could still take at least two values. Tables published together count the same things split different
ways (by place, by month, by state …): they share only the grand total, which is exact only if it is safe in
every one of them, since a reader can carry it from one table to the next. (Two tables that shared row totals
would let one subtract across them; publish such a split as one table.) Medians are shown only over at least k
values.

Values are plain ints and strings ("<5", "≥12"); the pages, CSV and JSON show them as they are.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median as _median

from shared.clock import local

K = 5


def small(k: int = K) -> str:
    return f"<{k}"


def at_least(m: int) -> str:
    return f"≥{m}"


def cell(value: int, k: int = K) -> int | str:
    """One count as shown: exact at k or more, else "<k"."""
    if k < 2:
        raise ValueError("k must be at least 2")
    return int(value) if value >= k else small(k)


def median_shown(values: Sequence[float], k: int = K, digits: int = 1) -> float | None:
    """The median of at least k values (rounded), else None (not shown)."""
    if len(values) < k:
        return None
    return round(float(_median(values)), digits)


@dataclass(frozen=True)
class Part:
    """Hidden cells of one row inside one equation: how many, and the bounds a reader knows on their sum."""
    n: int
    lo: int
    hi: int


@dataclass
class Table:
    """Counts by row and column (`dimension` names what the rows are). Every table given to `protect` at once
    shares the grand total. `column_totals` False for a single list (one column)."""
    dimension: str
    rows: Sequence[Hashable]
    columns: Sequence[Hashable]
    counts: Mapping[tuple[Hashable, Hashable], int]
    column_totals: bool = True

    def value(self, row, column) -> int:
        return int(self.counts.get((row, column), 0))

    def row_total(self, row) -> int:
        return sum(self.value(row, c) for c in self.columns)

    def total(self) -> int:
        return sum(self.row_total(r) for r in self.rows)


INF = 10 ** 9  # no upper bound (a cell withheld as "≥k")


def protect(tables: Sequence[Table], k: int = K) -> list[dict]:
    """Each table as shown: {"rows": {row: {"cells": {column: shown}, "total": shown}}, "column_totals":
    {column: shown} (when asked for), "total": shown}. See the module's docstring for the rule."""
    if not tables:
        return []
    grand = tables[0].total()
    if any(t.total() != grand for t in tables):
        raise ValueError("tables given together must count the same things (one grand total)")
    state = _State(list(tables), k)
    # row totals: exact only if at least k and the row's hidden cells stay ambiguous
    for i, t in enumerate(tables):
        for r in t.rows:
            h = state.hidden(i, r)
            state.row_exact[(i, r)] = t.row_total(r) >= k and (
                not h or _ambiguous([Part(len(h), 0, (k - 1) * len(h))], sum(h), sum(h), k, [False]))
    # the grand total: exact if that keeps every table safe; otherwise withheld, and while what the tables
    # still tell together pins a hidden cell down, the largest shown cell is withheld as "≥k"
    state.grand_exact = grand >= k
    if not state.safe():
        state.grand_exact = False
        while not state.safe():
            if not state.withhold_one():
                break  # nothing left to withhold: no cell at least k shown and no row total exact
    return [state.shown(i) for i in range(len(tables))]


class _State:
    def __init__(self, tables: list[Table], k: int):
        self.tables, self.k = tables, k
        self.row_exact: dict[tuple[int, Hashable], bool] = {}
        self.withheld: set[tuple[int, Hashable, Hashable]] = set()  # cells at least k, shown as "≥k"
        self.grand_exact = False
        self.grand = tables[0].total()

    def hidden(self, i, r) -> list[int]:
        t = self.tables[i]
        return [t.value(r, c) for c in t.columns if t.value(r, c) < self.k]

    def _shown_sum(self, i, r) -> int:
        t = self.tables[i]
        return sum(t.value(r, c) for c in t.columns if t.value(r, c) >= self.k and (i, r, c) not in self.withheld)

    def _parts(self, i):
        """What table i tells of the grand total: the exactly known part, and per withheld row its hidden cells
        (and its "≥k" cells, as one part without an upper bound), with the bounds a reader knows."""
        t, k = self.tables[i], self.k
        known, parts, smalls = 0, [], []
        for r in t.rows:
            total = t.row_total(r)
            if self.row_exact[(i, r)]:
                known += total
                continue
            shown_sum, h = self._shown_sum(i, r), self.hidden(i, r)
            big = sum(1 for c in t.columns if (i, r, c) in self.withheld)
            known += shown_sum
            if total < k:
                parts.append(Part(len(h), 0, min(k - 1, (k - 1) * len(h))))
                smalls.append(True)
                continue
            lo = max(0, k - shown_sum) if not big else 0
            parts.append(Part(len(h), lo, (k - 1) * len(h)))
            smalls.append(False)
            if big:
                parts.append(Part(0, k * big, INF))
                smalls.append(False)
        return known, parts, smalls

    def _interval(self) -> tuple[int, int]:
        if self.grand_exact:
            return self.grand, self.grand
        lo, hi = (0, self.k - 1) if self.grand < self.k else (self.k, INF)
        for i in range(len(self.tables)):
            known, parts, _ = self._parts(i)
            lo = max(lo, known + sum(p.lo for p in parts))
            hi = min(hi, known + sum(p.hi for p in parts))
        return lo, hi

    def safe(self) -> bool:
        g_lo, g_hi = self._interval()
        for i in range(len(self.tables)):
            known, parts, smalls = self._parts(i)
            if parts and not _ambiguous(parts, g_lo - known, g_hi - known, self.k, smalls):
                return False
        return True

    def withhold_one(self) -> bool:
        """One more thing withheld. A table whose row totals are all exact adds up to the grand total: first its
        smallest row total is withheld (with its smallest cell, as "≥k", if nothing in that row is hidden). Else
        the largest cell still shown (its row and column totals follow)."""
        for i, t in enumerate(self.tables):
            if t.rows and all(self.row_exact[(i, r)] for r in t.rows):
                r = min(t.rows, key=t.row_total)
                self.row_exact[(i, r)] = False
                if not self.hidden(i, r):
                    self.withheld.add((i, r, min(t.columns, key=lambda c, r=r, t=t: t.value(r, c))))
                return True
        candidates = [(t.value(r, c), i, r, c) for i, t in enumerate(self.tables) for r in t.rows for c in t.columns
                      if t.value(r, c) >= self.k and (i, r, c) not in self.withheld]
        if not candidates:
            # every cell at least k is already withheld, yet the bounds still pin something down (two "≥k" of a
            # list add up to a floor that an exact row total elsewhere turns into an exact sum): withhold the
            # largest row total still shown exactly
            exact = [(t.row_total(r), i, r) for i, t in enumerate(self.tables) for r in t.rows
                     if self.row_exact[(i, r)]]
            if not exact:
                return False
            _, i, r = max(exact, key=lambda x: x[0])
            self.row_exact[(i, r)] = False
            return True
        _, i, r, c = max(candidates, key=lambda x: x[0])
        self.withheld.add((i, r, c))
        self.row_exact[(i, r)] = False
        return True

    def shown(self, i: int) -> dict:
        t, k = self.tables[i], self.k

        def shown_cell(r, c):
            return at_least(k) if (i, r, c) in self.withheld else cell(t.value(r, c), k)
        rows = {}
        for r in t.rows:
            total = t.row_total(r)
            if self.row_exact[(i, r)]:
                shown_total: int | str = total
            elif total < k:
                shown_total = small(k)
            else:
                shown_total = at_least(max(k, self._shown_sum(i, r)))
            rows[r] = {"cells": {c: shown_cell(r, c) for c in t.columns}, "total": shown_total}
        table: dict = {"rows": rows}
        if t.column_totals:
            table["column_totals"] = {}
            for c in t.columns:
                # a column total is exact only when nothing in the column is hidden; otherwise it says no more
                # than the shown cells do (a bound on hidden cells across rows could pin one down)
                values = [rows[r]["cells"][c] for r in t.rows]
                exact = sum(v for v in values if isinstance(v, int))
                complete = all(isinstance(v, int) for v in values)
                table["column_totals"][c] = exact if complete else (at_least(exact) if exact else "—")
        if self.grand_exact:
            table["total"] = self.grand
        elif self.grand < k:
            table["total"] = small(k)
        else:
            table["total"] = at_least(self.grand_floor())
        return table

    def grand_floor(self) -> int:
        """The most the tables together show the grand total is at least (what each one's shown cells add up to,
        a "≥k" cell counted as k): one bound for all of them."""
        floors = [self.k]
        for i, t in enumerate(self.tables):
            floors.append(sum(self.k if (i, r, c) in self.withheld else t.value(r, c)
                              for r in t.rows for c in t.columns if t.value(r, c) >= self.k))
        return max(floors)


def _ambiguous(parts: Sequence[Part], lo: int, hi: int, k: int, small_sums: Sequence[bool]) -> bool:
    """Hidden cells in parts whose sums a reader knows to lie in p.lo..p.hi, all parts adding up to something in
    lo..hi: can every hidden cell (and every part whose sum is itself a count below k) still take two values?"""
    top = k - 1
    his = sum(p.hi for p in parts)
    los = sum(p.lo for p in parts)
    for p, small_sum in zip(parts, small_sums, strict=True):
        s_lo = max(p.lo, lo - (his - p.hi))
        s_hi = min(p.hi, hi - (los - p.lo))
        if p.n and min(top, s_hi) - max(0, s_lo - top * (p.n - 1)) < 1:
            return False
        if small_sum and s_hi - s_lo < 1:
            return False
    return True


def month_window(now: datetime, n: int) -> list[str]:
    """The last `n` Bangkok months up to `now`'s, oldest first ("YYYY-MM"). Counts by month use a fixed window:
    a list of months that began with the first tip would say that month had one."""
    here = local(now)
    y, m = here.year, here.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def line(dimension: str, values: Mapping[Hashable, int], order: Sequence[Hashable]) -> Table:
    """A single list (counts by one thing) as a one-column table: its rows are the things counted."""
    return Table(dimension, list(order), ["count"], {(key, "count"): int(values.get(key, 0)) for key in order},
                 column_totals=False)


def line_values(shown: dict) -> dict:
    """The shown values of a `line` table: {key: shown}."""
    return {key: row["cells"]["count"] for key, row in shown["rows"].items()}
