"""The DuckDB file store (the default): one ``warehouse.duckdb`` per workspace.

A batch is one DuckDB transaction, so a process killed mid-batch leaves nothing
of it behind: DuckDB rolls the uncommitted transaction back when the file is
next opened.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

from kpgrowth.errors import StoreError
from kpgrowth.store.base import ArrowData, Batch, Store, conform, storage_schema, table_def

_names = itertools.count()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_arrow_source(name: str, data: ArrowData) -> Any:
    import pyarrow as pa

    table = table_def(name)
    if isinstance(data, pa.RecordBatchReader):
        def conformed() -> Iterator[pa.RecordBatch]:
            for b in data:
                yield from conform(table, pa.Table.from_batches([b])).to_batches()

        return pa.RecordBatchReader.from_batches(storage_schema(table), conformed())
    if not isinstance(data, pa.Table):
        data = pa.table(data)
    return conform(table, data)


def _fast_path(data: ArrowData) -> bool:
    import pyarrow as pa

    return isinstance(data, pa.Table)


class DuckDBBatch(Batch):
    """Appends inside one open DuckDB transaction."""

    def __init__(self, store: DuckDBStore) -> None:
        self.store = store
        self.raw = store.raw

    def _register(self, name: str, data: ArrowData) -> str:
        view = f"_kp_src_{next(_names)}"
        self.raw.register(view, _as_arrow_source(name, data))
        return view

    def append(self, name: str, data: ArrowData) -> int:
        cols = ", ".join(_q(c) for c in table_def(name).names)
        view = self._register(name, data)
        try:
            res = self.raw.execute(f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM {view}")
            return int(res.fetchone()[0])
        finally:
            self.raw.unregister(view)

    def append_parquet(self, name: str, paths: list[str]) -> int:
        if not paths:
            return 0
        cols = ", ".join(_q(c) for c in table_def(name).names)
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        res = self.raw.execute(
            f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM read_parquet([{files}])")
        return int(res.fetchone()[0])

    def append_new(self, name: str, data: ArrowData) -> tuple[int, int]:
        table = table_def(name)
        cols = ", ".join(_q(c) for c in table.names)
        keys = [_q(k) for k in table.key]
        match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM c.{k}" for k in keys)
        view = self._register(name, data)
        try:
            if _fast_path(data):  # an Arrow table without repeated keys: no copy, no window
                total = int(data.num_rows)
                distinct = int(self.raw.execute(
                    f"SELECT count(*) FROM (SELECT DISTINCT {', '.join(keys)} FROM {view})"
                ).fetchone()[0])
                if distinct == total:
                    res = self.raw.execute(
                        f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM {view} c"
                        f" WHERE NOT EXISTS (SELECT 1 FROM {_q(name)} t WHERE {match})")
                    landed = int(res.fetchone()[0])
                    return landed, total - landed
            self.raw.execute(
                f"CREATE OR REPLACE TEMP TABLE _kp_chunk AS "
                f"SELECT *, row_number() OVER () AS _kp_ord FROM {view}")
            total = int(self.raw.execute("SELECT count(*) FROM _kp_chunk").fetchone()[0])
            res = self.raw.execute(
                f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM ("
                f" SELECT *, row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY _kp_ord)"
                f" AS _kp_rn FROM _kp_chunk) c"
                f" WHERE c._kp_rn = 1 AND NOT EXISTS (SELECT 1 FROM {_q(name)} t WHERE {match})")
            landed = int(res.fetchone()[0])
            return landed, total - landed
        finally:
            self.raw.execute("DROP TABLE IF EXISTS _kp_chunk")
            self.raw.unregister(view)


class DuckDBStore(Store):
    """A store in one DuckDB database file (or ``:memory:``).

    Parameters
    ----------
    path : str
        Database file path or ``":memory:"``.
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"``.
    read_only : bool
        Open without write access (several readers may share the file).
    """

    def __init__(self, path: str, *, memory_limit: str = "", read_only: bool = False) -> None:
        import ibis

        self.path = path
        self.url = f"duckdb://{path}"
        try:
            self.con = ibis.duckdb.connect(path, read_only=read_only)
        except Exception as exc:  # duckdb.IOException, lock conflicts…
            raise StoreError(f"cannot open DuckDB store {path}: {exc}",
                             hint="is another kpgrowth process writing to it?") from None
        self.raw = self.con.con
        self._depth = 0
        self.raw.execute("SET enable_progress_bar = false")  # never draw on the caller's terminal
        if memory_limit:
            self.raw.execute(f"SET memory_limit = '{memory_limit}'")

    def _create(self, table: Any, *, overwrite: bool) -> None:
        self.con.create_table(table.name, schema=table.ibis_schema(), overwrite=overwrite)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        if self._depth:  # nested: part of the enclosing transaction
            self._depth += 1
            try:
                yield DuckDBBatch(self)
            finally:
                self._depth -= 1
            return
        self.raw.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield DuckDBBatch(self)
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        else:
            self.raw.execute("COMMIT")
        finally:
            self._depth = 0

    def drop(self, name: str) -> None:
        """Drop table ``name`` if it exists."""
        self.raw.execute(f"DROP TABLE IF EXISTS {_q(name)}")
