"""The inbox's rules, plain Python: which columns it sorts by (a whitelist: the query string never names a
column), which cases it shows by default (the open ones), and the one-line snippet of a description."""
from __future__ import annotations

import re

# sort key -> what it orders by (services/casework/repository.py maps each key to SQL). Sealed text (the
# description, the accused) cannot be sorted by the database, so it is not here.
SORTS = ("reference", "opened", "status", "category", "province", "office", "assignee", "due")
DEFAULT_SORT = "due"
SHOW = ("open", "closed", "all")
DEFAULT_SHOW = "open"
SNIPPET_LENGTH = 90


def parse_sort(value: str | None) -> tuple[str, bool]:
    """A `sort` parameter ("due", "-opened") as (key, descending); anything not whitelisted is the default."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def sort_param(key: str, descending: bool) -> str:
    return f"-{key}" if descending else key


def toggled(current: str | None, key: str) -> str:
    """The `sort` a column heading links to: this column ascending, or descending if it is already ascending."""
    now_key, now_desc = parse_sort(current)
    return sort_param(key, now_key == key and not now_desc)


_SPACE = re.compile(r"\s+")


def snippet(text: str | None, length: int = SNIPPET_LENGTH) -> str:
    """The start of a text on one line: whitespace collapsed, cut at a word boundary where there is one near the
    end, with an ellipsis when cut."""
    flat = _SPACE.sub(" ", text or "").strip()
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    space = cut.rfind(" ")
    if space >= length * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
