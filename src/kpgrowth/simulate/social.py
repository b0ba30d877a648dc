"""The follower graph: heavy-tailed (Chung–Lu) with planted blocks, KOLs and seller accounts.

``src`` follows ``dst``; information flows from ``dst`` to ``src``. Every follow
edge carries a true independent-cascade probability (``truth_edges``).

Examples
--------
>>> import numpy as np
>>> from kpgrowth.simulate.sink import Clock
>>> from kpgrowth.simulate.population import make_population
>>> clock = Clock("2026-01-01", 10)
>>> pop = make_population(np.random.default_rng(0), 300, clock, bytes(32))
>>> g = make_graph(np.random.default_rng(1), pop, clock)
>>> bool((g.src != g.dst).all()), bool((g.p > 0).all() and (g.p <= 0.5).all())
(True, True)
>>> int(g.followers_of(np.array([g.sellers[0]]))[1].size) == int(g.indeg[g.sellers[0]])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.population import Population
from kpgrowth.simulate.sink import DAY, Clock, take, ts_array

EDGE_CLASSES = ("same_block", "cross_block", "kol_follower")


@dataclass
class Graph:
    """Follow edges sorted by ``dst`` (CSR over followed accounts)."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    ts: np.ndarray
    cls: np.ndarray
    p: np.ndarray
    indptr: np.ndarray
    indeg: np.ndarray
    kols: np.ndarray
    kol_tier: np.ndarray
    kol_paid: np.ndarray
    sellers: np.ndarray        # one official seller account per platform (index by platform)

    def followers_of(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Edge positions of all followers of ``nodes``: (which node, edge index)."""
        starts, ends = self.indptr[nodes], self.indptr[nodes + 1]
        counts = ends - starts
        owner = np.repeat(np.arange(len(nodes)), counts)
        offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return owner, np.repeat(starts, counts) + offs


def edge_p(rng: np.random.Generator, pop: Population, src: np.ndarray, dst: np.ndarray,
           cls: np.ndarray) -> np.ndarray:
    """True IC probability of follow edges: class base x topic match x lognormal noise."""
    base = np.array([P.CASCADE_BASE[c] for c in EDGE_CLASSES])[cls]
    match = np.clip(0.5 + 2.0 * pop.theta[src, pop.top_topic[dst]], 0.5, 2.0)
    return np.clip(base * match * rng.lognormal(-0.125, 0.5, len(src)), 1e-4, 0.5)


def make_graph(rng: np.random.Generator, pop: Population, clock: Clock) -> Graph:
    """Draw the follow graph, the KOLs and the seller's official accounts."""
    n = pop.n
    human = pop.human
    w = (1.0 - rng.random(n)) ** (-1.0 / 1.3) * np.where(human, 1.0, 0.0)
    # seller accounts: one per platform, taken from real users with that home platform
    sellers = np.empty(len(P.SIM_PLATFORMS), dtype=np.int64)
    taken: set[int] = set()
    for j in range(len(P.SIM_PLATFORMS)):
        cand = np.nonzero((pop.home == j) & human)[0]
        cand = [c for c in cand[:50] if c not in taken] or [c for c in np.nonzero(human)[0] if c not in taken]
        sellers[j] = cand[0]
        taken.add(int(cand[0]))
    pop.activity[sellers] = 0.0
    pop.arrival_us[sellers] = np.minimum(pop.arrival_us[sellers], clock.start_us - 400 * DAY)
    n_kol = max(8, int(0.004 * n))
    order = np.argsort(-w, kind="stable")
    kols = np.array([i for i in order[: n_kol + len(sellers)] if i not in taken][:n_kol])
    w[kols] *= 6.0
    w[sellers] = 0.0
    total = w.sum()
    w[sellers] = 0.03 * total * np.where(np.array(P.SIM_PLATFORMS) == "tiktok", 0.3, 1.0)
    # out-degrees and targets (70 % inside the own block)
    deg = np.where(human, np.clip(rng.lognormal(2.0, 0.9, n) * pop.activity**0.3, 1, 400), 0)
    deg = deg.astype(np.int64)
    src = np.repeat(np.arange(n), deg)
    m = len(src)
    inside = rng.random(m) < 0.7
    dst = np.empty(m, dtype=np.int64)
    gcdf = np.cumsum(w) / w.sum() if w.sum() > 0 else np.arange(1, n + 1) / n
    dst[~inside] = np.searchsorted(gcdf, rng.random(int((~inside).sum())), side="right")
    blocks = pop.block
    by_block = np.argsort(blocks, kind="stable")
    bounds = np.searchsorted(blocks[by_block], np.arange(P.K + 1))
    for b in range(P.K):
        members = by_block[bounds[b]:bounds[b + 1]]
        sel = np.nonzero(inside & (blocks[src] == b))[0]
        if len(members) == 0 or len(sel) == 0:
            continue
        cdf = np.cumsum(w[members])
        if cdf[-1] <= 0:
            dst[sel] = np.searchsorted(gcdf, rng.random(len(sel)), side="right")
            continue
        dst[sel] = members[np.searchsorted(cdf / cdf[-1], rng.random(len(sel)), side="right")]
    dst = np.minimum(dst, n - 1)
    key = np.unique(src[src != dst] * n + dst[src != dst])
    src, dst = key // n, key % n
    kolmask = np.zeros(n, dtype=bool)
    kolmask[kols] = True
    kolmask[sellers] = True
    cls = np.where(kolmask[dst], 2, np.where(blocks[src] == blocks[dst], 0, 1))
    p = edge_p(rng, pop, src, dst, cls)
    start = np.maximum(pop.arrival_us[src], pop.arrival_us[dst])
    ts = start + rng.exponential(5 * DAY, len(src)).astype(np.int64)
    ts = np.minimum(ts, clock.end_us - 1)
    order = np.lexsort((src, dst))
    src, dst, ts, cls, p = src[order], dst[order], ts[order], cls[order], p[order]
    indeg = np.bincount(dst, minlength=n)
    indptr = np.concatenate([[0], np.cumsum(indeg)])
    fol = indeg[kols]
    q = np.quantile(fol, [0.9, 0.6, 0.3]) if len(fol) else [0, 0, 0]
    tier = np.where(fol >= q[0], "top", np.where(fol >= q[1], "mid", np.where(fol >= q[2], "micro", "koc")))
    paid = rng.random(len(kols)) < 0.35
    return Graph(n, src, dst, ts, cls, p, indptr, indeg, kols, tier, paid, sellers)


def follow_edges_table(pop: Population, g: Graph, extra: dict[str, np.ndarray]) -> tuple[pa.Table, pa.Table]:
    """``edges`` (kind follow) and ``truth_edges`` rows for the graph plus follows made in the period."""
    src = np.concatenate([g.src, extra["src"]])
    dst = np.concatenate([g.dst, extra["dst"]])
    ts = np.concatenate([g.ts, extra["ts"]])
    cls = np.concatenate([g.cls, extra["cls"]])
    p = np.concatenate([g.p, extra["p"]])
    key = src * g.n + dst
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    src, dst, ts, cls, p = src[first], dst[first], ts[first], cls[first], p[first]
    seller_plat = np.full(g.n, -1)
    seller_plat[g.sellers] = np.arange(len(g.sellers))
    plat = np.where(seller_plat[dst] >= 0, seller_plat[dst], pop.home[dst])
    edges = pa.table({
        "src": take(pop.keys_arr, src), "dst": take(pop.keys_arr, dst),
        "kind": pa.array(np.full(len(src), "follow")),
        "platform": take(pa.array(P.SIM_PLATFORMS), plat), "ts": ts_array(ts),
        "weight": pa.array(np.ones(len(src))),
    })
    truth = pa.table({
        "src": take(pop.keys_arr, src), "dst": take(pop.keys_arr, dst),
        "edge_class": take(pa.array(EDGE_CLASSES), cls), "p_cascade": pa.array(p),
    })
    return edges, truth


def kol_tables(pop: Population, g: Graph) -> tuple[pa.Table, pa.Table]:
    """``truth_kols`` (KOLs and the seller's accounts) and ``truth_graph_communities``."""
    nodes = np.concatenate([g.kols, g.sellers])
    tier = np.concatenate([g.kol_tier, np.full(len(g.sellers), "seller")])
    paid = np.concatenate([g.kol_paid, np.zeros(len(g.sellers), dtype=bool)])
    topics = np.array([t.key for t in P.TOPICS])
    kols = pa.table({
        "user_key": take(pop.keys_arr, nodes), "tier": pa.array(tier),
        "block": pa.array(pop.block[nodes].astype(np.int64)),
        "topic": pa.array(topics[pop.top_topic[nodes]]),
        "followers": pa.array(g.indeg[nodes].astype(np.int64)), "paid": pa.array(paid),
    })
    comm = pa.table({"user_key": pop.keys_arr, "block": pa.array(pop.block.astype(np.int64)),
                     "topic": pa.array(topics[pop.block])})
    return kols, comm
