"""``/v1/analytics`` routes return the library's Results."""

from __future__ import annotations

import pytest


def test_forecast_route(api):
    r = api.get("/v1/analytics/forecast?metric=orders&h=5")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["metric"] == "orders" and len(body["forecast"]) == 5
    assert body["model"] == "SeasonalNaive" and body["backtest"] is None  # 14 days: baseline
    first = body["forecast"][0]
    assert first["lo-95"] <= first["mean"] <= first["hi-95"]
    assert api.client.get("/v1/analytics/forecast").status_code == 401


def test_forecast_route_refuses_bad_parameters(api):
    r = api.get("/v1/analytics/forecast?metric=vibes")
    assert r.status_code == 422 and r.json()["field"] == "query.metric"
    assert api.get("/v1/analytics/forecast?h=0").status_code == 422


def test_funnel_retention_attribution_channels_routes(api):
    f = api.get("/v1/analytics/funnel?steps=click,landing,purchase&window=1d&breakdown=platform")
    assert f.status_code == 200, f.text
    body = f.json()
    assert [r["name"] for r in body["overall"]] == ["click", "landing", "purchase"]
    counts = [r["count"] for r in body["overall"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert body["by"]
    r = api.get("/v1/analytics/retention?period=day&periods=3").json()
    assert r["curve"][0]["rate"] == 1.0
    a = api.get("/v1/analytics/attribution").json()
    assert {"markov", "shapley"} <= set(a["models"])
    c = api.get("/v1/analytics/channels?by=campaign").json()
    assert c["rows"] and "roas" in c["rows"][0]


def test_analytics_routes_refuse_bad_parameters(api):
    assert api.get("/v1/analytics/funnel?window=two%20weeks").status_code == 422
    assert api.get("/v1/analytics/funnel?steps=click,nonsense").status_code == 422
    assert api.get("/v1/analytics/retention?period=decade").status_code == 422
    assert api.get("/v1/analytics/channels?start=yesterday").status_code == 422


def test_content_route_equals_content_performance(api):
    from kpgrowth.analytics.content import content_performance
    from kpgrowth.result import jsonable

    res = content_performance(api.ws, by="format")
    body = api.get("/v1/analytics/content?by=format&best=2&worst=2&limit=3").json()
    assert body["totals"] == res.totals and body["total_rows"] == len(res.rows)
    assert body["rows"] == res.rows[:3] and len(body["rows"]) == 3
    assert body["best"] == res.best(2) and body["worst"] == res.worst(2)
    one = content_performance(api.ws, by="post", platforms=["douyin", "wechat"])
    r = api.get("/v1/analytics/content?platform=wechat&platform=douyin&best=0&worst=0").json()
    assert r["totals"] == one.totals and r["best"] == r["worst"] == []
    posts = content_performance(api.ws)
    p = api.get("/v1/analytics/content?best=3&worst=2&min_views=2").json()
    assert p["best"] == jsonable(posts.best(3, min_views=2)) and len(p["best"]) == 3
    assert p["worst"] == jsonable(posts.worst(2, min_views=2))
    assert p["rows"][0]["posted_at"] == posts.rows[0]["posted_at"].isoformat()
    assert {x["platform"] for x in r["rows"]} <= {"douyin", "wechat"}
    hours = api.get("/v1/analytics/content?by=hour_of_week&clock=event").json()
    assert all(isinstance(x["key"], int) and 0 <= x["key"] < 168 for x in hours["rows"])
    assert api.client.get("/v1/analytics/content").status_code == 401


def test_community_rfm_engagement_routes_equal_the_library(api):
    from kpgrowth.analytics.community import community_health
    from kpgrowth.analytics.engagement_index import engagement_index, fit_engagement_weights
    from kpgrowth.analytics.rfm import rfm

    c = api.get("/v1/analytics/community?period=month").json()
    assert c["rows"] == community_health(api.ws, period="month").rows and c["rows"]
    res = rfm(api.ws, bins=4)
    r = api.get("/v1/analytics/rfm?bins=4&limit=5&offset=2").json()
    assert r["segments"] == res.segments and r["users"] == res.users[2:7]
    assert r["buyers"] == r["total"] == len(res.users) and r["as_of"] == res.as_of
    seg = res.users[0]["segment"]
    only = api.get(f"/v1/analytics/rfm?bins=4&segment={seg}&limit=1000").json()
    assert only["users"] == [u for u in res.users if u["segment"] == seg]
    assert only["total"] == len(only["users"]) < only["buyers"]
    ix = engagement_index(api.ws)
    e = api.get("/v1/analytics/engagement?limit=3").json()
    assert e["rows"] == ix.rows[:3] and e["users"] == len(ix.rows) and e["fit"] is None
    fit = fit_engagement_weights(api.ws, horizon_days=7)
    f = api.get("/v1/analytics/engagement?limit=1&fit=true&horizon_days=7").json()["fit"]
    assert f["weights"] == fit.weights and f["auc_fitted"] == fit.auc_fitted
    assert f["auc_hand"] == fit.auc_hand and sum(f["weights"].values()) == pytest.approx(1)


def test_new_analytics_routes_refuse_bad_parameters(api):
    for path, field in (("/v1/analytics/content?by=author", "query.by"),
                        ("/v1/analytics/content?platform=myspace", "query.platform.0"),
                        ("/v1/analytics/content?best=-1", "query.best"),
                        ("/v1/analytics/community?period=year", "query.period"),
                        ("/v1/analytics/rfm?bins=1", "query.bins"),
                        ("/v1/analytics/rfm?segment=VIP", "query.segment"),
                        ("/v1/analytics/engagement?as_of=soon", "query.as_of")):
        r = api.get(path)
        assert r.status_code == 422 and r.json()["field"] == field, (path, r.text)
    r = api.get("/v1/analytics/rfm?as_of=2026-02-30")  # the right shape, not a day
    assert r.status_code == 422 and "as_of" in r.json()["detail"]
    r = api.get("/v1/analytics/engagement?fit=true&horizon_days=30")  # nothing before the cutoff
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_paths_route_equals_purchase_paths(api):
    from kpgrowth.analytics.paths import purchase_paths

    res = purchase_paths(api.ws, step="type@platform", lookback="7d", top=3)
    body = api.get("/v1/analytics/paths?step=type@platform&lookback=7d&top=3").json()
    assert body["rows"] == res.rows and body["rows"]
    assert (body["purchases"], body["without_touch"]) == (res.purchases, res.without_touch)
    assert api.get("/v1/analytics/paths?step=author").status_code == 422
    assert api.get("/v1/analytics/paths?lookback=forever").status_code == 422


def test_community_activity_and_members_routes_equal_the_library(api):
    from kpgrowth.analytics.community_activity import community_activity, member_retention

    a = api.get("/v1/analytics/community/activity?start=2026-01-05")
    assert a.status_code == 200, a.text
    assert a.json() == community_activity(api.ws, start="2026-01-05").to_dict()
    assert a.json()["summary"] and any(s["stickiness"] for s in a.json()["summary"])
    some = api.get("/v1/analytics/community/activity?communities=cmty002&communities=cmty001"
                   "&communities=cmty002&end=2026-01-10").json()
    assert some == community_activity(api.ws, end="2026-01-10",
                                      communities=["cmty001", "cmty002"]).to_dict()
    assert {r["community_id"] for r in some["rows"]} == {"cmty001", "cmty002"}
    m = api.get("/v1/analytics/community/members?period=day&periods=4&mode=on").json()
    res = member_retention(api.ws, period="day", periods=4, mode="on")
    assert m == res.to_dict() and m["loss_ratio"] == res.loss_ratio is not None
    assert {c["group"] for c in m["curve"]} == {"members", "non-members"}
    default = api.get("/v1/analytics/community/members?start=2026-01-01&end=2026-01-10").json()
    assert default == member_retention(api.ws, start="2026-01-01", end="2026-01-10").to_dict()
    assert default["mode"] == "on_or_after" and default["periods"] == 8
    for path in ("activity", "members"):
        assert api.client.get(f"/v1/analytics/community/{path}").status_code == 401


def test_community_activity_and_members_routes_refuse_bad_parameters(api):
    many = "&".join(f"communities=c{i}" for i in range(101))
    for path, field in (("/v1/analytics/community/activity?start=soon", "query.start"),
                        ("/v1/analytics/community/activity?communities=", "query.communities.0"),
                        ("/v1/analytics/community/activity?communities=a%00b",
                         "query.communities.0"),
                        (f"/v1/analytics/community/activity?{many}", "query.communities"),
                        ("/v1/analytics/community/members?period=year", "query.period"),
                        ("/v1/analytics/community/members?periods=1", "query.periods"),
                        ("/v1/analytics/community/members?periods=61", "query.periods"),
                        ("/v1/analytics/community/members?mode=sometimes", "query.mode"),
                        ("/v1/analytics/community/members?end=2026-1-1", "query.end")):
        r = api.get(path)
        assert r.status_code == 422 and r.json()["field"] == field, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    for path in ("activity?end=2026-02-30", "members?start=2026-02-30"):  # shaped like a day
        r = api.get(f"/v1/analytics/community/{path}")
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert "2026-02-30" in r.json()["detail"]


def test_community_routes_are_in_the_openapi_with_typed_models(api):
    spec = api.client.get("/openapi.json").json()
    for path, model in (("activity", "CommunityActivityOut"), ("members", "MemberRetentionOut")):
        op = spec["paths"][f"/v1/analytics/community/{path}"]["get"]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{model}"}
        assert {"401", "403", "422"} <= set(op["responses"])
    props = spec["components"]["schemas"]["ActivityDay"]["properties"]
    assert {"dau", "wau", "mau", "dau_mau"} <= set(props)
    assert "loss_ratio" in spec["components"]["schemas"]["MemberRetentionOut"]["properties"]
