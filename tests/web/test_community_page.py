"""The Community page: latest-period table and chart equal community_health, bilingual."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.community import community_health
from kpgrowth.api.app import create_app

from .conftest import login
from .test_channels_page import plotly_data, table

COLUMNS = ("members", "active_members", "active_share", "messages_per_member", "buyers",
           "conversion", "retention")


def _lib(client: TestClient, **kw):
    app = client.app
    return app.state.gate.read(community_health, app.state.workspace, **kw)


def _latest(res) -> dict:
    last: dict = {}
    for r in res.rows:  # rows are by community, then period
        last[r["community_id"]] = r
    return last


@pytest.mark.parametrize("period", ["week", "month"])
def test_latest_table_equals_the_library(client, sim_site, period):
    login(client, sim_site.viewer)
    html = client.get(f"/community?lang=en&period={period}").text
    res = _lib(client, period=period)
    latest = _latest(res)
    assert len(latest) >= 2
    rows, _ = table(html, "community-latest")
    assert set(rows) == set(latest)
    for cid, r in latest.items():
        for col in (*COLUMNS, *(["dau_mau"] if "dau_mau" in r else [])):  # newer results
            value = rows[cid][col][0]
            assert (float(value) if value != "" else None) == pytest.approx(r[col]), (cid, col)
        assert f'data-period="{r["period"]}"' in html
    if period == "month":
        assert all(r["period"].endswith("-01") for r in latest.values())


def test_chart_over_time_per_community(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/community?lang=zh&metric=conversion").text
    res = _lib(client, period="week")
    traces = plotly_data(html, "chart-community")
    recent = sorted({r["period"] for r in res.rows})[-12:]  # the last 12 weeks by default
    ids = sorted({r["community_id"] for r in res.rows if r["period"] in recent})
    assert len(traces) == len(ids) >= 2
    first = [r for r in res.rows if r["community_id"] == ids[0] and r["period"] in recent]
    assert traces[0]["x"] == [r["period"] for r in first]
    assert {x for tr in traces for x in tr["x"]} == set(recent)
    assert traces[0]["y"] == pytest.approx([r["conversion"] for r in first])
    for label in ("社群健康", "各社群最新周期", "活跃占比", "转化率 r_k", "周期留存"):
        assert label in html, label


def test_period_range(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/community?lang=en&start=2026-01-05&end=2026-01-11").text
    traces = plotly_data(html, "chart-community")
    assert {x for tr in traces for x in tr["x"]} == {"2026-01-05"}


def test_bad_parameters_and_empty_workspace(client, sim_site, empty_site):
    assert client.get("/community", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    assert client.get("/community?period=year").status_code == 422
    assert client.get("/community?metric=vibes").status_code == 422
    r = client.get("/community?lang=zh&start=2026-13-01")
    assert r.status_code == 422 and "日期应为" in r.text
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        r = c.get("/community?lang=en")
        assert r.status_code == 200 and "No community membership data yet" in r.text
