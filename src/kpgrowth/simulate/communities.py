"""Communities (社群): free WeChat groups per topic and paid 知识星球 (zsxq) circles,
with joins, leaves, messages, broadcast links, and a known effect on retention.

While a person is in a community their churn hazard is multiplied by the
community's ``hazard_ratio`` (``truth_community_effect``); churn itself is drawn
here every day from each person's monthly hazard (``truth_churn``).

Examples
--------
>>> round(float(monthly_to_daily(0.3)), 4)   # 30 such days leave 70 %
0.0118
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import DAY, US, take, ts_array
from kpgrowth.simulate.timing import post_times
from kpgrowth.simulate.world import CHANNEL_CODE, NEVER, World

KINDS = ("wechat_group", "zsxq")


def monthly_to_daily(h: float | np.ndarray) -> float | np.ndarray:
    """Daily probability of an event with monthly (30-day) hazard probability ``h``."""
    return 1.0 - (1.0 - np.asarray(h)) ** (1.0 / 30.0)


def make_communities(rng: np.random.Generator, w: World) -> dict:
    """One WeChat group per topic and one zsxq circle per community product."""
    cat = w.cat
    kind = [0] * P.K
    topic = list(range(P.K))
    product = [-1] * P.K
    for i, k in enumerate(cat.kinds):
        if k == "community":
            kind.append(1); topic.append(int(cat.topic[i])); product.append(i)
    kind_a = np.array(kind)
    names = [f"{P.TOPICS[t].zh}交流{rng.integers(1, 9)}群" if k == 0 else f"{cat.title[p]}"
             for k, t, p in zip(kind, topic, product)]
    hr = np.array([P.COMMUNITY_HAZARD_RATIO[KINDS[k]] for k in kind])
    state = {
        "kind": kind_a, "topic": np.array(topic), "product": np.array(product), "names": names,
        "hr": hr, "msg": np.array([P.COMMUNITY_MSG_RATE[KINDS[k]] for k in kind]),
        "leave": np.array([P.COMMUNITY_LEAVE_MONTHLY[KINDS[k]] for k in kind]),
        "created": w.clock.start_us - rng.integers(30, 300, len(kind)) * DAY,
        "ids": pa.array([f"cmty{i + 1:03d}" for i in range(len(kind))]),
        # current stays: one free group and one paid circle at most per person
        "grp": np.full(w.pop.n, -1), "zsxq": np.full(w.pop.n, -1),
        "grp_join": np.zeros(w.pop.n, np.int64), "zsxq_join": np.zeros(w.pop.n, np.int64),
        "joined_group": np.zeros(w.pop.n, bool), "stays": [],
    }
    return state


def _update_hr(w: World, users: np.ndarray) -> None:
    cs = w.acc["_comm"][0]
    hr = np.ones(len(users))
    g, z = cs["grp"][users], cs["zsxq"][users]
    hr = np.where(g >= 0, np.minimum(hr, cs["hr"][np.maximum(g, 0)]), hr)
    hr = np.where(z >= 0, np.minimum(hr, cs["hr"][np.maximum(z, 0)]), hr)
    w.hazard_ratio[users] = hr


def _platform(cs: dict, c: np.ndarray) -> np.ndarray:
    return np.where(cs["kind"][c] == 0, P.SIM_PLATFORMS.index("wechat"), -1)


def join_paid(w: World, users: np.ndarray, products: np.ndarray, ts: np.ndarray) -> None:
    """Buyers of a community product join its zsxq circle."""
    cs = w.acc["_comm"][0]
    cid = np.array(
        [int(np.nonzero(cs["product"] == p)[0][0]) for p in products])
    new = cs["zsxq"][users] < 0
    users, cid, ts = users[new], cid[new], ts[new]
    users, first = np.unique(users, return_index=True)
    cid, ts = cid[first], ts[first]
    cs["zsxq"][users] = cid
    cs["zsxq_join"][users] = ts
    w.sink.add("community_join", ts, users, community=cid, platform=-1)
    w.ever_member[users] = True
    _update_hr(w, users)


def _leave(w: World, which: str, users: np.ndarray, ts: np.ndarray) -> None:
    cs = w.acc["_comm"][0]
    c = cs[which][users]
    cs["stays"].append((c, users, cs[which + "_join"][users], ts))
    w.sink.add("community_leave", ts, users, community=c, platform=_platform(cs, c))
    cs[which][users] = -1
    _update_hr(w, users)


def community_day(w: World, day: int) -> None:
    """Joins, leaves, messages and broadcast sessions of ``day``; then activity churn."""
    rng = w.rng(40, day)
    cs = w.acc["_comm"][0]
    pop, sink = w.pop, w.sink
    act = w.active(day)
    start = w.clock.day_start(day)
    # joins of free groups (community-acquired newcomers join on arrival)
    p_join = P.GROUP_JOIN_DAILY * np.sqrt(pop.activity)
    arrived_today = (pop.arrival_us >= start) & (pop.arrival_us < start + DAY)
    p_join = np.where(arrived_today & (pop.channel == CHANNEL_CODE["community"]), 1.0, p_join)
    j = np.nonzero(act & ~cs["joined_group"] & (rng.random(pop.n) < p_join))[0]
    tj = np.maximum(start + rng.integers(0, DAY, len(j)), pop.arrival_us[j] + 60 * US)
    cid = pop.top_topic[j]
    cs["grp"][j], cs["grp_join"][j], cs["joined_group"][j] = cid, tj, True
    sink.add("community_join", tj, j, community=cid, platform=P.SIM_PLATFORMS.index("wechat"))
    w.ever_member[j] = True
    _update_hr(w, j)
    # leaves
    for which in ("grp", "zsxq"):
        m = np.nonzero(cs[which] >= 0)[0]
        lv = m[rng.random(len(m)) < monthly_to_daily(cs["leave"][cs[which][m]])]
        lv = lv[cs[which + "_join"][lv] < start]
        if len(lv):
            _leave(w, which, lv, start + rng.integers(0, DAY, len(lv)))
    # messages of active members, timed by the WeChat hour-of-week curve
    for which in ("grp", "zsxq"):
        m = np.nonzero((cs[which] >= 0) & act)[0]
        c = cs[which][m]
        k = rng.poisson(cs["msg"][c] * pop.activity[m])
        u = np.repeat(m, k)
        cu = np.repeat(c, k)
        t = post_times(rng, w.clock, day, np.full(len(u), P.SIM_PLATFORMS.index("wechat")))
        t = np.maximum(t, np.repeat(cs[which + "_join"][m], k) + US)
        sink.add("community_message", t, u, community=cu, platform=_platform(cs, cu))
    # broadcasts: the seller posts a product link; members click through
    for c in np.nonzero(rng.random(len(cs["kind"])) < 0.35)[0]:
        which = "grp" if cs["kind"][c] == 0 else "zsxq"
        m = np.nonzero((cs[which] == c) & act)[0]
        clk = m[rng.random(len(m)) < 0.03]
        cand = np.nonzero((w.cat.topic == cs["topic"][c])
                          & np.isin(np.array(w.cat.kinds), ["course", "bootcamp", "column", "live"]))[0]
        if len(clk) == 0 or len(cand) == 0:
            continue
        t0 = post_times(rng, w.clock, day, np.array([P.SIM_PLATFORMS.index("wechat")]))[0]
        w.sessions.add(user=clk, product=cand[rng.integers(0, len(cand))], channel="community",
                       platform=P.SIM_PLATFORMS.index("wechat"),
                       ts=t0 + rng.integers(30 * US, 2 * 3600 * US, len(clk)))


def churn_day(w: World, day: int) -> None:
    """Draw today's churners from each active person's hazard x community hazard ratio."""
    rng = w.rng(41, day)
    act = np.nonzero(w.active(day))[0]
    p = monthly_to_daily(np.clip(w.pop.hazard[act] * w.hazard_ratio[act], 0, 0.99))
    gone = act[rng.random(len(act)) < p]
    w.churn_us[gone] = w.clock.day_start(day) + DAY


def tables(w: World) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    """``communities``, ``memberships``, ``truth_community_effect`` and ``truth_churn``."""
    cs = w.acc["_comm"][0]
    n_c = len(cs["kind"])
    owner = w.graph.sellers[P.SIM_PLATFORMS.index("wechat")]
    communities = pa.table({
        "community_id": cs["ids"],
        "platform": pa.array(np.where(cs["kind"] == 0, "wechat", "other")),
        "kind": pa.array(np.array(KINDS)[cs["kind"]]), "name": pa.array(cs["names"]),
        "product_id": take(w.cat.ids_arr, cs["product"]),
        "owner_user_key": take(w.pop.keys_arr, np.full(n_c, owner)), "created_at": ts_array(cs["created"]),
    })
    cols: list[tuple] = list(cs["stays"])
    for which in ("grp", "zsxq"):
        m = np.nonzero(cs[which] >= 0)[0]
        cols.append((cs[which][m], m, cs[which + "_join"][m], np.full(len(m), NEVER)))
    cols.append((np.arange(n_c), np.full(n_c, owner), cs["created"], np.full(n_c, NEVER)))
    c = np.concatenate([x[0] for x in cols]); u = np.concatenate([x[1] for x in cols])
    j = np.concatenate([x[2] for x in cols]); lft = np.concatenate([x[3] for x in cols])
    keep = j < w.clock.end_us
    c, u, j, lft = c[keep], u[keep], j[keep], lft[keep]
    order = np.lexsort((u, j))
    c, u, j, lft = c[order], u[order], j[order], lft[order]
    lft = np.where(lft >= w.clock.end_us, NEVER, lft)
    role = np.where(u == owner, "owner", "member")
    memberships = pa.table({
        "community_id": take(cs["ids"], c), "user_key": take(w.pop.keys_arr, u), "joined_at": ts_array(j),
        "left_at": pa.array(lft, mask=lft == NEVER).cast(pa.timestamp("us", tz="UTC")), "role": pa.array(role),
    })
    effect = pa.table({
        "community_id": cs["ids"], "kind": pa.array(np.array(KINDS)[cs["kind"]]),
        "hazard_ratio": pa.array(cs["hr"]), "message_rate": pa.array(cs["msg"]),
        "leave_hazard_monthly": pa.array(cs["leave"]),
    })
    ch = np.where(w.churn_us < w.clock.end_us, w.churn_us, NEVER)
    churn = pa.table({
        "user_key": w.pop.keys_arr, "monthly_hazard": pa.array(w.pop.hazard),
        "churned_at": pa.array(ch, mask=ch == NEVER).cast(pa.timestamp("us", tz="UTC")),
        "community_member": pa.array(w.ever_member),
    })
    return communities, memberships, effect, churn
