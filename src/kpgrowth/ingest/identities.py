"""Keep one ``user_key`` per person across batches.

A mapping derives ``user_key`` from a row's link value (e.g. a WeChat unionid)
when it has one, else from the platform id. A person first seen with a unionid
and later in an export without it would get two keys; so before a chunk lands,
every (platform, external_id) already in ``identities`` takes its stored
``user_key``, in the chunk's identity rows and in the table's user-key columns.

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.store import connect
>>> store = connect("duckdb://:memory:")
>>> store.append("identities", pa.table({"user_key": ["u_old"], "platform": ["xiaoe"],
...                                      "external_id": ["42"]}))
1
>>> data = pa.table({"order_id": ["o1"], "user_key": ["u_new"]})
>>> ids = pa.table({"user_key": ["u_new"], "platform": ["xiaoe"], "external_id": ["42"]})
>>> data, ids = resolve_known(store, data, ids, ["user_key"])
>>> data.column("user_key").to_pylist(), ids.column("user_key").to_pylist()
(['u_old'], ['u_old'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.store.base import Store


def resolve_known(store: Store, data: pa.Table, ids: pa.Table,
                  columns: Sequence[str]) -> tuple[pa.Table, pa.Table]:
    """Replace chunk user keys of already-known (platform, external_id) pairs by the stored ones.

    Parameters
    ----------
    store : Store
        Where ``identities`` lives (inside the open batch, so earlier chunks count).
    data : pyarrow.Table
        The mapped chunk.
    ids : pyarrow.Table
        Its identity rows (``user_key, platform, external_id, …``).
    columns : sequence of str
        The user-key columns of ``data`` that the identities feed.
    """
    if ids.num_rows == 0:
        return data, ids
    known = store.table("identities")
    platforms = pc.unique(ids.column("platform")).to_pylist()
    externals = pc.unique(ids.column("external_id")).to_pylist()
    stored = (known.filter(known.platform.isin(platforms) & known.external_id.isin(externals))
              .select("platform", "external_id", stored_key="user_key").to_pyarrow())
    if stored.num_rows == 0:
        return data, ids
    joined = ids.select(["user_key", "platform", "external_id"]).join(
        stored, ["platform", "external_id"], join_type="inner")
    changed = joined.filter(pc.not_equal(joined.column("user_key"), joined.column("stored_key")))
    if changed.num_rows == 0:
        return data, ids
    old = changed.column("user_key").combine_chunks()
    new = changed.column("stored_key").combine_chunks()

    def remap(col: pa.ChunkedArray) -> pa.Array:
        pos = pc.index_in(col, value_set=old)
        return pc.if_else(pc.is_valid(pos), pc.take(new, pos), col)

    for name in columns:
        if name in data.column_names:
            data = data.set_column(data.schema.get_field_index(name), name, remap(data.column(name)))
    ids = ids.set_column(ids.schema.get_field_index("user_key"), "user_key",
                         remap(ids.column("user_key")))
    return data, ids
