"""Posts by the seller's accounts and KOLs, their diffusion (independent cascade) and engagement.

Each day's posts reach people three ways: followers of the author who see them,
the platform feed (people drawn by platform affinity and activity, kept by topic
interest), and reposts: an independent cascade over the follow graph with the
per-edge probabilities of ``truth_edges``. Every impression may become a view,
and a view a like, comment, save, follow or a click into the product funnel.

Examples
--------
>>> import numpy as np
>>> from kpgrowth.simulate.sink import Clock
>>> posts_per_day(20_000)
12
>>> watch_fraction(np.random.default_rng(0), np.array([0.9, 0.1])).shape
(2,)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from kpgrowth.simulate import params as P
from kpgrowth.simulate.sink import US, take, ts_array
from kpgrowth.simulate.social import EDGE_CLASSES, edge_p
from kpgrowth.simulate.timing import CURVES, curve_times, post_times
from kpgrowth.simulate.world import World

_PLAT = {p: i for i, p in enumerate(P.SIM_PLATFORMS)}
SELLER_PLATFORM_P = np.array([0.24, 0.10, 0.24, 0.18, 0.08, 0.08, 0.04, 0.04])
FEED_RATE = 1.0
"""Feed impressions per active person per day (spread over the day's posts)."""
_DURATION = {"short_video": (15, 90), "video": (300, 1200), "live": (1800, 5400), "article": (60, 300),
             "note": (20, 90), "image": (5, 30), "text": (10, 60), "audio": (300, 900), "other": (10, 60)}
_TITLE_ZH = ("3个{w}技巧，学完直接用", "为什么你学不会{w}？", "{w}避坑指南｜新手必看", "我靠{w}每月多赚了5000",
             "{zh}人必看：{w}的底层逻辑", "30天{w}挑战 Day{d}", "直播预告｜{w}答疑")
_TITLE_EN = ("3 {W} tips you can use today", "Why you're stuck at {W}", "{W}: mistakes beginners make",
             "Day {d} of my 30-day {W} challenge", "Live tonight: {W} Q&A")
_TEXT_ZH = ("干货分享，建议收藏！{w}其实没那么难。课程链接在评论区👇", "今天聊聊{w}，评论区告诉我你的问题～",
            "很多同学问{w}怎么入门，整理了一份清单。#{zh} #{w}", "{w}实操演示，跟着做就行。想系统学的看主页课程。")
_TEXT_EN = ("Save this for later! {W} made simple. Link in bio.", "Let's talk {W} — drop your questions below.",
            "Beginner roadmap for {W}. #{EN} #learning")
_HANDLE_A = ("小", "阿", "老", "大", "Dr.", "Miss", "")
_HANDLE_B = ("鹿", "鱼", "白", "林", "周", "K", "Momo", "Leo", "七七", "桃子", "一一", "安安")


def posts_per_day(n_users: int) -> int:
    """Mean number of posts per day for a business with ``n_users`` people."""
    return round(8 + 4 * np.sqrt(n_users / 20_000))


def watch_fraction(rng: np.random.Generator, quality: np.ndarray) -> np.ndarray:
    """Fraction of a post watched/read; better posts are watched longer."""
    return rng.beta(0.6 + 2.5 * quality, 1.2)


@dataclass
class Posts:
    """Arrays describing every post (index = post number)."""

    n: int
    ids: pa.Array
    day: np.ndarray
    author: np.ndarray
    is_kol: np.ndarray
    platform: np.ndarray
    topic: np.ndarray
    product: np.ndarray
    quality: np.ndarray
    fmt: list[str]
    ts: np.ndarray
    duration: np.ndarray
    burst: np.ndarray
    title: list[str]
    text: list[str]
    by_day: list[np.ndarray]


def make_posts(rng: np.random.Generator, w: World) -> Posts:
    """Schedule every post of the period."""
    pop, g, cat, clock = w.pop, w.graph, w.cat, w.clock
    counts = rng.poisson(posts_per_day(pop.n), clock.days)
    n = int(counts.sum())
    day = np.repeat(np.arange(clock.days), counts)
    is_kol = rng.random(n) < 0.6
    kol_w = 1.0 + 2.0 * g.kol_paid
    kol_pick = g.kols[rng.choice(len(g.kols), n, p=kol_w / kol_w.sum())]
    seller_plat = rng.choice(len(P.SIM_PLATFORMS), n, p=SELLER_PLATFORM_P)
    author = np.where(is_kol, kol_pick, g.sellers[seller_plat])
    platform = np.where(is_kol, pop.home[author], seller_plat)
    topic = np.where(is_kol & (rng.random(n) < 0.8), pop.top_topic[author], rng.integers(0, P.K, n))
    promote = rng.random(n) < np.where(is_kol, np.where(np.isin(author, g.kols[g.kol_paid]), 0.9, 0.3), 0.8)
    product = np.full(n, -1, dtype=np.int64)
    sellable = np.array([k not in ("community",) for k in cat.kinds])
    for k in range(P.K):
        choices = np.nonzero((cat.topic == k) & sellable)[0]
        sel = np.nonzero(promote & (topic == k))[0]
        if len(choices) and len(sel):
            product[sel] = choices[rng.integers(0, len(choices), len(sel))]
    quality = np.where(is_kol, rng.beta(3.0, 2.0, n), rng.beta(2.5, 2.5, n))
    fmt = [P.PLATFORM_FORMATS[P.SIM_PLATFORMS[p]][rng.integers(0, len(P.PLATFORM_FORMATS[P.SIM_PLATFORMS[p]]))]
           for p in platform]
    ts = np.empty(n, dtype=np.int64)
    for d in range(clock.days):
        sel = np.nonzero(day == d)[0]
        ts[sel] = post_times(rng, clock, d, platform[sel])
    lo = np.array([_DURATION[f][0] for f in fmt])
    hi = np.array([_DURATION[f][1] for f in fmt])
    duration = rng.integers(lo, hi + 1).astype(float)
    burst = rng.random(n) < np.where(is_kol, 0.12, 0.05)
    title, text = [], []
    for i in range(n):
        t = P.TOPICS[topic[i]]
        j = int(rng.integers(0, len(t.words_zh)))
        en = P.SIM_PLATFORMS[platform[i]] in ("tiktok", "instagram")
        f = {"w": t.words_zh[j], "W": t.words_en[j], "zh": t.zh, "EN": t.en, "d": int(rng.integers(1, 31))}
        bank_t, bank_x = (_TITLE_EN, _TEXT_EN) if en else (_TITLE_ZH, _TEXT_ZH)
        title.append(bank_t[int(rng.integers(0, len(bank_t)))].format(**f))
        text.append(bank_x[int(rng.integers(0, len(bank_x)))].format(**f))
    order = np.lexsort((ts,))
    cols = [day, author, is_kol, platform, topic, product, quality, ts, duration, burst]
    day, author, is_kol, platform, topic, product, quality, ts, duration, burst = (c[order] for c in cols)
    fmt = [fmt[i] for i in order]
    title = [title[i] for i in order]
    text = [text[i] for i in order]
    by_day = [np.nonzero(day == d)[0] for d in range(clock.days)]
    ids = pa.array([f"pt{i + 1:08d}" for i in range(n)])
    return Posts(n, ids, day, author, is_kol, platform, topic, product, quality, fmt, ts, duration,
                 burst, title, text, by_day)


def handles(pop_keys: list[str], nodes: np.ndarray, sellers: np.ndarray) -> dict[int, str]:
    """Display handles of the posting accounts (deterministic from the user number)."""
    out: dict[int, str] = {}
    for j, s in enumerate(sellers):
        out[int(s)] = f"知识小站·{P.SIM_PLATFORMS[j]}官方"
    for v in nodes:
        v = int(v)
        if v not in out:
            out[v] = _HANDLE_A[v % len(_HANDLE_A)] + _HANDLE_B[(v // 7) % len(_HANDLE_B)] + f"学长{v % 97}"
    return out


def posts_table(w: World, posts: Posts) -> pa.Table:
    """The canonical ``posts`` rows."""
    names = handles(w.pop.keys, np.unique(posts.author), w.graph.sellers)
    domains = {"wechat": "mp.weixin.qq.com/s", "weibo": "weibo.com/detail", "douyin": "www.douyin.com/video",
               "xiaohongshu": "www.xiaohongshu.com/explore", "bilibili": "www.bilibili.com/video",
               "zhihu": "zhuanlan.zhihu.com/p", "tiktok": "www.tiktok.com/video", "instagram": "www.instagram.com/p"}
    plat = np.array(P.SIM_PLATFORMS)[posts.platform]
    ids = posts.ids.to_pylist()
    tags = [f"{P.TOPICS[t].zh},{P.TOPICS[t].key}" for t in posts.topic]
    return pa.table({
        "post_id": posts.ids, "platform": pa.array(plat),
        "account": pa.array([names[int(a)] for a in posts.author]),
        "author_user_key": take(w.pop.keys_arr, posts.author), "posted_at": ts_array(posts.ts),
        "format": pa.array(posts.fmt), "title": pa.array(posts.title), "text": pa.array(posts.text),
        "tags": pa.array(tags), "product_id": take(w.cat.ids_arr, posts.product),
        "url": pa.array([f"https://{domains[p]}/{i}" for p, i in zip(plat, ids)]),
    })


def truth_posts_table(w: World, posts: Posts) -> pa.Table:
    """The ``truth_posts`` rows."""
    how = w.clock.how(posts.ts)
    return pa.table({
        "post_id": posts.ids, "platform": pa.array(np.array(P.SIM_PLATFORMS)[posts.platform]),
        "author_user_key": take(w.pop.keys_arr, posts.author),
        "author_kind": pa.array(np.where(posts.is_kol, "kol", "seller")),
        "topic": pa.array(np.array([t.key for t in P.TOPICS])[posts.topic]),
        "quality": pa.array(posts.quality), "product_id": take(w.cat.ids_arr, posts.product),
        "how": pa.array(how.astype(np.int64)), "how_multiplier": pa.array(CURVES[posts.platform, how]),
        "seeded_bot_burst": pa.array(posts.burst),
    })


def _logit(step: str, z: np.ndarray, q: np.ndarray, lm: np.ndarray) -> np.ndarray:
    c = P.ENGAGEMENT_COEFS[step]
    return c["intercept"] + c["match"] * z + c["quality"] * (q - 0.5) * 2 + c["how"] * lm


Arrays = tuple[np.ndarray, ...]


def _cascade(w: World, rng: np.random.Generator, posts: Posts, idx: np.ndarray,
             act: np.ndarray) -> tuple[Arrays, Arrays]:
    """Independent cascade from each post's author; returns exposures and reposts."""
    pop, g, clock = w.pop, w.graph, w.clock
    n = pop.n
    f_post, f_node, f_time = idx, posts.author[idx], posts.ts[idx]
    activated = np.sort(f_post * n + f_node)
    ex_post, ex_user, ex_t = [], [], []
    rp_post, rp_user, rp_parent, rp_t = [], [], [], []
    for _ in range(P.CASCADE_MAX_DEPTH):
        if len(f_node) == 0:
            break
        owner, e = g.followers_of(f_node)
        child, jp, tpar = g.src[e], f_post[owner], f_time[owner]
        keys = jp * n + child
        pos = np.searchsorted(activated, keys)
        seen = activated[np.minimum(pos, len(activated) - 1)] == keys
        ok = act[child] & (g.ts[e] <= tpar) & ~seen
        child, jp, tpar, e, keys, owner = child[ok], jp[ok], tpar[ok], e[ok], keys[ok], owner[ok]
        succ = rng.random(len(e)) < g.p[e]
        vis = ~succ & (rng.random(len(e)) < P.FOLLOWER_VISIBILITY * np.minimum(1.0, pop.activity[child]))
        ex_post.append(jp[vis]); ex_user.append(child[vis])
        ex_t.append(curve_times(rng, clock, tpar[vis], posts.platform[jp[vis]], 12.0))
        s = np.nonzero(succ)[0]
        uniq, first = np.unique(keys[s], return_index=True)
        s = s[first]
        t_new = curve_times(rng, clock, tpar[s], posts.platform[jp[s]], 3.0)
        rp_post.append(jp[s]); rp_user.append(child[s]); rp_parent.append(f_node[owner[s]]); rp_t.append(t_new)
        activated = np.union1d(activated, uniq)
        f_post, f_node, f_time = jp[s], child[s], t_new
    cat = lambda xs: np.concatenate(xs) if xs else np.empty(0, dtype=np.int64)
    return (cat(ex_post), cat(ex_user), cat(ex_t)), (cat(rp_post), cat(rp_user), cat(rp_parent), cat(rp_t))


def _feed(w: World, rng: np.random.Generator, posts: Posts, idx: np.ndarray,
          act: np.ndarray) -> Arrays:
    """Platform-feed exposures: drawn by activity x platform affinity, kept by topic interest."""
    pop = w.pop
    n_act = int(act.sum())
    boost = np.where(posts.is_kol[idx], 1.0 + np.log1p(w.graph.indeg[posts.author[idx]] / 500.0), 1.0)
    reach = rng.poisson(FEED_RATE * n_act / max(1, len(idx)) * (0.4 + 1.2 * posts.quality[idx]) * boost
                        / boost.mean())
    out_p, out_u = [], []
    for plat in np.unique(posts.platform[idx]):
        sel = idx[posts.platform[idx] == plat]
        r = reach[posts.platform[idx] == plat]
        wts = act * pop.activity * pop.aff[:, plat]
        total = wts.sum()
        if total <= 0:
            continue
        cdf = np.cumsum(wts) / total
        jp = np.repeat(sel, r)
        users = np.minimum(np.searchsorted(cdf, rng.random(len(jp)), side="right"), pop.n - 1)
        keep = rng.random(len(jp)) < np.minimum(1.0, 0.3 + 2.0 * pop.theta[users, posts.topic[jp]])
        out_p.append(jp[keep]); out_u.append(users[keep])
    jp = np.concatenate(out_p) if out_p else np.empty(0, dtype=np.int64)
    users = np.concatenate(out_u) if out_u else np.empty(0, dtype=np.int64)
    return jp, users, curve_times(rng, w.clock, posts.ts[jp], posts.platform[jp], 18.0)


def engage_day(w: World, posts: Posts, day: int) -> None:
    """Simulate exposure, diffusion and engagement for the posts of ``day``."""
    idx = posts.by_day[day]
    if len(idx) == 0:
        return
    rng = w.rng(10, day)
    pop, clock, sink, n = w.pop, w.clock, w.sink, w.pop.n
    act = w.active(day)
    (fp, fu, ft), (rp, ru, rpar, rt) = _cascade(w, rng, posts, idx, act)
    gp, gu, gt = _feed(w, rng, posts, idx, act)
    # exposures: reposters first (they certainly saw it), then the earliest other exposure
    e_post = np.concatenate([rp, fp, gp])
    e_user = np.concatenate([ru, fu, gu])
    e_t = np.concatenate([rt - 60 * US, ft, gt])
    e_rep = np.concatenate([np.ones(len(rp), bool), np.zeros(len(fp) + len(gp), bool)])
    order = np.lexsort((e_t, ~e_rep, e_post * n + e_user))
    e_post, e_user, e_t, e_rep = e_post[order], e_user[order], e_t[order], e_rep[order]
    _, first = np.unique(e_post * n + e_user, return_index=True)
    keep = first[e_user[first] != posts.author[e_post[first]]]
    e_post, e_user, e_t, e_rep = e_post[keep], e_user[keep], e_t[keep], e_rep[keep]
    plat = posts.platform[e_post]
    prod = posts.product[e_post]
    has_prod = prod >= 0
    z = np.empty(len(e_post))
    z[has_prod] = w.topic_match(e_user[has_prod], prod[has_prod])
    z[~has_prod] = w.topic_match_topic(e_user[~has_prod], posts.topic[e_post[~has_prod]])
    q = posts.quality[e_post]
    lm = np.log(CURVES[plat, clock.how(e_t)])
    sink.add("impression", e_t, e_user, platform=plat, post=e_post)
    viewed = e_rep | (rng.random(len(e_post)) < P.sigmoid(_logit("view", z, q, lm)))
    v = np.nonzero(viewed)[0]
    frac = watch_fraction(rng, q[v])
    frac = np.where(frac > 0.9, 1.0, frac)
    dur = posts.duration[e_post[v]]
    t_view = e_t[v] + 2 * US
    sink.add("view", t_view, e_user[v], platform=plat[v], post=e_post[v], value=np.round(frac * dur, 1))
    pm = {"post": [e_post, e_post[v]], "ts": [e_t, t_view], "type": [np.zeros(len(e_post), int), np.ones(len(v), int)],
          "user": [e_user, e_user[v]], "watch": [np.full(len(e_post), np.nan), frac * dur],
          "done": [np.zeros(len(e_post), bool), frac >= 1.0]}
    zv, qv, lmv, pv, uv, jv = z[v], q[v], lm[v], plat[v], e_user[v], e_post[v]
    bonus = np.where(e_rep[v], 1.5, 0.0)
    for code, step in ((2, "like"), (3, "comment"), (5, "save"), (6, "follow")):
        hit = rng.random(len(v)) < P.sigmoid(_logit(step, zv, qv, lmv) + bonus)
        if step == "follow":
            hit &= ~_follows(w, uv, posts.author[jv])
        h = np.nonzero(hit)[0]
        t = t_view[h] + (rng.exponential(90.0, len(h)) * US).astype(np.int64) + US
        sink.add(step, t, uv[h], platform=pv[h], post=jv[h])
        pm["post"].append(jv[h]); pm["ts"].append(t); pm["type"].append(np.full(len(h), code))
        pm["user"].append(uv[h]); pm["watch"].append(np.full(len(h), np.nan)); pm["done"].append(np.zeros(len(h), bool))
        if step == "comment":
            w.put("comment_req", {"user": uv[h], "post": jv[h], "ts": t, "kind": np.zeros(len(h), np.int64)})
        if step == "follow":
            a = posts.author[jv[h]]
            cls = np.where(np.isin(a, np.concatenate([w.graph.kols, w.graph.sellers])), 2,
                           np.where(pop.block[uv[h]] == pop.block[a], 0, 1))
            w.put("new_follow", {"src": uv[h], "dst": a, "ts": t, "cls": cls,
                                 "p": edge_p(rng, pop, uv[h], a, cls)})
    # reposts: share events and repost edges
    sink.add("share", rt, ru, platform=posts.platform[rp], post=rp)
    pm["post"].append(rp); pm["ts"].append(rt); pm["type"].append(np.full(len(rp), 4)); pm["user"].append(ru)
    pm["watch"].append(np.full(len(rp), np.nan)); pm["done"].append(np.zeros(len(rp), bool))
    w.put("repost", {"src": ru, "dst": rpar, "post": rp, "ts": rt})
    # clicks into the funnel (posts that promote a product)
    cl = np.nonzero(has_prod[v])[0]
    c = P.FUNNEL_COEFS["click"]
    pc = P.sigmoid(c["intercept"] + c["match"] * zv[cl] + c["quality"] * (w.cat.quality[prod[v][cl]] - 0.5) * 2)
    cl = cl[rng.random(len(cl)) < pc]
    ch = np.where(posts.is_kol[jv[cl]], 2, 0)
    w.sessions.add(user=uv[cl], product=prod[v][cl], channel=ch, platform=pv[cl],
                   ts=t_view[cl] + (rng.exponential(60.0, len(cl)) * US).astype(np.int64), post=jv[cl])
    _bots(w, rng, posts, idx, pm)
    _post_metrics(w, posts, pm)


def _follows(w: World, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Whether ``src`` already follows ``dst`` in the initial graph."""
    g = w.graph
    keys = g.dst * g.n + g.src  # sorted: edges are ordered by (dst, src)
    q = dst * g.n + src
    pos = np.minimum(np.searchsorted(keys, q), max(len(keys) - 1, 0))
    return keys[pos] == q if len(keys) else np.zeros(len(q), bool)


def _bots(w: World, rng: np.random.Generator, posts: Posts, idx: np.ndarray, pm: dict) -> None:
    """Fake engagement: like bursts from young bot accounts, duplicate spam comments."""
    pop, sink = w.pop, w.sink
    for kind, code in (("bot", 1), ("spam", 2)):
        allbots = np.nonzero(pop.bot == code)[0]
        if kind == "bot":
            targets = idx[posts.burst[idx]]
            for j in targets:
                pool = allbots[pop.arrival_us[allbots] < posts.ts[j]]
                k = min(len(pool), int(rng.integers(30, 150)))
                if k == 0:
                    continue
                users = rng.choice(pool, k, replace=False)
                t0 = posts.ts[j] + int(rng.integers(5, 30)) * 60 * US
                t = t0 + rng.integers(0, 10 * 60 * US, k)
                sink.add("view", t, users, platform=posts.platform[j], post=j, value=rng.uniform(1, 3, k).round(1))
                sink.add("like", t + 3 * US, users, platform=posts.platform[j], post=j)
                for typ, tt in ((1, t), (2, t + 3 * US)):
                    pm["post"].append(np.full(k, j)); pm["ts"].append(tt); pm["type"].append(np.full(k, typ))
                    pm["user"].append(users); pm["watch"].append(np.full(k, 2.0) if typ == 1 else np.full(k, np.nan))
                    pm["done"].append(np.zeros(k, bool))
        else:
            targets = idx[rng.random(len(idx)) < 0.15]
            for j in targets:
                pool = allbots[pop.arrival_us[allbots] < posts.ts[j]]
                k = min(len(pool), int(rng.integers(1, 5)))
                if k == 0:
                    continue
                users = rng.choice(pool, k, replace=False)
                t = posts.ts[j] + rng.integers(60 * US, 3 * 3600 * US, k)
                template = int(rng.integers(0, 1 << 20))
                sink.add("comment", t, users, platform=posts.platform[j], post=j)
                w.put("comment_req", {"user": users, "post": np.full(k, j), "ts": t,
                                      "kind": np.full(k, 1 + template)})
                pm["post"].append(np.full(k, j)); pm["ts"].append(t); pm["type"].append(np.full(k, 3))
                pm["user"].append(users); pm["watch"].append(np.full(k, np.nan)); pm["done"].append(np.zeros(k, bool))


def zombie_day(w: World, day: int) -> None:
    """Zombie followers: on some days a burst of young accounts follows one account within an hour."""
    rng = w.rng(11, day)
    pop, g = w.pop, w.graph
    if rng.random() > 0.15:
        return
    start = w.clock.day_start(day)
    pool = np.nonzero((pop.bot == 3) & (pop.arrival_us < start))[0]
    if len(pool) < 5:
        return
    targets = np.concatenate([g.kols, g.sellers])
    dst = int(targets[rng.integers(0, len(targets))])
    k = int(rng.integers(min(len(pool), 20), len(pool) + 1))
    users = rng.choice(pool, k, replace=False)
    t = start + int(rng.integers(0, 23)) * 3600 * US + rng.integers(0, 3600 * US, k)
    w.sink.add("follow", t, users, platform=int(pop.home[dst]))
    w.put("new_follow", {"src": users, "dst": np.full(k, dst), "ts": t, "cls": np.full(k, 2),
                         "p": np.zeros(k)})


def _post_metrics(w: World, posts: Posts, pm: dict) -> None:
    """Aggregate the day's post events into daily per-post metrics (platform-local date)."""
    df = pd.DataFrame({k: np.concatenate(v) for k, v in pm.items()})
    df = df[(df.ts >= w.clock.start_us) & (df.ts < w.clock.end_us)]
    if df.empty:
        return
    df["date"] = w.clock.day_of(df.ts.to_numpy())
    names = {0: "impressions", 1: "views", 2: "likes", 3: "comments", 4: "shares", 5: "saves", 6: "follows"}
    counts = df.groupby(["post", "date", "type"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(names), fill_value=0).rename(columns=names)
    views = df[df.type == 1]
    g = views.groupby(["post", "date"])
    extra = pd.DataFrame({"viewers": g.user.nunique(), "completion_rate": g.done.mean(),
                          "avg_watch_seconds": g.watch.mean()})
    out = counts.join(extra, how="left").reset_index()
    out["viewers"] = out["viewers"].fillna(0).astype(np.int64)
    w.put("post_metrics", out)


def post_metrics_table(w: World, posts: Posts) -> pa.Table:
    """The canonical ``post_metrics`` rows."""
    parts = w.get("post_metrics")
    if not parts:
        return pa.table({"post_id": pa.array([], pa.string())})
    df = pd.concat(parts, ignore_index=True).sort_values(["post", "date"], kind="stable")
    dates = np.array([w.clock.date(int(d)) for d in range(w.clock.days)])
    plat = np.array(P.SIM_PLATFORMS)[posts.platform[df.post.to_numpy()]]
    cols: dict[str, object] = {"post_id": take(posts.ids, df.post.to_numpy()), "platform": pa.array(plat),
                               "date": pa.array(dates[df.date.to_numpy()], pa.date32())}
    for c in ("impressions", "views", "viewers", "likes", "comments", "shares", "saves", "follows"):
        cols[c] = pa.array(df[c].to_numpy(np.int64))
    for c in ("completion_rate", "avg_watch_seconds"):
        x = df[c].to_numpy(float)
        cols[c] = pa.array(np.round(x, 4), mask=np.isnan(x))
    return pa.table(cols)


def repost_edges_table(w: World) -> pa.Table:
    """``edges`` rows of kind repost (src reposted dst's post)."""
    parts = w.get("repost")
    src = np.concatenate([p["src"] for p in parts]) if parts else np.empty(0, np.int64)
    dst = np.concatenate([p["dst"] for p in parts]) if parts else np.empty(0, np.int64)
    post = np.concatenate([p["post"] for p in parts]) if parts else np.empty(0, np.int64)
    ts = np.concatenate([p["ts"] for p in parts]) if parts else np.empty(0, np.int64)
    keep = ts < w.clock.end_us
    src, dst, post, ts = src[keep], dst[keep], post[keep], ts[keep]
    posts_ids = w.acc["_posts"][0].ids
    return pa.table({"src": take(w.pop.keys_arr, src), "dst": take(w.pop.keys_arr, dst),
                     "kind": pa.array(np.full(len(src), "repost")),
                     "platform": take(pa.array(P.SIM_PLATFORMS), w.acc["_posts"][0].platform[post]),
                     "post_id": take(posts_ids, post), "ts": ts_array(ts), "weight": pa.array(np.ones(len(src)))})


__all__ = [
    "EDGE_CLASSES",
    "Posts",
    "engage_day",
    "make_posts",
    "post_metrics_table",
    "posts_table",
    "repost_edges_table",
    "truth_posts_table",
    "zombie_day",
]
