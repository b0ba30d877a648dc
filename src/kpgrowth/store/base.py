"""The store contract: tables behind Ibis, atomic batches, idempotent appends.

A :class:`Store` wraps one Ibis backend. Reads go through :meth:`Store.table`
(an Ibis expression, the same on every engine). Writes go through
:meth:`Store.batch`, a context manager whose appends all land or none do.

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.store import connect
>>> from kpgrowth.schema import TABLES
>>> store = connect("duckdb://:memory:")
>>> rows = pa.table({"product_id": ["p1", "p1"], "kind": ["course", "course"],
...                  "title": ["Python 入门", "Python 入门"], "price": [99, 99],
...                  "currency": ["CNY", "CNY"]})
>>> with store.batch() as b:
...     b.append_new("products", rows)
(1, 1)
>>> store.count("products")
1
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kpgrowth.errors import SchemaError, StoreError
from kpgrowth.schema import INTERNAL, TABLES, Table

if TYPE_CHECKING:  # pragma: no cover
    import ibis
    import pyarrow as pa

ArrowData = Any  # pyarrow.Table or pyarrow.RecordBatchReader


def conform(table: Table, data: pa.Table) -> pa.Table:
    """Return ``data`` with exactly ``table``'s columns, in order, cast to its Arrow types.

    Missing nullable columns are filled with nulls; extra columns are dropped.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from kpgrowth.schema import TABLES
    >>> t = conform(TABLES["edges"], pa.table({"src": ["a"], "dst": ["b"], "kind": ["follow"]}))
    >>> t.column_names[:4], t.num_rows
    (['src', 'dst', 'kind', 'platform'], 1)
    """
    import pyarrow as pa

    schema = storage_schema(table)
    cols = []
    for f in schema:
        if f.name in data.column_names:
            cols.append(_cast(data.column(f.name), f.type))
        else:
            cols.append(pa.nulls(data.num_rows, f.type))
    return pa.table(cols, schema=schema)


def _cast(col: Any, target: Any) -> Any:
    import pyarrow as pa

    if col.type == target:
        return col
    if pa.types.is_decimal(target) and pa.types.is_integer(col.type):
        col = col.cast(pa.decimal128(38, target.scale))  # int64 needs 19+scale digits
    return col.cast(target)


def storage_schema(table: Table) -> pa.Schema:
    """``table``'s Arrow schema with every field nullable (validation enforces nulls)."""
    import pyarrow as pa

    return pa.schema([f.with_nullable(True) for f in table.arrow_schema()])


def table_def(name: str) -> Table:
    """The declared :class:`Table` for a canonical, internal or registered table."""
    if name in TABLES:
        return TABLES[name]
    if name in INTERNAL:
        return INTERNAL[name]
    if name in EXTRA_TABLES:
        return EXTRA_TABLES[name]
    from kpgrowth.schema import get_table

    return get_table(name)  # raises SchemaError with a suggestion


EXTRA_TABLES: dict[str, Table] = {}
"""Tables declared outside :mod:`kpgrowth.schema` (e.g. the simulator's ``truth_*``)."""


def register_table(table: Table) -> Table:
    """Declare an extra table (e.g. a ``truth_*`` table) so stores can create and append it."""
    if table.name in TABLES or table.name in INTERNAL:
        raise SchemaError(f"table {table.name!r} is already a canonical table")
    EXTRA_TABLES[table.name] = table
    return table


class Batch:
    """An open atomic batch on a store: appends made here land together or not at all."""

    store: Store

    def create(self, table: Table, *, overwrite: bool = False) -> None:
        """Create ``table`` as part of the batch (no-op if it exists and not ``overwrite``)."""
        self.store.create(table, overwrite=overwrite)

    def append(self, name: str, data: ArrowData) -> int:
        """Append every row of ``data`` to table ``name``; return the number of rows."""
        raise NotImplementedError

    def append_parquet(self, name: str, paths: list[str]) -> int:
        """Append every row of the Parquet files ``paths`` (in order) to table ``name``.

        The files must hold ``name``'s columns (e.g. written from :func:`conform`
        output). The default streams them through :meth:`append`; DuckDB scans the
        files itself, which keeps a very large batch within its memory limit.
        """
        if not paths:
            return 0
        import pyarrow as pa
        import pyarrow.parquet as pq

        def batches() -> Iterator[pa.RecordBatch]:
            for path in paths:  # file by file, so row order is the order of ``paths``
                yield from pq.ParquetFile(path).iter_batches()

        schema = pq.read_schema(paths[0])
        return self.append(name, pa.RecordBatchReader.from_batches(schema, batches()))

    def append_new(self, name: str, data: ArrowData) -> tuple[int, int]:
        """Append rows whose key is not in the table yet (nor earlier in ``data``).

        Returns
        -------
        (landed, duplicates) : tuple of int
        """
        raise NotImplementedError


class Store:
    """A workspace store over one Ibis backend.

    Subclasses implement the engine-specific parts: :meth:`_create`,
    :meth:`batch` and :meth:`_drop`.
    """

    url: str
    con: ibis.BaseBackend

    # -- reading -----------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        """The Ibis expression for table ``name``."""
        if not self.has_table(name):
            table_def(name)  # unknown name -> SchemaError with suggestion
            raise StoreError(f"table {name!r} does not exist in {self.url}",
                             hint="run `kpgrowth init` or ingest data into it first")
        return self.con.table(name)

    def tables(self) -> list[str]:
        """Names of the tables present in the store (internal ones start with ``_``)."""
        return sorted(self.con.list_tables())

    def has_table(self, name: str) -> bool:
        """Whether table ``name`` exists."""
        return name in self.con.list_tables()

    def count(self, name: str) -> int:
        """Number of rows in table ``name``."""
        return int(self.table(name).count().execute())

    def to_pyarrow(self, name: str) -> pa.Table:
        """The whole table as Arrow (for small tables and tests)."""
        return self.table(name).to_pyarrow()

    # -- writing -----------------------------------------------------------
    def create(self, table: Table, *, overwrite: bool = False) -> None:
        """Create ``table`` (no-op if it exists and ``overwrite`` is false)."""
        if self.has_table(table.name) and not overwrite:
            return
        self._create(table, overwrite=overwrite)

    def _create(self, table: Table, *, overwrite: bool) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        """Open an atomic batch (a context manager yielding a :class:`Batch`)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def append(self, name: str, data: ArrowData) -> int:
        """Append ``data`` to ``name`` in its own atomic batch."""
        with self.batch() as b:
            return b.append(name, data)

    def replace(self, table: Table, data: ArrowData) -> int:
        """Create or overwrite ``table`` with ``data`` (used for derived and truth tables)."""
        self.create(table, overwrite=True)
        return self.append(table.name, data)

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names of those applied."""
        from kpgrowth.store.migrations import apply

        return apply(self)

    def close(self) -> None:
        """Release the backend's resources."""
        with contextlib.suppress(Exception):
            self.con.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def utcnow() -> datetime:
    """The current time in UTC (one place, so tests can rely on it)."""
    return datetime.now(UTC)
