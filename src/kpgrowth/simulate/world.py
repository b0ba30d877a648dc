"""The simulation state shared by the per-day steps (people, catalog, graph, accumulators).

Examples
--------
>>> s = Sessions.empty()
>>> s.add(user=[1, 2], product=0, channel="kol", platform=2, ts=[10, 20])
>>> merged = s.concat(); len(merged["user"]), int(merged["channel"][0]) == CHANNEL_CODE["kol"]
(2, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kpgrowth.simulate import params as P
from kpgrowth.simulate.catalog import Catalog
from kpgrowth.simulate.population import Population
from kpgrowth.simulate.sink import DAY, Clock, EventSink
from kpgrowth.simulate.social import Graph

CHANNEL_CODE = {c: i for i, c in enumerate(P.CHANNELS)}
NEVER = np.iinfo(np.int64).max
_SESSION_COLS = {"user": np.int64, "product": np.int64, "channel": np.int64, "platform": np.int64,
                 "ts": np.int64, "post": np.int64, "campaign": np.int64, "referrer": np.int64,
                 "coupon": bool, "variant": np.int64}


@dataclass
class Sessions:
    """Click sessions collected during a day, consumed by the funnel."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    @classmethod
    def empty(cls) -> Sessions:
        """A new, empty collection."""
        return cls()

    def add(self, *, user: Any, product: Any, channel: str | np.ndarray, platform: Any, ts: Any,
            post: Any = -1, campaign: Any = -1, referrer: Any = -1, coupon: Any = False,
            variant: Any = -1) -> None:
        """Add sessions; scalars broadcast to the length of ``user``."""
        user = np.asarray(user, dtype=np.int64)
        n = len(user)
        if n == 0:
            return
        ch = CHANNEL_CODE[channel] if isinstance(channel, str) else channel
        vals = {"user": user, "product": product, "channel": ch, "platform": platform, "ts": ts, "post": post,
                    "campaign": campaign, "referrer": referrer, "coupon": coupon, "variant": variant}
        self.parts.append({k: np.broadcast_to(np.asarray(v, dtype=_SESSION_COLS[k]), (n,)).copy()
                           for k, v in vals.items()})

    def concat(self) -> dict[str, np.ndarray]:
        """All sessions as one dict of arrays (and clear the collection)."""
        if not self.parts:
            return {k: np.empty(0, dtype=t) for k, t in _SESSION_COLS.items()}
        out = {k: np.concatenate([p[k] for p in self.parts]) for k in _SESSION_COLS}
        self.parts = []
        return out


@dataclass
class World:
    """Everything the daily steps read and write."""

    seed: int
    clock: Clock
    pop: Population
    cat: Catalog
    graph: Graph
    sink: EventSink
    churn_us: np.ndarray
    hazard_ratio: np.ndarray           # current multiplier of each user's churn hazard
    ever_member: np.ndarray
    sessions: Sessions = field(default_factory=Sessions)
    acc: dict[str, list[Any]] = field(default_factory=dict)

    def rng(self, stream: int, day: int = -1) -> np.random.Generator:
        """An independent generator for (stream, day), stable across code changes elsewhere."""
        return np.random.default_rng([self.seed, stream, day + 1])

    def active(self, day: int) -> np.ndarray:
        """Mask of real people who can act on local ``day`` (arrived, not churned)."""
        start = self.clock.day_start(day)
        return ((self.pop.arrival_us < start + DAY) & (self.churn_us > start)
                & self.pop.human & (self.pop.activity > 0))

    def put(self, name: str, value: Any) -> None:
        """Append ``value`` to accumulator ``name``."""
        self.acc.setdefault(name, []).append(value)

    def get(self, name: str) -> list[Any]:
        """The accumulated values of ``name``."""
        return self.acc.get(name, [])

    def topic_match(self, users: np.ndarray, products: np.ndarray) -> np.ndarray:
        """z = clipped log(K * theta_u . topicvec_p), about 0 for an average match."""
        m = np.einsum("ij,ij->i", self.pop.theta[users], self.cat.tvec[products])
        return np.clip(np.log(P.K * m), -3.0, 2.0)

    def topic_match_topic(self, users: np.ndarray, topics: np.ndarray) -> np.ndarray:
        """The same match for a pure topic (posts without a product)."""
        return np.clip(np.log(P.K * (0.8 * self.pop.theta[users, topics] + 0.2 / P.K)), -3.0, 2.0)
