"""Small-count suppression (shared/small_counts.py): no count below k is ever shown, and no shown total lets a
reader work one out. The reader here is exhaustive: it tries every value each hidden cell could have (0..k-1),
keeps the assignments that agree with everything shown (exact totals, "<k", "≥M"), and must be left with at
least two values for every hidden cell and for every row total shown as "<k"."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.small_counts import K, Table, cell, line, line_values, median_shown, protect

SMALL = f"<{K}"


def _check(shown_value, total):
    """Does `total` agree with what is shown (an int, "<k", "≥M", "—")?"""
    if isinstance(shown_value, int):
        return total == shown_value
    if shown_value == SMALL:
        return total < K
    if shown_value.startswith("≥"):
        return total >= int(shown_value[1:])
    return True  # "—": says nothing


def _table_assignments(t: Table, s: dict, grand: int):
    """Every assignment of table `t`'s hidden cells ("<k": 0..k-1; "≥k": k..grand) that agrees with what `s`
    shows and adds up to `grand`."""
    cells = [(r, c) for r in t.rows for c in t.columns]
    ranges = []
    for r, c in cells:
        x = s["rows"][r]["cells"][c]
        ranges.append([x] if isinstance(x, int) else (range(K) if x == SMALL else range(K, max(K, grand) + 1)))
    for values in itertools.product(*ranges):
        v = dict(zip(cells, values, strict=True))
        if sum(values) != grand or not _check(s["total"], grand):
            continue
        if not all(_check(s["rows"][r]["total"], sum(v[(r, c)] for c in t.columns)) for r in t.rows):
            continue
        if t.column_totals and not all(_check(s["column_totals"][c], sum(v[(r, c)] for r in t.rows))
                                       for c in t.columns):
            continue
        yield v


def _reader(tables: list[Table], shown: list[dict]):
    """Per hidden cell and per row total shown as "<k": every value still possible. Given the grand total the
    tables are independent, so the reader tries each grand total in turn (up to well past the truth)."""
    possible_cells: dict = {}
    possible_rows: dict = {}
    for grand in range(tables[0].total() + 2 * K + 1):
        found = [list(_table_assignments(t, shown[i], grand)) for i, t in enumerate(tables)]
        if not all(found):
            continue
        for i, (t, assignments) in enumerate(zip(tables, found, strict=True)):
            for v in assignments:
                for (r, c), value in v.items():
                    if shown[i]["rows"][r]["cells"][c] == SMALL:
                        possible_cells.setdefault((i, r, c), set()).add(value)
                for r in t.rows:
                    if shown[i]["rows"][r]["total"] == SMALL:
                        possible_rows.setdefault((i, r), set()).add(sum(v[(r, c)] for c in t.columns))
    return possible_cells, possible_rows


def _assert_protected(tables: list[Table]):
    shown = protect(tables)
    for i, t in enumerate(tables):
        s = shown[i]
        numbers = [s["total"]] + [row["total"] for row in s["rows"].values()]
        numbers += [x for row in s["rows"].values() for x in row["cells"].values()]
        numbers += list(s.get("column_totals", {}).values())
        for x in numbers:  # never a number below k, shown as it is
            assert not (isinstance(x, int) and x < K), (x, s)
        for r in t.rows:
            for c in t.columns:
                value, as_shown = t.value(r, c), s["rows"][r]["cells"][c]
                assert as_shown == (value if value >= K else SMALL) or (value >= K and as_shown == f"≥{K}")
    cells, rows = _reader(tables, shown)
    for u, values in cells.items():
        i, r, c = u
        assert tables[i].value(r, c) in values  # the truth is among them (the reader is sound)
        assert len(values) >= 2, (u, values, shown)
    for key, values in rows.items():
        assert len(values) >= 2, (key, values, shown)
    return shown


counts = st.integers(0, 9) | st.integers(0, 4)



@st.composite
def grid(draw, max_cells=6):
    n_rows = draw(st.integers(1, 3))
    n_cols = draw(st.integers(1, max(1, max_cells // n_rows)))
    rows, cols = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    values = {(r, c): draw(counts) for r in rows for c in cols}
    return Table("place", rows, cols, values)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid(max_cells=5))
def test_a_table_never_reveals_a_small_count(table):
    _assert_protected([table])


@st.composite
def lines(draw):
    """The same things counted three ways (as on the public page): the splits differ, the grand total is one."""
    total = draw(st.integers(0, 16))

    def split(n):
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
        bounds = [0, *cuts, total]
        return {f"k{j}": bounds[j + 1] - bounds[j] for j in range(n)}
    out = []
    for name in ("province", "category", "month"):
        values = split(draw(st.integers(1, 3)))
        out.append(line(name, values, list(values)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_lists_sharing_one_total_never_reveal_a_small_count(tables):
    _assert_protected(tables)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid(max_cells=4), st.integers(1, 2))
def test_a_table_and_a_list_of_the_same_tips(table, n):
    """A network's tips by place and month, and the same tips by state: only the grand total links them."""
    total = table.total()
    first = min(total, 5)
    values = {"s0": first, "s1": total - first} if n == 2 else {"s0": total}
    _assert_protected([table, line("state", values, list(values))])


