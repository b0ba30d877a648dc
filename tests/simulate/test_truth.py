"""The data carry the ground truth: each check compares what a model would see with the truth_* tables.

Tolerances are stated per test; the shared simulation (3,000 people, 45 days, seed 7) is
deterministic, so these tests never flake.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpgrowth.simulate import params as P


def _local(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert("Asia/Shanghai")


def test_purchase_share_per_channel_matches_truth(frames):
    """Realised purchases per session channel vs the truth's expected purchases (4 SE)."""
    truth = frames["truth_channel_purchase"].set_index("channel")
    sessions = frames["truth_funnel"]
    bought = sessions.reached == "purchase"
    realised = bought.groupby(sessions.channel).sum()
    for ch, row in truth.iterrows():
        if row.sessions < 30:
            continue
        exp = row.expected_purchases
        se = np.sqrt(max(exp, 1.0))
        assert abs(realised.get(ch, 0) - exp) < 4 * se + 0.05 * exp, (ch, realised.get(ch, 0), exp)
    # and the shares of orders (excluding coupon and renewal orders) follow the expected shares
    orders = frames["orders"]
    o = orders[(orders.status == "paid") & orders.channel.isin(truth.index) & (orders.channel != "email")]
    share = o.channel.value_counts(normalize=True)
    exp_share = truth.expected_purchases.drop("email") / truth.expected_purchases.drop("email").sum()
    for ch in exp_share.index:
        assert abs(share.get(ch, 0.0) - exp_share[ch]) < 0.05, (ch, share.get(ch, 0.0), exp_share[ch])


def test_funnel_steps_follow_true_probabilities(frames):
    """Each step's realised rate equals the mean true step probability of those who reached it."""
    f = frames["truth_funnel"]
    order = ["click", "landing", "trailer_view", "add_to_cart", "purchase"]
    level = f.reached.map({s: i for i, s in enumerate(order)})
    for k, col in enumerate(["p_landing", "p_trailer", "p_cart", "p_purchase"], start=1):
        at = f[level >= k - 1]
        n = len(at)
        realised = (level[level >= k - 1] >= k).mean()
        expected = at[col].mean()
        se = np.sqrt(expected * (1 - expected) / n)
        assert abs(realised - expected) < 4 * se, (col, realised, expected)


def test_ab_test_ctrs_match_truth(frames):
    """Realised CTR per creative is inside the 99.9 % binomial interval of the true CTR."""
    spend = frames["spend"]
    ab = frames["truth_ab_test"].set_index("variant")
    for v in ("A", "B"):
        rows = spend[spend.variant == v]
        imps, clicks = rows.impressions.sum(), rows.clicks.sum()
        p = ab.loc[v, "true_ctr"]
        assert imps == ab.loc[v, "impressions"] and clicks == ab.loc[v, "clicks"]
        assert abs(clicks / imps - p) < 3.3 * np.sqrt(p * (1 - p) / imps), (v, clicks / imps, p)
    assert np.isclose(ab.loc["B", "true_lift"], ab.loc["B", "true_ctr"] / ab.loc["A", "true_ctr"] - 1)
    assert spend[spend.variant.isna()].campaign_id.nunique() == len(P.MEDIA) - 1


def test_hour_of_week_curve_is_visible(frames):
    """Engagement timestamps per local hour of week correlate with the true curve (r > 0.7).

    Impression times are exponential delays after posting thinned by the curve, so the
    realised profile is the curve blurred by the posting schedule; r is about 0.8-0.9.
    """
    ev = frames["events"]
    curve = frames["truth_hour_of_week"]
    bots = frames["truth_bots"].user_key
    eng = ev[ev.type.isin(["impression", "view", "like", "comment", "save"]) & ev.post_id.notna()
             & ~ev.user_key.isin(bots)]
    local = _local(eng.ts)
    how = local.dt.dayofweek * 24 + local.dt.hour
    for plat in ("douyin", "wechat", "xiaohongshu"):
        counts = how[eng.platform == plat].value_counts().reindex(range(168), fill_value=0)
        true = curve[curve.platform == plat].sort_values("how").multiplier.to_numpy()
        r = np.corrcoef(counts.to_numpy(), true)[0, 1]
        assert r > 0.7, (plat, r)


