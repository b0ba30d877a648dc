"""Store backends behind Ibis: DuckDB (default, embedded) and Spark (scale).

Examples
--------
>>> from kpgrowth.store import connect
>>> store = connect("duckdb://:memory:")
>>> "orders" in store.tables()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpgrowth.errors import ConfigError
from kpgrowth.store.base import Batch, Store, conform, register_table, table_def

__all__ = ["Batch", "Store", "conform", "connect", "memory_store", "register_table", "table_def"]


def connect(url: str, root: str | Path = ".", *, memory_limit: str = "",
            migrate: bool = True) -> Store:
    """Open the store at ``url`` and apply pending migrations.

    Parameters
    ----------
    url : str
        ``duckdb://FILE`` (relative to ``root``; ``duckdb://:memory:`` for a
        throw-away store), ``pyspark://MASTER`` (tables under ``root/spark-warehouse``).
    root : path
        The workspace folder that relative paths refer to.
    memory_limit : str
        DuckDB memory limit, e.g. ``"4GB"``.
    migrate : bool
        Apply pending schema migrations.
    """
    scheme, _, rest = url.partition("://")
    if scheme == "duckdb":
        from kpgrowth.store.duckdb import DuckDBStore

        path = rest if rest in (":memory:", "") or Path(rest).is_absolute() else str(Path(root) / rest)
        store: Store = DuckDBStore(path or ":memory:", memory_limit=memory_limit)
    elif scheme == "pyspark":
        from kpgrowth.store.spark import SparkStore

        store = SparkStore(rest or "local[2]", Path(root) / "spark-warehouse")
    else:
        raise ConfigError(f"unsupported backend URL {url!r}",
                          hint="use duckdb://warehouse.duckdb or pyspark://local[2]")
    if migrate:
        store.migrate()
    return store


def memory_store(**tables: Any) -> Store:
    """A throw-away in-memory DuckDB store holding the given rows of canonical tables.

    Each keyword is a table name; each value an Arrow table, a pandas DataFrame or a
    dict of columns, cast to the table's storage types (missing nullable columns are
    null). Handy for exploring an export in a notebook and for short examples.

    Examples
    --------
    >>> store = memory_store(products={"product_id": ["p1"], "kind": ["course"],
    ...                                "title": ["Python 入门"], "price": [99], "currency": ["CNY"]})
    >>> store.count("products"), store.count("orders")
    (1, 0)
    """
    import pyarrow as pa

    store = connect("duckdb://:memory:")
    with store.batch() as b:
        for name, data in tables.items():
            if not isinstance(data, pa.Table):
                data = pa.Table.from_pandas(data, preserve_index=False) \
                    if hasattr(data, "columns") else pa.table(data)
            b.append(name, conform(table_def(name), data))
    return store
