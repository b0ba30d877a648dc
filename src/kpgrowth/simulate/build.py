"""The simulation run: build the world, step through the days, write every table in one batch.

Examples
--------
>>> [name for name in WRITE_ORDER][:3]
['users', 'identities', 'products']
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kpgrowth.schema import TABLES
from kpgrowth.simulate import ads, comments, communities, content, funnel
from kpgrowth.simulate import params as P
from kpgrowth.simulate.catalog import make_catalog, products_table, truth_products_table
from kpgrowth.simulate.population import make_population, truth_users_table, users_table
from kpgrowth.simulate.sink import Clock, EventSink
from kpgrowth.simulate.social import follow_edges_table, kol_tables, make_graph
from kpgrowth.simulate.timing import curve_table
from kpgrowth.simulate.truth import TRUTH_TABLES
from kpgrowth.simulate.world import NEVER, World
from kpgrowth.store import conform

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.store.base import Batch
    from kpgrowth.workspace import Workspace

EVENT_CHUNK = 1_000_000
"""Events are staged in Parquet files of about this many rows (bounded memory)."""

WRITE_ORDER = ("users", "identities", "products", "posts", "post_metrics", "events", "orders",
               "comments", "edges", "communities", "memberships", "campaigns", "spend")


def make_world(ws_key: bytes, tz: str, *, users: int, days: int, seed: int, start: str) -> World:
    """Draw people, catalog, graph, promoters, campaigns, communities and posts."""
    clock = Clock(start, days, tz)
    rng = lambda k: np.random.default_rng([seed, k, 0])
    pop = make_population(rng(1), users, clock, ws_key)
    cat = make_catalog(rng(2), clock)
    graph = make_graph(rng(3), pop, clock)
    sink = EventSink(pop.keys_arr, {}, clock)
    w = World(seed, clock, pop, cat, graph, sink, np.full(users, NEVER, dtype=np.int64),
              np.ones(users), np.zeros(users, bool))
    w.acc["_promoters"] = [funnel.make_promoters(rng(4), w)]
    ad = ads.make_ads(rng(5), w)
    w.acc["_ads"] = [ad]
    w.acc["_campaign_ids"] = [pa.array(ad["ids"])]
    w.acc["_comm"] = [communities.make_communities(rng(6), w)]
    posts = content.make_posts(rng(7), w)
    w.acc["_posts"] = [posts]
    sink.lookups.update(post=posts.ids, product=cat.ids_arr, community=w.acc["_comm"][0]["ids"],
                        campaign=w.acc["_campaign_ids"][0])
    return w


def step_day(w: World, day: int, coupon_day: int) -> None:
    """Everything that happens on local ``day``."""
    posts = w.acc["_posts"][0]
    content.engage_day(w, posts, day)
    content.zombie_day(w, day)
    funnel.organic_sessions_day(w, day)
    funnel.referral_day(w, day)
    ads.ads_day(w, day)
    communities.community_day(w, day)
    funnel.run_sessions(w, day, w.sessions.concat())
    if day == coupon_day:
        ads.coupon_day(w, day)
    communities.churn_day(w, day)


def run(batch: Batch, ws: Workspace, *, users: int, days: int, seed: int, start: str,
        counts: dict[str, int], say: Callable[[str], None]) -> World:
    """Simulate and write every table through ``batch`` (the caller owns the transaction)."""
    for name in WRITE_ORDER:
        batch.create(TABLES[name], overwrite=True)
    for table in TRUTH_TABLES.values():
        batch.create(table, overwrite=True)
    w = make_world(ws.pseudonym_key, ws.settings.timezone, users=users, days=days, seed=seed, start=start)
    say(f"world: {users:,} people, {w.cat.n} products, {len(w.graph.src):,} follows, "
        f"{w.acc['_posts'][0].n:,} posts")

    def put(name: str, table: pa.Table) -> None:
        from kpgrowth.store.base import table_def

        counts[name] = counts.get(name, 0) + batch.append(name, conform(table_def(name), table))

    coupon = max(0, min(days // 2, days - P.COUPON_WINDOW_DAYS - 1)) if days >= 2 else -1
    # events are staged in Parquet files next to the store and appended with one scan at the
    # end: the batch stays atomic while the store keeps its memory limit
    with tempfile.TemporaryDirectory(prefix=".simulate-", dir=ws.root) as staging:
        files: list[str] = []
        pending: list[pa.Table] = []

        def flush_events(force: bool = False) -> None:
            pending.append(w.sink.flush())
            if force or sum(t.num_rows for t in pending) >= EVENT_CHUNK:
                path = str(Path(staging) / f"events-{len(files):05d}.parquet")
                pq.write_table(pa.concat_tables(pending), path)
                files.append(path)
                pending.clear()

        for day in range(days):
            step_day(w, day, coupon)
            flush_events()
            if (day + 1) % 7 == 0 or day == days - 1:
                say(f"day {day + 1}/{days}: {w.sink.emitted:,} events")
        posts = w.acc["_posts"][0]
        cm, truth_cm, cm_edges = comments.build_comments(w)
        flush_events(force=True)
        counts["events"] = batch.append_parquet("events", files)
    new_follow = {k: np.concatenate([x[k] for x in w.get("new_follow")]) if w.get("new_follow")
                  else np.empty(0, dtype=float if k == "p" else np.int64) for k in ("src", "dst", "ts", "cls", "p")}
    keep = new_follow["ts"] < w.clock.end_us
    follow, truth_edges = follow_edges_table(w.pop, w.graph, {k: v[keep] for k, v in new_follow.items()})
    kols, blocks = kol_tables(w.pop, w.graph)
    campaigns, spend = ads.campaign_tables(w)
    comm, members, effect, churn = communities.tables(w)
    truth_funnel, truth_channel = funnel.truth_funnel_tables(w)
    response, contrib, ab = ads.truth_ads_tables(w)
    promoter_mask = np.zeros(w.pop.n, bool)
    promoter_mask[w.acc["_promoters"][0]["users"]] = True
    bots = np.nonzero(w.pop.bot > 0)[0]
    from kpgrowth.simulate.population import BOT_KINDS
    from kpgrowth.simulate.sink import take, ts_array

    tables: list[tuple[str, pa.Table]] = [
        ("users", users_table(w.pop)), ("identities", w.pop.identities),
        ("products", products_table(w.cat)), ("posts", content.posts_table(w, posts)),
        ("post_metrics", content.post_metrics_table(w, posts)), ("orders", funnel.orders_table(w)),
        ("comments", cm), ("edges", follow), ("edges", content.repost_edges_table(w)),
        ("edges", funnel.invite_edges_table(w)), ("edges", cm_edges),
        ("communities", comm), ("memberships", members), ("campaigns", campaigns), ("spend", spend),
        ("truth_users", truth_users_table(w.pop, promoter_mask)),
        ("truth_products", truth_products_table(w.cat)),
        ("truth_posts", content.truth_posts_table(w, posts)), ("truth_edges", truth_edges),
        ("truth_kols", kols), ("truth_graph_communities", blocks), ("truth_hour_of_week", curve_table()),
        ("truth_funnel_coefs", funnel.funnel_coefs_table()), ("truth_funnel", truth_funnel),
        ("truth_channel_purchase", truth_channel), ("truth_promoters", funnel.promoters_table(w)),
        ("truth_channel_response", response), ("truth_channel_contributions", contrib),
        ("truth_ab_test", ab), ("truth_uplift", ads.uplift_table(w)),
        ("truth_community_effect", effect), ("truth_churn", churn),
        ("truth_subscriptions", funnel.subscriptions_table(w)), ("truth_comments", truth_cm),
        ("truth_bots", pa.table({"user_key": take(w.pop.keys_arr, bots),
                                 "kind": pa.array(np.array(BOT_KINDS)[w.pop.bot[bots]]),
                                 "created_at": ts_array(w.pop.arrival_us[bots])})),
    ]
    for name, table in tables:
        put(name, table)
    return w