def test_cascade_repost_rate_per_edge_class_matches_truth(frames):
    """Reposts per exposure attempt along follow edges vs the mean true IC probability (±20 %, 4 SE)."""
    posts = frames["posts"][["post_id", "author_user_key", "posted_at"]]
    rep = frames["edges"]
    rep = rep[rep.kind == "repost"][["src", "dst", "post_id", "ts"]]
    act = pd.concat([
        posts.rename(columns={"author_user_key": "node", "posted_at": "t"})[["post_id", "node", "t"]],
        rep.rename(columns={"src": "node", "ts": "t"})[["post_id", "node", "t"]],
    ])
    truth = frames["truth_edges"]
    follows = frames["edges"]
    follows = follows[follows.kind == "follow"][["src", "dst", "ts"]].merge(truth, on=["src", "dst"])
    tu = frames["truth_users"].set_index("user_key")
    users = frames["users"].set_index("user_key")
    churn = frames["truth_churn"].set_index("user_key").churned_at
    able = tu.index[(tu.activity > 0) & (tu.bot_kind == "none")]
    follows = follows[follows.src.isin(able)]
    att = act.merge(follows, left_on="node", right_on="dst", suffixes=("", "_edge"))
    att = att[att.ts <= att.t]
    day0 = _local(att.t).dt.normalize()
    att = att[(users.first_seen.reindex(att.src).to_numpy() < (day0 + pd.Timedelta(days=1)).to_numpy())]
    day0 = _local(att.t).dt.normalize()
    ch = churn.reindex(att.src)
    att = att[(ch.isna() | (ch.to_numpy() > day0.to_numpy())).to_numpy()]
    # the child must not have been activated before the parent
    first_t = act.groupby(["post_id", "node"]).t.min()
    child_t = first_t.reindex(pd.MultiIndex.from_arrays([att.post_id, att.src])).to_numpy()
    att = att[pd.isna(child_t) | (child_t > att.t.to_numpy())]
    hit = att.merge(rep.rename(columns={"ts": "t_rep"}), left_on=["post_id", "src", "node"],
                    right_on=["post_id", "src", "dst"], how="left", suffixes=("", "_r")).t_rep.notna()
    att = att.assign(hit=hit.to_numpy())
    checked = []
    for cls, g in att.groupby("edge_class"):
        exp = g.p_cascade.sum()
        if exp < 10:
            continue
        got = g.hit.sum()
        checked.append(cls)
        assert abs(got - exp) < 4 * np.sqrt(exp) + 0.2 * exp, (cls, got, exp, len(g))
    assert "kol_follower" in checked
    exp, got = att.p_cascade.sum(), att.hit.sum()
    assert abs(got - exp) < 4 * np.sqrt(exp) + 0.1 * exp, (got, exp)


def test_bots_behave_as_labelled(frames):
    bots = frames["truth_bots"].set_index("user_key").kind
    ev = frames["events"]
    ev_b = ev[ev.user_key.isin(bots.index)]
    kinds = bots.reindex(ev_b.user_key).to_numpy()
    assert set(ev_b[kinds == "bot"].type) <= {"view", "like"}
    assert set(ev_b[kinds == "zombie"].type) <= {"follow"}
    assert set(ev_b[kinds == "spam"].type) <= {"comment"}
    assert not frames["orders"].user_key.isin(bots.index).any()
    # bot likes come in bursts: >= 30 within 10 minutes on posts seeded with a burst
    likes = ev_b[(kinds == "bot") & (ev_b.type == "like")]
    burst_posts = set(frames["truth_posts"].query("seeded_bot_burst").post_id)
    per_post = likes.groupby("post_id").ts.agg(["size", "min", "max"])
    assert set(per_post.index) <= burst_posts and len(per_post) > 0
    users = frames["users"].set_index("user_key")
    posted = frames["posts"].set_index("post_id").posted_at.reindex(per_post.index)
    born = np.sort(users.first_seen.reindex(bots[bots == "bot"].index).to_numpy())
    available = np.searchsorted(born, posted.to_numpy())
    assert (per_post["size"].to_numpy() >= np.minimum(30, available)).all()
    assert ((per_post["max"] - per_post["min"]) <= pd.Timedelta(minutes=11)).all()
    # bot accounts are young: created inside the period
    assert (users.first_seen.reindex(bots.index) >= frames["events"].ts.min() - pd.Timedelta(days=1)).all()
    # spam comments are duplicated and carry contact ids or links
    tc = frames["truth_comments"].set_index("comment_id")
    cm = frames["comments"].set_index("comment_id")
    spam = cm[tc.kind.reindex(cm.index) == "spam"]
    assert spam.user_key.isin(bots[bots == "spam"].index).all()
    assert spam.text.duplicated(keep=False).mean() > 0.5
    assert spam.text.str.contains(r"加V|加微信|http|私信|DM|加v|看我主页").all()


