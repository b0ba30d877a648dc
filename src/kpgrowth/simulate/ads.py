"""Paid campaigns: daily spend, delivery, a creative A/B test, and the true response curves.

Each paid channel's landing sessions per day are Poisson with mean
``beta * hill(adstock(spend), half_saturation, shape)``; the sessions then go through
the ordinary funnel, so conversions follow the same curve scaled by the channel's
mean true purchase probability. Platform-reported clicks are ``Binomial(impressions,
CTR)`` with the creative's true CTR (the A/B test).

Examples
--------
>>> import numpy as np
>>> spend = spend_plan(np.random.default_rng(0), 30, 1.0)
>>> spend.shape[1], bool((spend >= 0).all())
(30, True)
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.funnel import _cat, _interest_products
from kpgrowth.simulate.sink import DAY, US, take
from kpgrowth.simulate.world import World

COUPON_CAMPAIGN = "cmp_coupon_spring"


def spend_plan(rng: np.random.Generator, days: int, scale: float) -> np.ndarray:
    """(channels, days) daily spend in CNY: on/off weekly flights, weekly rhythm, noise."""
    out = np.zeros((len(P.MEDIA), days))
    t = np.arange(days)
    for c, m in enumerate(P.MEDIA):
        weeks = (days + 6) // 7
        on = rng.random(weeks) < 0.75
        on[0] = True
        level = rng.choice([0.5, 1.0, 1.6], weeks, p=[0.3, 0.45, 0.25])
        week = np.repeat(on * level, 7)[:days]
        rhythm = 1.0 + 0.15 * np.sin(2 * np.pi * (t + c) / 7)
        out[c] = np.round(m.daily_budget * scale * week * rhythm * rng.lognormal(0, 0.25, days), 2)
    return out


def make_ads(rng: np.random.Generator, w: World) -> dict:
    """Campaigns, spend, adstock and expected sessions of every paid channel."""
    scale = w.pop.n / 20_000
    spend = spend_plan(rng, w.clock.days, scale)
    ads = np.vstack([P.adstock(spend[c], m.decay) for c, m in enumerate(P.MEDIA)])
    half = np.array([m.half_saturation for m in P.MEDIA]) * scale
    shape = np.array([m.shape for m in P.MEDIA])
    beta = np.array([m.beta_per_10k for m in P.MEDIA]) * w.pop.n / 10_000
    expected = beta[:, None] * P.hill(ads, half=half[:, None], shape=shape[:, None])
    flagship = []
    for m in P.MEDIA:
        cand = [i for i, k in enumerate(w.cat.kinds) if k in ("course", "bootcamp")]
        flagship.append(cand[int(rng.integers(0, len(cand)))])
    ids = [f"cmp_{m.key}_{w.clock.start_date:%Y%m}" for m in P.MEDIA] + [COUPON_CAMPAIGN]
    cpm = np.array([m.cpm for m in P.MEDIA])[:, None] * rng.lognormal(0, 0.1, spend.shape)
    return {"spend": spend, "adstock": ads, "half": half, "shape": shape, "beta": beta,
            "expected": expected, "flagship": np.array(flagship), "ids": ids, "cpm": cpm,
            "delivery": []}


def ads_day(w: World, day: int) -> None:
    """Landing sessions from paid channels, and the platform-reported delivery."""
    rng = w.rng(30, day)
    ad = w.acc["_ads"][0]
    pop = w.pop
    act = w.active(day)
    start = w.clock.day_start(day)
    for c, m in enumerate(P.MEDIA):
        spend = ad["spend"][c, day]
        variants = ("A", "B") if m.key == P.AB_CHANNEL else (None,)
        clicks = []
        for v in variants:
            s_v = spend / len(variants)
            imps = int(rng.poisson(s_v / ad["cpm"][c, day] * 1000)) if s_v > 0 else 0
            ctr = P.AB_CTR[v] if v else m.ctr
            k = int(rng.binomial(imps, ctr)) if imps else 0
            clicks.append(k)
            ad["delivery"].append((c, day, v, s_v, imps, k))
        n_s = int(rng.poisson(ad["expected"][c, day]))
        plat = P.SIM_PLATFORMS.index(m.platform)
        wts = act * pop.activity * pop.aff[:, plat]
        if n_s == 0 or wts.sum() <= 0:
            continue
        cdf = np.cumsum(wts) / wts.sum()
        users = np.minimum(np.searchsorted(cdf, rng.random(n_s), side="right"), pop.n - 1)
        prod = np.where(rng.random(n_s) < 0.5, ad["flagship"][c], _interest_products(w, rng, users))
        variant = -1
        if len(variants) == 2:
            share_b = clicks[1] / max(1, sum(clicks)) if sum(clicks) else 0.5
            variant = (rng.random(n_s) < share_b).astype(np.int64)
        w.sessions.add(user=users, product=prod, channel=m.channel, platform=plat,
                       ts=start + rng.integers(0, DAY, n_s), campaign=c, variant=variant)


def _funnel_by_campaign(w: World) -> dict[tuple[int, int, int], tuple[int, float, float, int]]:
    """(campaign, day, variant) -> (sessions, expected conversions, revenue, conversions)."""
    parts = w.get("funnel")
    camp, day, var, reach = (_cat(parts, k) for k in ("campaign", "day", "variant", "reach"))
    prod = _cat(parts, "product")
    p_all = (_cat(parts, "p_landing", float) * _cat(parts, "p_trailer", float)
             * _cat(parts, "p_cart", float) * _cat(parts, "p_purchase", float))
    coupon = _cat(parts, "coupon", bool)
    sel = (camp >= 0) & (camp < len(P.MEDIA)) & ~coupon
    if not sel.any():
        return {}
    import pandas as pd

    bought = reach[sel] == 4
    df = pd.DataFrame({"c": camp[sel], "d": day[sel], "v": var[sel], "n": 1, "e": p_all[sel],
                       "r": np.where(bought, w.cat.price[prod[sel]], 0.0), "k": bought.astype(np.int64)})
    g = df.groupby(["c", "d", "v"], sort=True)[["n", "e", "r", "k"]].sum()
    return {(int(c), int(d), int(v)): (int(row.n), float(row.e), float(row.r), int(row.k))
            for (c, d, v), row in zip(g.index, g.itertuples(index=False))}


def campaign_tables(w: World) -> tuple[pa.Table, pa.Table]:
    """The canonical ``campaigns`` and ``spend`` rows."""
    ad = w.acc["_ads"][0]
    clock = w.clock
    n_m = len(P.MEDIA)
    end = clock.date(clock.days - 1)
    campaigns = pa.table({
        "campaign_id": pa.array(ad["ids"]),
        "name": pa.array([f"{m.platform} {m.channel} always-on ({m.key})" for m in P.MEDIA] + ["春季回流券 30% off"]),
        "channel": pa.array([m.channel for m in P.MEDIA] + ["email"]),
        "platform": pa.array([m.platform for m in P.MEDIA] + ["wechat"]),
        "objective": pa.array(["conversions"] * n_m + ["reactivation"]),
        "product_id": pa.array([w.cat.ids[i] for i in ad["flagship"]] + [None], pa.string()),
        "start_date": pa.array([clock.start_date] * (n_m + 1), pa.date32()),
        "end_date": pa.array([end] * (n_m + 1), pa.date32()),
        "budget": pa.array([f"{ad['spend'][c].sum():.2f}" for c in range(n_m)] + ["0.00"]).cast(pa.decimal128(18, 2)),
        "currency": pa.array(["CNY"] * (n_m + 1)),
    })
    conv = _funnel_by_campaign(w)
    rows = ad["delivery"]
    var_code = {None: -1, "A": 0, "B": 1}
    conversions, revenue = [], []
    for c, day, v, *_ in rows:
        tot = conv.get((c, day, var_code[v]), (0, 0.0, 0.0, 0))
        conversions.append(tot[3]); revenue.append(tot[2])
    spend = pa.table({
        "campaign_id": pa.array([ad["ids"][r[0]] for r in rows], pa.string()),
        "date": pa.array([clock.date(r[1]) for r in rows], pa.date32()),
        "platform": pa.array([P.MEDIA[r[0]].platform for r in rows], pa.string()),
        "channel": pa.array([P.MEDIA[r[0]].channel for r in rows], pa.string()),
        "variant": pa.array([r[2] for r in rows], pa.string()),
        "spend": pa.array([f"{r[3]:.2f}" for r in rows], pa.string()).cast(pa.decimal128(18, 2)),
        "currency": pa.array(["CNY"] * len(rows)),
        "impressions": pa.array([r[4] for r in rows], pa.int64()),
        "clicks": pa.array([r[5] for r in rows], pa.int64()),
        "conversions": pa.array(conversions, pa.int64()),
        "revenue": pa.array([f"{x:.2f}" for x in revenue], pa.string()).cast(pa.decimal128(18, 2)),
    })
    return campaigns, spend


def truth_ads_tables(w: World) -> tuple[pa.Table, pa.Table, pa.Table]:
    """``truth_channel_response``, ``truth_channel_contributions`` and ``truth_ab_test``."""
    ad = w.acc["_ads"][0]
    conv = _funnel_by_campaign(w)
    days = w.clock.days
    n_m = len(P.MEDIA)
    sess = np.zeros((n_m, days)); expc = np.zeros((n_m, days)); rev = np.zeros((n_m, days))
    real = np.zeros((n_m, days), dtype=np.int64)
    for (c, d, _v), (s, e, r, k) in conv.items():
        if d < days:
            sess[c, d] += s; expc[c, d] += e; rev[c, d] += r; real[c, d] += k
    conv_rate = np.where(sess.sum(1) > 0, expc.sum(1) / np.maximum(sess.sum(1), 1), 0.0)
    response = pa.table({
        "channel": pa.array([m.key for m in P.MEDIA]), "platform": pa.array([m.platform for m in P.MEDIA]),
        "campaign_id": pa.array(ad["ids"][:n_m]), "decay": pa.array([m.decay for m in P.MEDIA]),
        "half_saturation": pa.array(ad["half"]), "shape": pa.array(ad["shape"]), "beta": pa.array(ad["beta"]),
        "conv_per_session": pa.array(conv_rate), "max_conversions": pa.array(ad["beta"] * conv_rate),
        "cpm": pa.array([m.cpm for m in P.MEDIA]),
    })
    dates = [w.clock.date(d) for d in range(days)]
    contrib = pa.table({
        "date": pa.array(dates * n_m, pa.date32()),
        "channel": pa.array(np.repeat([m.key for m in P.MEDIA], days)),
        "spend": pa.array(ad["spend"].ravel()), "adstock": pa.array(ad["adstock"].ravel()),
        "expected_sessions": pa.array(ad["expected"].ravel()),
        "sessions": pa.array(sess.ravel().astype(np.int64)),
        "expected_conversions": pa.array((ad["expected"] * conv_rate[:, None]).ravel()),
        "conversions": pa.array(real.ravel()), "revenue": pa.array(np.round(rev.ravel(), 2)),
    })
    c = [m.key for m in P.MEDIA].index(P.AB_CHANNEL)
    imps = {v: sum(r[4] for r in ad["delivery"] if r[0] == c and r[2] == v) for v in ("A", "B")}
    clicks = {v: sum(r[5] for r in ad["delivery"] if r[0] == c and r[2] == v) for v in ("A", "B")}
    ab = pa.table({
        "test_id": pa.array(["creative_ab_" + P.AB_CHANNEL] * 2), "variant": pa.array(["A", "B"]),
        "campaign_id": pa.array([ad["ids"][c]] * 2),
        "true_ctr": pa.array([P.AB_CTR["A"], P.AB_CTR["B"]]),
        "true_lift": pa.array([0.0, P.AB_CTR["B"] / P.AB_CTR["A"] - 1.0]),
        "impressions": pa.array([imps["A"], imps["B"]], pa.int64()),
        "clicks": pa.array([clicks["A"], clicks["B"]], pa.int64()),
    })
    return response, contrib, ab


# -- coupon campaign with known per-user effects ------------------------------------------

def coupon_day(w: World, day: int) -> None:
    """Send the coupon (random half of eligible people) and realise purchases in the window."""
    from kpgrowth.simulate.funnel import run_sessions

    rng = w.rng(31, day)
    pop = w.pop
    act = w.active(day)
    start = w.clock.day_start(day)
    bought = np.zeros(pop.n, bool)
    for o in w.get("orders"):
        bought[o["user"]] = True
    prom = np.zeros(pop.n, bool)
    prom[w.acc["_promoters"][0]["users"]] = True
    elig = np.nonzero(act & ~bought & ~prom & (pop.arrival_us < start))[0]
    if len(elig) == 0:
        return
    treated = rng.random(len(elig)) < 0.5
    prod = _interest_products(w, rng, elig)
    z = w.topic_match(elig, prod)
    base = P.COUPON_BASE_LOGIT + 0.6 * z + 0.3 * np.log(np.maximum(pop.activity[elig], 1e-3))
    delta = 1.6 * pop.price_sens[elig] - 1.0 + rng.normal(0, 0.3, len(elig))
    p0, p1 = P.sigmoid(base), P.sigmoid(base + delta)
    sent = start + 10 * 3600 * US + rng.integers(0, 3600 * US, len(elig))
    bought_now = rng.random(len(elig)) < np.where(treated, p1, p0)
    claim = treated & (bought_now | (rng.random(len(elig)) < 0.4))
    camp = len(P.MEDIA)
    wechat = P.SIM_PLATFORMS.index("wechat")
    plat = np.where(pop.present[elig, wechat], wechat, pop.home[elig])
    w.sink.add("coupon_claim", sent[claim] + rng.integers(60 * US, 2 * DAY, int(claim.sum())), elig[claim],
               platform=plat[claim], product=prod[claim], campaign=camp,
               props=w.sink.prop(json.dumps({"coupon_id": "cp_spring_30off"})))
    b = np.nonzero(bought_now)[0]
    t = sent[b] + rng.integers(3600 * US, P.COUPON_WINDOW_DAYS * DAY, len(b))
    s = {"user": elig[b], "product": prod[b], "channel": np.full(len(b), P.CHANNELS.index("email")),
         "platform": plat[b], "ts": t, "post": np.full(len(b), -1), "campaign": np.full(len(b), camp),
         "referrer": np.full(len(b), -1), "coupon": treated[b], "variant": np.full(len(b), -1)}
    run_sessions(w, day, s, forced=True)
    obs = np.zeros(len(elig), bool)
    obs[b] = t < w.clock.end_us          # purchases after the period are not observed
    w.put("uplift", {"user": elig, "treated": treated, "product": prod, "p0": p0, "p1": p1,
                     "purchased": obs, "sent": sent})


def uplift_table(w: World) -> pa.Table:
    """The ``truth_uplift`` rows."""
    parts = w.get("uplift")
    u = _cat(parts, "user")
    p0, p1 = _cat(parts, "p0", float), _cat(parts, "p1", float)
    return pa.table({
        "user_key": take(w.pop.keys_arr, u), "treated": pa.array(_cat(parts, "treated", bool)),
        "product_id": take(w.cat.ids_arr, _cat(parts, "product")), "p_control": pa.array(p0),
        "p_treated": pa.array(p1), "true_effect": pa.array(p1 - p0),
        "purchased": pa.array(_cat(parts, "purchased", bool)),
        "sent_at": pa.array(_cat(parts, "sent")).cast(pa.timestamp("us", tz="UTC")),
    })
