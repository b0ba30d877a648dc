"""Simulated people: latent interests, price sensitivity, platforms, activity, bots, identities.

Examples
--------
>>> import numpy as np
>>> from kpgrowth.simulate.sink import Clock
>>> pop = make_population(np.random.default_rng(0), 200, Clock("2026-01-01", 10), bytes(32))
>>> pop.n, pop.theta.shape, bool(np.allclose(pop.theta.sum(1), 1))
(200, (200, 8), True)
>>> pop.keys[0].startswith("u_")
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kpgrowth.identity import link_hash, user_key
from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import DAY, HOUR, Clock, ts_array

BOT_KINDS = ("none", "bot", "spam", "zombie")
_ALNUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"))


@dataclass
class Population:
    """Arrays describing every simulated person (index = user number)."""

    n: int
    theta: np.ndarray          # (n, K) topic interests
    top_topic: np.ndarray
    price_sens: np.ndarray
    activity: np.ndarray
    aff: np.ndarray            # (n, platforms) affinity over present platforms
    present: np.ndarray        # (n, platforms) bool
    home: np.ndarray
    channel: np.ndarray        # index into P.CHANNELS
    region: np.ndarray
    abroad: np.ndarray
    arrival_us: np.ndarray
    bot: np.ndarray            # index into BOT_KINDS
    block: np.ndarray
    hazard: np.ndarray         # monthly activity hazard outside communities
    keys: list[str]
    keys_arr: pa.Array
    identities: pa.Table
    attributes: list[str]

    @property
    def human(self) -> np.ndarray:
        """Mask of real (non-bot) people."""
        return self.bot == 0


def make_population(rng: np.random.Generator, n: int, clock: Clock, key: bytes) -> Population:
    """Draw ``n`` people and their pseudonymous identities."""
    K, NP = P.K, len(P.SIM_PLATFORMS)
    topic_pop = rng.dirichlet(np.full(K, 4.0))
    theta = rng.dirichlet(topic_pop * K * 0.35, size=n)
    theta = np.maximum(theta, 1e-6)
    theta /= theta.sum(1, keepdims=True)
    top = theta.argmax(1)
    price_sens = rng.lognormal(0.0, 0.45, n)
    activity = rng.lognormal(-0.6, 1.1, n)          # heavy tailed, mean ~1
    abroad = rng.random(n) < P.ABROAD_SHARE
    base_cn = P.PLATFORM_BASE
    base_ab = np.array([1.5, 0.1, 0.1, 0.3, 0.1, 0.1, 3.0, 2.5])
    aff = np.where(abroad[:, None], rng.gamma(base_ab, size=(n, NP)),
                   rng.gamma(base_cn, size=(n, NP))) + 1e-9
    aff /= aff.sum(1, keepdims=True)
    home = (aff.cumsum(1) > rng.random((n, 1))).argmax(1)
    present = rng.random((n, NP)) < np.minimum(1.0, 1.6 * aff)
    present[np.arange(n), home] = True
    aff = np.where(present, aff, 0.0)
    aff /= aff.sum(1, keepdims=True)
    channel = rng.choice(len(P.CHANNELS), size=n, p=P.ACQ_CHANNEL_P / P.ACQ_CHANNEL_P.sum())
    region = np.where(abroad, np.array(P.REGIONS_ABROAD)[rng.integers(0, len(P.REGIONS_ABROAD), n)],
                      np.array(P.REGIONS_CN)[rng.integers(0, len(P.REGIONS_CN), n)])
    # arrivals: 45 % already known before the start, the rest over the period (rising)
    existing = rng.random(n) < 0.45
    new_day = np.floor(clock.days * np.sqrt(rng.random(n))).astype(np.int64)
    arrival = np.where(existing, clock.start_us - rng.integers(1, 365 * DAY, n),
                       clock.start_us + new_day * DAY + rng.integers(0, DAY, n))
    # bots: young accounts created in a few bursts during the period
    u = rng.random(n)
    cuts = np.cumsum([P.BOT_SHARE["bot"], P.BOT_SHARE["spam"], P.BOT_SHARE["zombie"]])
    bot = np.where(u < cuts[-1], np.searchsorted(cuts, u, side="right") + 1, 0)
    nb = int((bot > 0).sum())
    if nb:
        bursts = rng.integers(0, max(1, clock.days // 2), size=4)
        arrival[bot > 0] = (clock.start_us + bursts[rng.integers(0, 4, nb)] * DAY
                            + rng.integers(0, 2 * HOUR, nb))
        activity[bot > 0] = 0.0
        channel[bot > 0] = 0
    block = np.where(rng.random(n) < 0.8, top, rng.integers(0, K, n))
    hazard = P.ACTIVITY_HAZARD_MONTHLY * rng.lognormal(0.0, 0.5, n) / np.maximum(activity, 0.05) ** 0.3
    keys, identities = _identities(rng, n, present, home, arrival, key)
    ages = np.array(["18-24", "25-34", "35-44", "45+"])[rng.choice(4, n, p=[.25, .45, .2, .1])]
    devices = np.array(["ios", "android", "pc"])[rng.choice(3, n, p=[.45, .45, .1])]
    attributes = [json.dumps({"age_band": a, "device": d}) for a, d in zip(ages, devices)]
    return Population(n, theta, top, price_sens, activity, aff, present, home, channel, region,
                      abroad, arrival, bot, block, hazard, keys, pa.array(keys, pa.string()),
                      identities, attributes)


def _ext_ids(rng: np.random.Generator, platform: str, m: int) -> list[str]:
    """Realistic-looking raw external ids of ``m`` accounts on ``platform``."""
    if platform in ("weibo", "bilibili", "instagram", "tiktok"):
        lo, hi = {"weibo": (10**9, 8 * 10**9), "bilibili": (10**7, 10**9),
                  "instagram": (10**9, 9 * 10**10), "tiktok": (6 * 10**18, 7 * 10**18)}[platform]
        return [str(v) for v in rng.integers(lo, hi, m, dtype=np.int64)]
    length, prefix = {"wechat": (27, "o"), "douyin": (20, "MS4wLjABAAAA"), "xiaohongshu": (24, ""),
                      "zhihu": (32, ""), "xiaoe": (24, "u_")}[platform]
    chars = _ALNUM if platform in ("wechat", "douyin") else _ALNUM[26:36]
    if platform in ("xiaohongshu", "zhihu", "xiaoe"):
        chars = np.array(list("0123456789abcdef"))
    mat = chars[rng.integers(0, len(chars), (m, length))]
    return [prefix + "".join(row) for row in mat]


def _identities(rng: np.random.Generator, n: int, present: np.ndarray, home: np.ndarray,
                arrival: np.ndarray, key: bytes) -> tuple[list[str], pa.Table]:
    """External ids per platform; multi-platform people linked by unionid or phone."""
    plats = P.SIM_PLATFORMS
    wechat = present[:, plats.index("wechat")]
    multi = present.sum(1) > 1
    link_kind = np.where(wechat, "wechat_unionid", np.where(multi, "phone_hash", ""))
    # wechat users also have an account in the seller's Xiaoe-tech shop (same unionid)
    # raw ids only for the accounts that exist: (platform -> user -> id)
    ext: dict[str, dict[int, str]] = {}
    for j, p in enumerate((*plats, "xiaoe")):
        users = np.nonzero(wechat if p == "xiaoe" else present[:, j])[0]
        ext[p] = dict(zip(users.tolist(), _ext_ids(rng, p, len(users))))
    linked = np.nonzero(link_kind != "")[0]
    union = ["o" + "".join(r) for r in _ALNUM[rng.integers(0, len(_ALNUM), (len(linked), 27))]]
    phones = [f"1{v}" for v in rng.integers(3 * 10**9, 9 * 10**9, len(linked))]
    link_value = dict(zip(linked.tolist(), zip(union, phones)))
    keys: list[str] = []
    hashes: list[str | None] = []
    for i in range(n):
        kind = link_kind[i]
        home_id = ext[plats[home[i]]][i]
        if kind:
            value = link_value[i][0 if kind == "wechat_unionid" else 1]
            keys.append(user_key(key, plats[home[i]], home_id, link=(kind, value)))
            hashes.append(link_hash(key, kind, value))
        else:
            keys.append(user_key(key, plats[home[i]], home_id))
            hashes.append(None)
    rows_u, rows_p = np.nonzero(present)
    extra = np.nonzero(wechat)[0]
    uidx = np.concatenate([rows_u, extra])
    pnames = np.concatenate([np.array(plats)[rows_p], np.full(len(extra), "xiaoe")])
    order = np.lexsort((pnames, uidx))
    uidx, pnames = uidx[order], pnames[order]
    keys_arr = np.array(keys, dtype=object)
    lk = link_kind[uidx]
    table = pa.table({
        "user_key": pa.array(keys_arr[uidx], pa.string()),
        "platform": pa.array(pnames, pa.string()),
        "external_id": pa.array([ext[p][i] for i, p in zip(uidx.tolist(), pnames.tolist())], pa.string()),
        "link_kind": pa.array(np.where(lk == "", None, lk), pa.string()),
        "link_hash": pa.array(np.array(hashes, dtype=object)[uidx], pa.string()),
        "first_seen": ts_array(arrival[uidx]),
    })
    return keys, table


def users_table(pop: Population) -> pa.Table:
    """The canonical ``users`` rows."""
    return pa.table({
        "user_key": pop.keys_arr,
        "first_seen": ts_array(pop.arrival_us),
        "first_channel": pa.array(np.array(P.CHANNELS)[pop.channel], pa.string()),
        "first_platform": pa.array(np.array(P.SIM_PLATFORMS)[pop.home], pa.string()),
        "region": pa.array(pop.region, pa.string()),
        "attributes": pa.array(pop.attributes, pa.string()),
    })


def truth_users_table(pop: Population, promoter: np.ndarray) -> pa.Table:
    """The ``truth_users`` rows."""
    cols: dict[str, object] = {"user_key": pop.keys_arr}
    for k, t in enumerate(P.TOPICS):
        cols[f"interest_{t.key}"] = pop.theta[:, k]
    names = np.array(P.SIM_PLATFORMS)
    aff_json = [json.dumps({names[j]: round(float(row[j]), 4) for j in np.nonzero(row)[0]})
                for row in pop.aff]
    cols.update({
        "top_topic": np.array([t.key for t in P.TOPICS])[pop.top_topic],
        "price_sensitivity": pop.price_sens, "activity": pop.activity,
        "home_platform": names[pop.home], "platform_affinity": aff_json,
        "first_channel": np.array(P.CHANNELS)[pop.channel], "region": pop.region,
        "block": pop.block.astype(np.int64), "bot_kind": np.array(BOT_KINDS)[pop.bot],
        "is_promoter": promoter,
    })
    return pa.table({k: pa.array(v) if not isinstance(v, pa.Array) else v for k, v in cols.items()})