def test_comment_sentiment_distribution_as_configured(frames):
    tc = frames["truth_comments"]
    org = tc[tc.kind == "organic"]
    assert len(org) > 200
    for k, col in ((-1, "p_negative"), (0, "p_neutral"), (1, "p_positive")):
        realised = (org.sentiment == k).mean()
        expected = org[col].mean()
        assert abs(realised - expected) < 4 * np.sqrt(expected * (1 - expected) / len(org)), (k, realised, expected)
    assert set(org.language) == {"zh", "en", "mixed"}
    assert org.sarcasm.any() and (org[org.sarcasm].sentiment == -1).all()
    cm = frames["comments"].set_index("comment_id")
    texts = cm.text.reindex(org.comment_id)
    neg = texts[(org.sentiment == -1).to_numpy()]
    assert neg.str.contains("不推荐|不值|没有想象|not worth|waste|mid").any()


def test_spend_follows_adstock_hill_truth(frames):
    """Sessions and conversions per paid channel follow beta * hill(adstock(spend)) from the truth."""
    spend = frames["spend"]
    resp = frames["truth_channel_response"].set_index("campaign_id")
    sessions = frames["truth_funnel"]
    total_exp = total_got = 0.0
    for cid, r in resp.iterrows():
        daily = spend[spend.campaign_id == cid].groupby("date").spend.sum().astype(float).sort_index()
        x = P.adstock(daily.to_numpy(), r.decay)
        exp_sessions = r.beta * P.hill(x, half=r.half_saturation, shape=r["shape"])
        got = sessions[sessions.campaign_id == cid].groupby(
            _local(sessions.ts).dt.date).size().reindex(daily.index, fill_value=0).to_numpy()
        assert abs(got.sum() - exp_sessions.sum()) < 4 * np.sqrt(exp_sessions.sum()) + 1, (cid, got.sum(), exp_sessions.sum())
        if exp_sessions.std() > 1:
            assert np.corrcoef(got, exp_sessions)[0, 1] > 0.6, cid
        conv = spend[spend.campaign_id == cid].conversions.sum()
        total_exp += exp_sessions.sum() * r.conv_per_session
        total_got += conv
    assert abs(total_got - total_exp) < 4 * np.sqrt(total_exp) + 0.05 * total_exp, (total_got, total_exp)


def test_coupon_uplift_matches_true_effects(frames):
    up = frames["truth_uplift"]
    assert 0.4 < up.treated.mean() < 0.6
    assert np.allclose(up.true_effect, up.p_treated - up.p_control)
    ate = up[up.treated].purchased.mean() - up[~up.treated].purchased.mean()
    true = up.true_effect.mean()
    se = np.sqrt(up[up.treated].p_treated.mean() / up.treated.sum() + up[~up.treated].p_control.mean() / (~up.treated).sum())
    assert abs(ate - true) < 4 * se, (ate, true)
    assert (up.true_effect < 0).any() and (up.true_effect > 0).mean() > 0.5, "effects are heterogeneous"
    coupons = frames["orders"].coupon_id.notna()
    assert set(frames["orders"][coupons].user_key) <= set(up[up.treated].user_key)


