"""``/v1/analytics`` routes return the library's Results."""

from __future__ import annotations


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
