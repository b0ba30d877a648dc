"""Recorded schema migrations, applied in order inside one transaction.

Each migration has a version, a name and a function of the store. Applied
versions are recorded in ``_migrations``; :func:`apply` runs the rest. On
DuckDB the whole set runs in one transaction, so a failure leaves the store as
it was. To change the schema, append a migration — never edit an applied one.

Examples
--------
>>> from kpgrowth.store import connect
>>> store = connect("duckdb://:memory:")
>>> [name for name in store.migrate()]  # connect() already applied them
[]
>>> store.count("_migrations") == len(MIGRATIONS)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kpgrowth.schema import INTERNAL, TABLES

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.store.base import Batch, Store


def _create_all(batch: Batch) -> None:
    for table in [*TABLES.values(), INTERNAL["_batches"]]:
        batch.create(table)


MIGRATIONS: list[tuple[int, str, Callable[[Batch], None]]] = [
    (1, "create canonical tables", _create_all),
]


def applied(store: Store) -> set[int]:
    """Versions already applied to ``store``."""
    if not store.has_table("_migrations"):
        return set()
    return set(store.table("_migrations").version.to_pyarrow().to_pylist())


def apply(store: Store) -> list[str]:
    """Apply pending migrations to ``store``; return their names."""
    import pyarrow as pa

    from kpgrowth.store.base import utcnow

    store.create(INTERNAL["_migrations"])
    done = applied(store)
    pending = [m for m in MIGRATIONS if m[0] not in done]
    if not pending:
        return []
    with store.batch() as batch:
        for version, name, fn in pending:
            fn(batch)
            batch.append("_migrations", pa.table(
                {"version": [version], "name": [name], "applied_at": [utcnow()]}))
    return [name for _, name, _ in pending]
