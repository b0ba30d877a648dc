"""Content performance on hand-made posts (DuckDB and Spark, identical assertions) and the
hour-of-week curve recovered from the simulator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from kpgrowth.analytics.content import NONE, content_performance
from kpgrowth.errors import InputError

T = pa.timestamp("us", tz="UTC")
MON = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)  # Monday 09h in Shanghai (how 9)

POSTS = pa.table({
    "post_id": ["p1", "p2", "p3", "p1"],
    "platform": ["douyin", "douyin", "wechat", "weibo"],  # p1 exists on two platforms
    "posted_at": pa.array([MON, MON + dt.timedelta(hours=1), MON + dt.timedelta(days=2),
                           MON + dt.timedelta(days=10)], T),
    "format": ["short_video", "short_video", "article", None],
    "title": ["A", "B", "C", "D"],
    "tags": ["career, excel", "career", None, " ,excel"]})
# p1/douyin: 4 views, 1 like, 1 comment, 1 share, 1 save; p2: 2 views, 2 likes;
# p3: no views but a like; p1/weibo: 1 view; one event without platform goes to p2/douyin
TYPES = ["view"] * 4 + ["like", "comment", "share", "save"] + ["view", "view", "like", "like"] \
    + ["like"] + ["view"] + ["click"]
POST_OF = ["p1"] * 8 + ["p2"] * 4 + ["p3"] + ["p1"] + ["p1"]
PLAT = ["douyin"] * 8 + ["douyin", "douyin", "douyin", None] + ["wechat"] + ["weibo"] + ["douyin"]
EVENTS = pa.table({
    "event_id": [f"e{i}" for i in range(len(TYPES))],
    "ts": pa.array([MON + dt.timedelta(hours=i) for i in range(len(TYPES))], T),
    "type": TYPES, "post_id": POST_OF, "platform": PLAT, "user_key": ["u"] * len(TYPES)})


def test_content_by_post_and_groups(store_of):
    store = store_of({"posts": POSTS, "events": EVENTS})
    res = content_performance(store, tz="Asia/Shanghai")
    rows = {(r["key"], r["platform"]): r for r in res.rows}
    p1 = rows[("p1", "douyin")]
    assert [p1[m] for m in ("views", "likes", "comments", "shares", "saves")] == [4, 1, 1, 1, 1]
    assert p1["engagements"] == 3 and p1["engagement_rate"] == pytest.approx(0.75)
    assert (rows[("p2", "douyin")]["views"], rows[("p2", "douyin")]["likes"]) == (2, 2)
    assert rows[("p2", "douyin")]["engagement_rate"] == pytest.approx(1.0)
    assert rows[("p3", "wechat")]["engagement_rate"] is None  # no views
    assert rows[("p1", "weibo")]["views"] == 1 and rows[("p1", "weibo")]["likes"] == 0
    assert res.totals == {"posts": 4, "views": 7, "likes": 4, "comments": 1, "shares": 1,
                          "saves": 1, "engagement_rate": pytest.approx(6 / 7)}
    assert [r["key"] for r in res.best(2, min_views=1)] == ["p2", "p1"]
    assert res.worst(1)[0]["platform"] == "weibo"  # rate 0
    # period: only posts published on Jan 5..7 (Shanghai)
    assert content_performance(store, start="2026-01-05", end="2026-01-07",
                               tz="Asia/Shanghai").totals["posts"] == 3

    plat = {r["key"]: r for r in content_performance(store, by="platform", tz="UTC").rows}
    assert (plat["douyin"]["posts"], plat["douyin"]["views"], plat["douyin"]["likes"]) == (2, 6, 3)
    assert plat["douyin"]["engagement_rate"] == pytest.approx(5 / 6)
    fmt = {r["key"]: r for r in content_performance(store, by="format", tz="UTC").rows}
    assert fmt[NONE]["views"] == 1 and fmt["short_video"]["posts"] == 2
    tags = {r["key"]: (r["posts"], r["views"], r["likes"])
            for r in content_performance(store, by="tag", tz="UTC").rows}
    assert tags == {"career": (2, 6, 3), "excel": (2, 5, 1)}
    how = {r["key"]: r["posts"] for r in content_performance(store, by="hour_of_week",
                                                             tz="Asia/Shanghai").rows}
    assert how == {9: 1, 10: 1, 57: 1, 81: 1}  # Mon 9h, Mon 10h, Wed 9h, Thu 9h


def test_event_clock_bad_input_and_figures(store_of):
    store = store_of({"posts": POSTS, "events": EVENTS})
    ev = {r["key"]: r for r in content_performance(store, by="hour_of_week", clock="event",
                                                   tz="UTC").rows}
    # event i happens at Monday 01h + i hours; click (i = 14) is not engagement
    assert sorted(ev) == list(range(1, 15))
    assert ev[1]["views"] == 1 and ev[5]["likes"] == 1 and ev[5]["posts"] == 1
    res = content_performance(store, by="hour_of_week", tz="Asia/Shanghai")
    assert res.figure().data[0].type == "heatmap"
    assert len(res.to_frame()) == len(res.rows) and res.to_dict()["by"] == "hour_of_week"
    assert content_performance(store, by="platform").figure().data[0].type == "bar"
    with pytest.raises(InputError):
        content_performance(store, by="topic")


def test_hour_of_week_matches_simulator_truth(sim):
    """Engagement by local hour of week follows the main platform's true activity curve."""
    posts = sim.table("posts")
    counts = posts.group_by("platform").aggregate(n=posts.count()).to_pyarrow().to_pylist()
    main = max(counts, key=lambda r: (r["n"], r["platform"]))["platform"]
    truth = sim.table("truth_hour_of_week")
    curve = {r["how"]: r["multiplier"] for r in truth.filter(truth.platform == main)
             .select("how", "multiplier").to_pyarrow().to_pylist()}
    res = content_performance(sim, by="hour_of_week", clock="event", platforms=[main])
    assert res.tz == "Asia/Shanghai"
    per = {r["key"]: r["engagements"] for r in res.rows}
    x = np.array([per.get(h, 0) for h in range(168)], float)
    y = np.array([curve[h] for h in range(168)])
    r = np.corrcoef(x, y)[0, 1]
    print(f"main platform {main}: r = {r:.3f}")
    assert r > 0.5
