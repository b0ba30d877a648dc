"""Every simulated table obeys its declared schema: types, enums, required columns, keys, ranges."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kpgrowth.schema import TABLES
from kpgrowth.simulate.core import CANONICAL
from kpgrowth.simulate.truth import TRUTH_TABLES
from kpgrowth.store.base import storage_schema, table_def

ALL = [*CANONICAL, *TRUTH_TABLES]


def problems(name: str, data: pa.Table) -> list[str]:
    """Everything in ``data`` that breaks the declared table ``name``."""
    table = table_def(name)
    out = []
    want = [(f.name, f.type) for f in storage_schema(table)]
    got = [(f.name, f.type) for f in data.schema]
    if got != want:
        out.append(f"columns/types {got} != {want}")
    for col in table.columns:
        values = data.column(col.name)
        if not col.nullable and values.null_count:
            out.append(f"{col.name}: {values.null_count} nulls in a required column")
        if col.allowed:
            bad = set(pc.unique(values.drop_null()).to_pylist()) - set(col.allowed)
            if bad:
                out.append(f"{col.name}: values {sorted(bad)[:5]} not allowed")
        if col.pattern:
            bad = [v for v in pc.unique(values.drop_null()).to_pylist() if not re.fullmatch(col.pattern, v)]
            if bad:
                out.append(f"{col.name}: {bad[:3]} do not match {col.pattern}")
        if col.min is not None and len(values.drop_null()):
            if name == "orders" and col.name == "amount":
                continue
            if pc.min(values).as_py() < col.min:
                out.append(f"{col.name}: below {col.min}")
        if col.max is not None and len(values.drop_null()) and pc.max(values).as_py() > col.max:
            out.append(f"{col.name}: above {col.max}")
    keys = data.select(list(table.key)).to_pandas()
    dups = int(keys.duplicated().sum())
    if dups:
        out.append(f"{dups} duplicate keys {table.key}")
    return out


@pytest.mark.parametrize("name", ALL)
def test_table_is_valid_and_not_empty(sim, name):
    ws, res = sim
    data = ws.store.to_pyarrow(name)
    assert data.num_rows > 0, f"{name} is empty"
    assert data.num_rows == res.counts[name]
    assert problems(name, data) == []


def test_every_canonical_table_but_quarantine_is_filled(sim):
    _, res = sim
    assert set(CANONICAL) == set(TABLES) - {"quarantine"}
    assert all(res.counts[n] > 0 for n in CANONICAL)


def test_money_and_order_rules(frames):
    orders = frames["orders"]
    paid = orders[orders.status == "paid"]
    refunded = orders[orders.status == "refunded"]
    assert (paid.amount >= 0).all()
    assert len(refunded) > 0 and (refunded.amount < 0).all()
    assert set(orders.currency) == {"CNY"}
    # purchases in events match paid orders one to one
    ev = frames["events"]
    assert (ev.type == "purchase").sum() == len(paid)
    assert (ev.type == "refund").sum() == len(refunded)


def test_references_resolve(frames):
    users = set(frames["users"].user_key)
    for name, col in (("events", "user_key"), ("orders", "user_key"), ("comments", "user_key"),
                      ("edges", "src"), ("edges", "dst"), ("memberships", "user_key")):
        assert set(frames[name][col].dropna()) <= users, (name, col)
    products = set(frames["products"].product_id)
    assert set(frames["orders"].product_id) <= products
    assert set(frames["posts"].product_id.dropna()) <= products
    posts = set(frames["posts"].post_id)
    assert set(frames["events"].post_id.dropna()) <= posts
    assert set(frames["post_metrics"].post_id) <= posts
    assert set(frames["events"].campaign_id.dropna()) <= set(frames["campaigns"].campaign_id)
    assert set(frames["events"].community_id.dropna()) <= set(frames["communities"].community_id)


def test_times_inside_the_period(sim, frames):
    _ws, res = sim
    ev = frames["events"]
    lo = ev.ts.min().tz_convert("Asia/Shanghai").date().isoformat()
    assert lo >= res.params["start"]
    days = (ev.ts.max() - ev.ts.min()).days
    assert days <= res.params["days"]


def test_identities_derive_user_keys(frames):
    from conftest import KEY  # type: ignore[import-not-found]

    from kpgrowth.identity import user_key

    key = bytes.fromhex(KEY)
    ids = frames["identities"]
    single = ids[ids.link_kind.isna()].head(50)
    assert len(single) > 0
    for row in single.itertuples():
        assert row.user_key == user_key(key, row.platform, row.external_id)
    linked = ids[ids.link_kind.notna()]
    assert set(linked.link_kind) <= {"wechat_unionid", "phone_hash"}
    per_user = linked.groupby("user_key").platform.nunique()
    assert (per_user > 1).mean() > 0.5, "linked people should span several platforms"
    assert ids.external_id.is_unique or not ids.duplicated(["platform", "external_id"]).any()


def test_comment_events_match_comments(frames):
    assert (frames["events"].type == "comment").sum() == len(frames["comments"])
