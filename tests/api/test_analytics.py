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
