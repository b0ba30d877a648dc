"""Reading stored rows one page at a time, in a stable order, as JSON-ready values.

The REST API (``GET /v1/tables/{table}/rows``) and the dashboard's data browser
render :class:`TablePage`. Rows are ordered by the table's key, so pages do not
overlap or skip rows while nothing is written. Values are JSON-safe: timestamps
and dates as ISO 8601 text, money (decimals) as numbers, NaN as ``null``.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> from kpgrowth.ingest import ingest_rows
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> _ = ingest_rows(ws, "orders", [
...     {"order_id": f"o{i}", "ts": "2024-03-06 10:00", "product_id": "c1",
...      "amount": "19.90", "status": "paid"} for i in (3, 1, 2)])
>>> page = table_page(ws, "orders", limit=2)
>>> [r["order_id"] for r in page.rows], page.total, page.next_offset
(['o1', 'o2'], 3, 2)
>>> page.rows[0]["amount"], page.rows[0]["ts"]
(19.9, '2024-03-06T02:00:00+00:00')
>>> table_page(ws, "order")
Traceback (most recent call last):
...
kpgrowth.errors.SchemaError: unknown table 'order' (did you mean 'orders'?)
>>> ws.close()
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.errors import InputError, SchemaError
from kpgrowth.result import Result, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

MAX_LIMIT = 1000


@dataclass
class TablePage(Result):
    """One page of a table's rows.

    Attributes
    ----------
    table : str
        Table name.
    columns : list of str
        Column names, in the table's order.
    key : list of str
        Columns the rows are ordered by.
    total : int
        Rows in the whole table.
    limit, offset : int
        The page asked for.
    next_offset : int or None
        Offset of the next page, None on the last page.
    rows : list of dict
        The rows, JSON-ready.
    """

    table: str
    columns: list[str]
    key: list[str]
    total: int
    limit: int
    offset: int
    next_offset: int | None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)


def readable_tables(ws: Workspace) -> list[str]:
    """Tables whose rows may be read: every stored table but internal ones (``_…``)."""
    return [n for n in ws.store.tables() if not n.startswith("_")]


def table_page(ws: Workspace, table: str, *, limit: int = 100, offset: int = 0) -> TablePage:
    """Rows ``offset .. offset+limit`` of ``table`` ordered by its key.

    Raises
    ------
    SchemaError
        ``table`` is not stored; the message suggests the closest name.
    InputError
        ``limit`` is not in 1..1000 or ``offset`` is negative.
    """
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be in 1..{MAX_LIMIT} and offset >= 0, "
                         f"got limit={limit}, offset={offset}")
    names = readable_tables(ws)
    if table not in names:
        close = difflib.get_close_matches(table, names, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"tables are: {', '.join(names)}"
        raise SchemaError(f"unknown table {table!r}", hint=hint)
    from kpgrowth.store import table_def

    t = ws.store.table(table)
    columns = list(t.columns)
    try:
        key = [k for k in table_def(table).key if k in columns] or columns
    except SchemaError:  # a table nobody declared: order by every column
        key = columns
    total = int(t.count().execute())
    data = t.order_by([t[k] for k in key]).limit(limit, offset=offset).to_pyarrow()
    rows = [{k: _safe(v) for k, v in r.items()} for r in data.to_pylist()]
    more = offset + len(rows) < total
    return TablePage(table, columns, key, total, limit, offset,
                     offset + len(rows) if more else None, rows)


def _safe(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
