"""The purchase funnel: click → landing → trailer_view → add_to_cart → purchase, then lessons,
refunds, membership renewals and referral (分销) orders.

Each step is a logistic function of topic match, product quality, price (times
the person's price sensitivity) and the session's channel, with the coefficients of
:data:`kpgrowth.simulate.params.FUNNEL_COEFS` and ``CHANNEL_EFFECT``.

Examples
--------
>>> import numpy as np
>>> p = step_probs(np.zeros(2), np.array([0.5, 0.9]), np.zeros(2), np.zeros(2))
>>> bool(p["purchase"][1] > p["purchase"][0])
True
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import DAY, US, ids, take, ts_array
from kpgrowth.simulate.world import CHANNEL_CODE, NEVER, World

STEPS = ("landing", "trailer_view", "add_to_cart", "purchase")
_CH_EFFECT = np.array([P.CHANNEL_EFFECT[c] for c in P.CHANNELS])
MONTH = 30 * DAY


def step_probs(z: np.ndarray, quality: np.ndarray, price_term: np.ndarray,
               channel_effect: np.ndarray) -> dict[str, np.ndarray]:
    """True conditional probability of each step given the previous one.

    ``price_term`` is price sensitivity x log(price / 100).
    """
    out = {}
    for step in STEPS:
        c = P.FUNNEL_COEFS[step]
        logit = (c["intercept"] + c["match"] * z + c["quality"] * (quality - 0.5) * 2
                 + c["price"] * price_term + (channel_effect if step != "landing" else 0.0))
        out[step] = P.sigmoid(logit)
    return out


def funnel_coefs_table() -> pa.Table:
    """The ``truth_funnel_coefs`` rows (steps' coefficients and channel effects)."""
    steps, terms, coefs = [], [], []
    for step, c in P.FUNNEL_COEFS.items():
        for term, v in c.items():
            steps.append(step); terms.append(term); coefs.append(v)
    for ch, v in P.CHANNEL_EFFECT.items():
        for step in ("trailer_view", "add_to_cart", "purchase"):
            steps.append(step); terms.append(f"channel_{ch}"); coefs.append(v)
    steps.append("purchase"); terms.append("coupon_discount"); coefs.append(P.COUPON_DISCOUNT)
    return pa.table({"step": steps, "term": terms, "coef": coefs})


def _price_term(w: World, users: np.ndarray, products: np.ndarray, discount: np.ndarray) -> np.ndarray:
    price = w.cat.price[products] * (1.0 - discount)
    return w.pop.price_sens[users] * np.log(np.maximum(price, 1.0) / 100.0)


def run_sessions(w: World, day: int, s: dict[str, np.ndarray], *, forced: bool = False) -> None:
    """Play ``s`` through the funnel (``forced``: every session ends in a purchase)."""
    n = len(s["user"])
    if n == 0:
        return
    rng = w.rng(20 + int(forced), day)
    sink, cat = w.sink, w.cat
    u, p, ch, plat, ts = s["user"], s["product"], s["channel"], s["platform"], s["ts"]
    disc = np.where(s["coupon"], P.COUPON_DISCOUNT, 0.0)
    z = w.topic_match(u, p)
    probs = step_probs(z, cat.quality[p], _price_term(w, u, p, disc), _CH_EFFECT[ch])
    reach = np.zeros(n, dtype=np.int64)  # 0 click, 1 landing, ... 4 purchase
    alive = np.ones(n, bool)
    for k, step in enumerate(STEPS, start=1):
        alive &= forced | (rng.random(n) < probs[step])
        reach[alive] = k
    props = np.array([sink.prop(json.dumps({"channel": c})) for c in P.CHANNELS])[ch]
    variant = s["variant"]
    if (variant >= 0).any():
        vp = np.array([sink.prop(json.dumps({"channel": "paid", "variant": v})) for v in ("A", "B")])
        props = np.where(variant >= 0, vp[np.maximum(variant, 0)], props)
    t = ts.copy()
    gaps = {"landing": (2, 10), "trailer_view": (15, 180), "add_to_cart": (30, 900), "purchase": (30, 1800)}
    common = {"platform": plat, "post": s["post"], "product": p, "campaign": s["campaign"], "props": props}
    sink.add("click", t, u, **common)
    times = {"click": t}
    for k, step in enumerate(STEPS, start=1):
        lo, hi = gaps[step]
        t = t + rng.integers(lo * US, hi * US, n)
        times[step] = t
        m = reach >= k
        if step == "purchase":
            break  # purchase events are written with their orders
        sink.add(step, t[m], u[m], **{key: (v[m] if isinstance(v, np.ndarray) else v)
                                      for key, v in common.items()})
    if not forced:
        sid0 = sum(len(x["user"]) for x in w.get("funnel"))
        w.put("funnel", {"user": u, "product": p, "channel": ch, "platform": plat, "ts": ts,
                         "campaign": s["campaign"], "referrer": s["referrer"], "coupon": s["coupon"],
                         "variant": variant, "day": np.full(n, day), "p_landing": probs["landing"], "p_trailer": probs["trailer_view"],
                         "p_cart": probs["add_to_cart"], "p_purchase": probs["purchase"],
                         "reach": reach, "sid0": np.full(n, sid0)})
    b = np.nonzero(reach == 4)[0]
    _purchases(w, rng, day, {k: (v[b] if isinstance(v, np.ndarray) else v) for k, v in s.items()},
               times["purchase"][b], disc[b])


def _purchases(w: World, rng: np.random.Generator, day: int, s: dict[str, np.ndarray],
               t: np.ndarray, disc: np.ndarray) -> None:
    """Orders, refunds, lessons, renewals, community joins and post-purchase sharing."""
    n = len(t)
    if n == 0:
        return
    cat, sink, pop = w.cat, w.sink, w.pop
    u, p, ch, plat = s["user"], s["product"], s["channel"], s["platform"]
    amount = np.round(cat.price[p] * (1.0 - disc), 1)
    sink.add("purchase", t, u, platform=plat, product=p, campaign=s["campaign"], value=amount)
    ref = s["referrer"]
    prom = w.acc["_promoters"][0]
    rate = np.where(ref >= 0, prom["rate"][np.maximum(ref, 0)], 0.0)
    sup = np.where(ref >= 0, prom["superior"][np.maximum(ref, 0)], -1)
    commission = np.round(amount * rate + np.where(sup >= 0, amount * P.SUPERIOR_RATE, 0.0), 2)
    coupon = s["coupon"]
    w.put("orders", {"user": u, "product": p, "ts": t, "amount": amount, "channel": ch, "platform": plat,
                     "campaign": s["campaign"], "referrer": ref, "superior": sup, "commission": commission,
                     "coupon": coupon, "status": np.zeros(n, np.int64)})
    # refunds (low quality refunds more)
    rf = rng.random(n) < P.sigmoid(P.REFUND_BASE_LOGIT + 3.0 * (0.5 - cat.quality[p]))
    rt = t[rf] + rng.integers(3600 * US, 7 * DAY, int(rf.sum()))
    sink.add("refund", rt, u[rf], platform=plat[rf], product=p[rf], value=-amount[rf])
    w.put("orders", {"user": u[rf], "product": p[rf], "ts": rt, "amount": -amount[rf], "channel": ch[rf],
                     "platform": plat[rf], "campaign": s["campaign"][rf], "referrer": ref[rf],
                     "superior": sup[rf], "commission": np.zeros(int(rf.sum())), "coupon": coupon[rf],
                     "status": np.ones(int(rf.sum()), np.int64)})
    keep = ~rf
    # lessons: start with LESSON_START_P, then continue lesson to lesson (better courses hold longer)
    lessons = cat.lessons[p]
    st = keep & (lessons > 0) & (rng.random(n) < P.LESSON_START_P)
    cont = 0.80 + 0.18 * cat.quality[p]
    done = np.minimum(lessons, rng.geometric(1.0 - cont) - 1)
    idx = np.nonzero(st)[0]
    n_start = np.minimum(done[idx] + 1, lessons[idx])
    rep = np.repeat(idx, n_start)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n_start) - n_start, n_start) + 1
    gap = (rng.uniform(0.3, 2.5, len(rep)) * DAY).astype(np.int64)
    lt = t[rep] + (k - 1) * DAY + gap
    sink.add("lesson_start", lt, u[rep], platform=plat[rep], product=p[rep], value=k.astype(float))
    fin = k <= done[rep]
    sink.add("lesson_complete", lt[fin] + rng.integers(300 * US, 3600 * US, int(fin.sum())), u[rep][fin],
             platform=plat[rep][fin], product=p[rep][fin], value=k[fin].astype(float))
    # post-purchase share of the product page
    sh = keep & (rng.random(n) < 0.08 + 0.1 * cat.quality[p])
    sink.add("share", t[sh] + rng.integers(60 * US, DAY, int(sh.sum())), u[sh], platform=plat[sh], product=p[sh])
    # memberships: monthly renewals until cancelled
    kinds = np.array(cat.kinds)[p]
    mem = np.nonzero(keep & (kinds == "membership"))[0]
    if len(mem):
        h = np.clip(P.MEMBERSHIP_CHURN_MONTHLY * np.exp(0.5 * pop.price_sens[u[mem]] - 0.5)
                    * w.hazard_ratio[u[mem]], 0.01, 0.95)
        renewals = rng.geometric(h) - 1
        end = w.clock.end_us
        months_left = np.maximum(0, (end - t[mem] - 1) // MONTH)
        r_obs = np.minimum(renewals, months_left)
        churned = np.where(renewals < months_left, t[mem] + (renewals + 1) * MONTH, NEVER)
        w.put("subscriptions", {"user": u[mem], "product": p[mem], "ts": t[mem], "hazard": h,
                                "renewals": r_obs, "churned": churned})
        rr = np.repeat(mem, r_obs)
        kk = np.arange(len(rr)) - np.repeat(np.cumsum(r_obs) - r_obs, r_obs) + 1
        tr = t[rr] + kk * MONTH
        price = cat.price[p[rr]]
        sink.add("purchase", tr, u[rr], platform=plat[rr], product=p[rr], value=price,
                 props=sink.prop('{"renewal":true}'))
        w.put("orders", {"user": u[rr], "product": p[rr], "ts": tr, "amount": price,
                         "channel": np.full(len(rr), -1), "platform": plat[rr],
                         "campaign": np.full(len(rr), -1), "referrer": np.full(len(rr), -1),
                         "superior": np.full(len(rr), -1), "commission": np.zeros(len(rr)),
                         "coupon": np.zeros(len(rr), bool), "status": np.zeros(len(rr), np.int64)})
    # paid communities: the buyer joins the product's community
    com = np.nonzero(keep & (kinds == "community"))[0]
    if len(com):
        from kpgrowth.simulate.communities import join_paid

        join_paid(w, u[com], p[com], t[com] + 60 * US)


# -- session sources ------------------------------------------------------------------------

def _interest_products(w: World, rng: np.random.Generator, users: np.ndarray) -> np.ndarray:
    """A product per user, drawn by topic interest among sellable products."""
    cat = w.cat
    sellable = np.nonzero(np.array([k not in ("community",) for k in cat.kinds]))[0]
    weights = w.pop.theta[users] @ cat.tvec[sellable].T
    cdf = np.cumsum(weights, 1)
    pick = (cdf < rng.random((len(users), 1)) * cdf[:, -1:]).sum(1)
    return sellable[np.minimum(pick, len(sellable) - 1)]


def organic_sessions_day(w: World, day: int) -> None:
    """First-touch sessions of people who arrive today, and search sessions of the others."""
    rng = w.rng(21, day)
    pop, clock = w.pop, w.clock
    start = clock.day_start(day)
    new = np.nonzero((pop.arrival_us >= start) & (pop.arrival_us < start + DAY) & pop.human
                     & (pop.activity > 0))[0]
    sink = w.sink
    sink.add("signup", pop.arrival_us[new], new, platform=pop.home[new])
    ch = pop.channel[new]
    ref = np.full(len(new), -1)
    r = ch == CHANNEL_CODE["referral"]
    prom_users = w.acc["_promoters"][0]["users"]
    if len(prom_users):
        ref[r] = rng.integers(0, len(prom_users), int(r.sum()))
    w.sessions.add(user=new, product=_interest_products(w, rng, new), channel=ch, platform=pop.home[new],
                   ts=pop.arrival_us[new] + 5 * US, referrer=ref)
    act = w.active(day)
    search = np.nonzero(act & (rng.random(pop.n) < 0.004 * np.sqrt(pop.activity)))[0]
    wechat = P.SIM_PLATFORMS.index("wechat")
    plat = np.where(pop.present[search, wechat], wechat, pop.home[search])
    w.sessions.add(user=search, product=_interest_products(w, rng, search), channel="search",
                   platform=plat, ts=start + rng.integers(0, DAY, len(search)))


def make_promoters(rng: np.random.Generator, w: World) -> dict[str, np.ndarray]:
    """Promoters (推广员) with tiers, commission rates and superiors."""
    pop = w.pop
    cand = np.nonzero(pop.human & (pop.activity > 0))[0]
    m = max(5, int(0.02 * len(cand)))
    users = np.sort(rng.choice(cand, min(m, len(cand)), replace=False))
    tier = rng.choice([1, 2, 3], len(users), p=[0.7, 0.24, 0.06])
    rate = np.array([P.PROMOTER_TIERS[t][1] for t in tier])
    invite = np.array([P.PROMOTER_TIERS[t][2] for t in tier])
    superior = np.full(len(users), -1)
    for i in range(len(users)):
        higher = np.nonzero(tier > tier[i])[0]
        if len(higher) and rng.random() < 0.6:
            superior[i] = higher[rng.integers(0, len(higher))]
    topics = pop.top_topic[users]
    sellable = np.array([k in ("course", "bootcamp", "column") for k in w.cat.kinds])
    product = np.array([(np.nonzero(sellable & (w.cat.topic == k))[0].tolist() or [0])[0] for k in topics])
    return {"users": users, "tier": tier, "rate": rate, "invite": invite, "superior": superior,
            "product": product}


def referral_day(w: World, day: int) -> None:
    """Promoters send invites (referral_invite, invite edges); invitees may click through."""
    rng = w.rng(22, day)
    prom = w.acc["_promoters"][0]
    act = w.active(day)
    users = prom["users"]
    go = np.nonzero(act[users] & (rng.random(len(users)) < prom["invite"]))[0]
    if len(go) == 0:
        return
    owner, e = w.graph.followers_of(users[go])
    invitee = w.graph.src[e]
    keep = act[invitee] & (rng.random(len(e)) < 0.5)
    owner, invitee = owner[keep], invitee[keep]
    pi = go[owner]
    start = w.clock.day_start(day)
    t = start + rng.integers(8 * 3600 * US, 23 * 3600 * US, len(pi))
    wechat = P.SIM_PLATFORMS.index("wechat")
    plat = np.where(w.pop.present[invitee, wechat], wechat, w.pop.home[invitee])
    w.sink.add("referral_invite", t, users[pi], platform=plat, product=prom["product"][pi])
    w.put("invite", {"src": users[pi], "dst": invitee, "ts": t, "platform": plat})
    c = rng.random(len(pi)) < P.INVITE_CLICK_P
    w.sessions.add(user=invitee[c], product=prom["product"][pi[c]], channel="referral", platform=plat[c],
                   ts=t[c] + rng.integers(60 * US, 6 * 3600 * US, int(c.sum())), referrer=pi[c])


# -- tables -------------------------------------------------------------------------------

def _cat(parts: list[dict], key: str, dtype: object = np.int64) -> np.ndarray:
    return np.concatenate([x[key] for x in parts]) if parts else np.empty(0, dtype=dtype)


def orders_table(w: World) -> pa.Table:
    """The canonical ``orders`` rows (paid, refunded and renewals), in time order."""
    parts = w.get("orders")
    cols = {k: _cat(parts, k) for k in ("user", "product", "ts", "channel", "platform", "campaign",
                                         "referrer", "superior", "status")}
    amount, commission = _cat(parts, "amount", float), _cat(parts, "commission", float)
    coupon = _cat(parts, "coupon", bool)
    keep = cols["ts"] < w.clock.end_us
    order = np.argsort(cols["ts"][keep], kind="stable")
    cols = {k: v[keep][order] for k, v in cols.items()}
    amount, commission, coupon = amount[keep][order], commission[keep][order], coupon[keep][order]
    n = len(amount)

    prom = w.acc["_promoters"][0]["users"]
    ref_user = np.where(cols["referrer"] >= 0, prom[np.maximum(cols["referrer"], 0)], -1) if len(prom) else cols["referrer"]
    sup_user = np.where(cols["superior"] >= 0, prom[np.maximum(cols["superior"], 0)], -1) if len(prom) else cols["superior"]
    channels = pa.array([*P.CHANNELS, "renewal"])
    ch = np.where(cols["channel"] < 0, len(P.CHANNELS), cols["channel"])
    money = lambda x: pa.array(np.round(x, 2)).cast(pa.decimal128(18, 2))
    return pa.table({
        "order_id": ids("od", 1, n, 9), "ts": ts_array(cols["ts"]), "user_key": take(w.pop.keys_arr, cols["user"]),
        "product_id": take(w.cat.ids_arr, cols["product"]), "amount": money(amount),
        "currency": pa.array(np.full(n, "CNY")), "channel": take(channels, ch),
        "platform": take(pa.array(P.SIM_PLATFORMS), cols["platform"]),
        "campaign_id": take(w.acc["_campaign_ids"][0], cols["campaign"]),
        "coupon_id": pa.array(np.where(coupon, "cp_spring_30off", None), pa.string()),
        "referrer_user_key": take(w.pop.keys_arr, ref_user), "superior_user_key": take(w.pop.keys_arr, sup_user),
        "commission": money(commission),
        "status": take(pa.array(["paid", "refunded"]), cols["status"]),
    })


def truth_funnel_tables(w: World) -> tuple[pa.Table, pa.Table]:
    """``truth_funnel`` (every session) and ``truth_channel_purchase`` (per channel)."""
    parts = w.get("funnel")
    f = {k: _cat(parts, k, float if k.startswith("p_") else (bool if k == "coupon" else np.int64))
         for k in ("user", "product", "channel", "platform", "ts", "campaign", "referrer", "coupon",
                   "p_landing", "p_trailer", "p_cart", "p_purchase", "reach")}
    overall = f["p_landing"] * f["p_trailer"] * f["p_cart"] * f["p_purchase"]
    keep = f["ts"] < w.clock.end_us
    f = {k: v[keep] for k, v in f.items()}
    overall = overall[keep]
    n = len(overall)
    prom = w.acc["_promoters"][0]["users"]
    ref_user = np.where(f["referrer"] >= 0, prom[np.maximum(f["referrer"], 0)], -1) if len(prom) else f["referrer"]
    steps = pa.array(["click", *STEPS])
    funnel = pa.table({
        "session_id": ids("ss", 1, n, 9), "ts": ts_array(f["ts"]), "user_key": take(w.pop.keys_arr, f["user"]),
        "product_id": take(w.cat.ids_arr, f["product"]), "channel": take(pa.array(P.CHANNELS), f["channel"]),
        "platform": take(pa.array(P.SIM_PLATFORMS), f["platform"]),
        "campaign_id": take(w.acc["_campaign_ids"][0], f["campaign"]),
        "referrer_user_key": take(w.pop.keys_arr, ref_user), "coupon": pa.array(f["coupon"]),
        "p_landing": pa.array(f["p_landing"]), "p_trailer": pa.array(f["p_trailer"]),
        "p_cart": pa.array(f["p_cart"]), "p_purchase": pa.array(f["p_purchase"]),
        "p_overall": pa.array(overall), "reached": take(steps, f["reach"]),
    })
    sessions = np.bincount(f["channel"], minlength=len(P.CHANNELS))
    expected = np.bincount(f["channel"], weights=overall, minlength=len(P.CHANNELS))
    chans = pa.table({
        "channel": pa.array(P.CHANNELS), "sessions": pa.array(sessions.astype(np.int64)),
        "true_purchase_prob": pa.array(expected / np.maximum(sessions, 1), mask=sessions == 0),
        "expected_purchases": pa.array(expected),
        "expected_share": pa.array(expected / max(expected.sum(), 1e-12)),
    })
    return funnel, chans


def promoters_table(w: World) -> pa.Table:
    """The ``truth_promoters`` rows."""
    prom = w.acc["_promoters"][0]
    users = prom["users"]
    sup = np.where(prom["superior"] >= 0, users[np.maximum(prom["superior"], 0)], -1)
    return pa.table({
        "user_key": take(w.pop.keys_arr, users), "tier": pa.array(prom["tier"].astype(np.int64)),
        "tier_name": pa.array([P.PROMOTER_TIERS[t][0] for t in prom["tier"]], pa.string()),
        "commission_rate": pa.array(prom["rate"]), "superior_user_key": take(w.pop.keys_arr, sup),
        "superior_rate": pa.array(np.where(sup >= 0, P.SUPERIOR_RATE, 0.0)),
        "invite_rate": pa.array(prom["invite"]),
    })


def subscriptions_table(w: World) -> pa.Table:
    """The ``truth_subscriptions`` rows."""
    parts = w.get("subscriptions")
    ch = _cat(parts, "churned")
    return pa.table({
        "user_key": take(w.pop.keys_arr, _cat(parts, "user")), "product_id": take(w.cat.ids_arr, _cat(parts, "product")),
        "started_at": ts_array(_cat(parts, "ts")), "monthly_hazard": pa.array(_cat(parts, "hazard", float)),
        "renewals": pa.array(_cat(parts, "renewals")),
        "churned_at": pa.array(ch, mask=ch == NEVER).cast(pa.timestamp("us", tz="UTC")) if len(ch)
        else pa.array([], pa.timestamp("us", tz="UTC")),
    })


def invite_edges_table(w: World) -> pa.Table:
    """``edges`` rows of kind invite (first invite per promoter and invitee)."""
    parts = w.get("invite")
    src, dst, ts, plat = (_cat(parts, k) for k in ("src", "dst", "ts", "platform"))
    key = src * w.pop.n + dst
    order = np.lexsort((ts, key))
    _, first = np.unique(key[order], return_index=True)
    sel = np.sort(order[first])
    counts = np.bincount(np.searchsorted(np.unique(key), key), minlength=len(np.unique(key)))
    weight = counts[np.searchsorted(np.unique(key), key[sel])]
    return pa.table({"src": take(w.pop.keys_arr, src[sel]), "dst": take(w.pop.keys_arr, dst[sel]),
                     "kind": pa.array(np.full(len(sel), "invite")),
                     "platform": take(pa.array(P.SIM_PLATFORMS), plat[sel]), "ts": ts_array(ts[sel]),
                     "weight": pa.array(weight.astype(float))})