def test_examples_a_reader_can_check_by_hand():
    # one hidden cell in a row: the row total would give it away
    t = Table("place", ["a"], ["m1", "m2"], {("a", "m1"): 10, ("a", "m2"): 2})
    s = protect([t])[0]
    assert s["rows"]["a"]["cells"] == {"m1": 10, "m2": "<5"}
    assert s["rows"]["a"]["total"] == "≥10" and s["total"] == "≥10"
    # two hidden cells, 4 and 4: the sum 8 would say both are 4
    t = Table("place", ["a"], ["m1", "m2", "m3"], {("a", "m1"): 10, ("a", "m2"): 4, ("a", "m3"): 4})
    assert protect([t])[0]["rows"]["a"]["total"] == "≥10"
    # two hidden cells, 0 and 0: the sum 0 would say both are 0
    t = Table("place", ["a"], ["m1", "m2", "m3"], {("a", "m1"): 10})
    assert protect([t])[0]["rows"]["a"]["total"] == "≥10"
    # two hidden cells, 2 and 1: the sum 3 leaves 0..3 / 3..0 possible
    t = Table("place", ["a"], ["m1", "m2", "m3"], {("a", "m1"): 10, ("a", "m2"): 2, ("a", "m3"): 1})
    assert protect([t])[0]["rows"]["a"]["total"] == 13
    # zero is a small count too
    assert cell(0) == SMALL and cell(4) == SMALL and cell(5) == 5
    # a column with anything hidden says no more than its shown cells
    t = Table("place", ["a", "b"], ["m1"], {("a", "m1"): 7, ("b", "m1"): 3})
    assert protect([t])[0]["column_totals"] == {"m1": "≥7"}
    shown = protect([line("category", {"x": 3, "y": 9}, ["x", "y"])])[0]
    assert line_values(shown) == {"x": SMALL, "y": 9} and shown["total"] == "≥9"


def test_medians_need_k_values():
    assert median_shown([1, 2, 3, 4]) is None
    assert median_shown([1, 2, 3, 4, 50]) == 3.0


def test_two_withheld_list_cells_and_an_exact_row_total_do_not_pin_a_small_row():
    """Found by the property above: a list of two states (5 and 5, both withheld as "≥5") says the grand total is
    at least 10; a table whose other row showed its exact total 6 then left the small row exactly 4."""
    table = Table("place", ["r0", "r1"], ["c0", "c1"],
                  {("r0", "c0"): 0, ("r0", "c1"): 4, ("r1", "c0"): 3, ("r1", "c1"): 3})
    shown = _assert_protected([table, line("state", {"s0": 5, "s1": 5}, ["s0", "s1"])])
    assert shown[0]["rows"]["r1"]["total"] != 6