def test_churn_follows_hazard_and_community_ratio(frames, sim):
    """Realised churn per person-day, split by community membership, matches the true hazards."""
    _, res = sim
    churn = frames["truth_churn"].set_index("user_key")
    eff = frames["truth_community_effect"].set_index("community_id").hazard_ratio
    assert set(frames["truth_community_effect"].kind) == {"wechat_group", "zsxq"} and (eff < 1).all()
    tu = frames["truth_users"].set_index("user_key")
    people = tu.index[(tu.activity > 0) & (tu.bot_kind == "none")]
    first = frames["users"].set_index("user_key").first_seen.reindex(people).to_numpy()
    churned = churn.churned_at.reindex(people).to_numpy()
    h = churn.monthly_hazard.reindex(people).to_numpy()
    start = pd.Timestamp(res.params["start"], tz="Asia/Shanghai").tz_convert("UTC")
    mem = frames["memberships"]
    mem = mem[mem.user_key.isin(people) & (mem.role == "member")]
    pos = pd.Index(people).get_indexer(mem.user_key)
    hr_mem = eff.reindex(mem.community_id).to_numpy()
    exp = {True: 0.0, False: 0.0}
    got = {True: 0, False: 0}
    for d in range(res.params["days"]):
        day_start, day_end = start + pd.Timedelta(days=d), start + pd.Timedelta(days=d + 1)
        active = (first < day_end) & (pd.isna(churned) | (churned > day_start))
        inside = (mem.joined_at < day_end) & (mem.left_at.isna() | (mem.left_at >= day_end))
        hr = np.ones(len(people))
        np.minimum.at(hr, pos[inside.to_numpy()], hr_mem[inside.to_numpy()])
        p = 1 - (1 - np.clip(h * hr, 0, 0.99)) ** (1 / 30)
        gone = active & (churned == day_end)
        for member in (True, False):
            m = active & ((hr < 1) == member)
            exp[member] += p[m].sum()
            got[member] += int(gone[m].sum())
    for member in (True, False):
        e = exp[member]
        assert e > 5, (member, e)
        assert abs(got[member] - e) < 4 * np.sqrt(e) + 0.1 * e, (member, got[member], e)


def test_promoters_and_commissions(frames):
    prom = frames["truth_promoters"].set_index("user_key")
    orders = frames["orders"]
    ref = orders[orders.referrer_user_key.notna() & (orders.status == "paid")]
    assert len(ref) > 0 and ref.referrer_user_key.isin(prom.index).all()
    rate = prom.commission_rate.reindex(ref.referrer_user_key).to_numpy()
    sup = ref.superior_user_key.notna().to_numpy() * P.SUPERIOR_RATE
    expected = np.round(ref.amount.astype(float).to_numpy() * (rate + sup), 2)
    assert np.allclose(ref.commission.astype(float).to_numpy(), expected, atol=0.011)
    assert (prom.superior_user_key.dropna().isin(prom.index)).all()
    sup_tier = prom.tier.reindex(prom.superior_user_key.dropna()).to_numpy()
    assert (sup_tier > prom.tier[prom.superior_user_key.notna()].to_numpy()).all()


def test_memberships_renew_until_churn(frames):
    subs = frames["truth_subscriptions"]
    if len(subs) == 0:
        return
    orders = frames["orders"]
    assert (orders.channel == "renewal").sum() == subs.renewals.sum()
    assert subs.monthly_hazard.between(0, 1).all()


def test_graph_is_heavy_tailed_with_planted_blocks(frames):
    follows = frames["edges"].query("kind == 'follow'")
    indeg = follows.dst.value_counts()
    assert indeg.max() > 20 * indeg.median()
    kols = frames["truth_kols"]
    assert set(kols.tier) >= {"seller", "top"}
    blocks = frames["truth_graph_communities"].set_index("user_key").block
    non_kol = follows[~follows.dst.isin(kols.user_key)]
    same = (blocks.reindex(non_kol.src).to_numpy() == blocks.reindex(non_kol.dst).to_numpy()).mean()
    assert same > 0.5, same
