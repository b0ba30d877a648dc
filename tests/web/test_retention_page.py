"""The Retention page: heatmap and table equal the library's cohorts (period 0 = 100 %),
LTV curves, DAU/WAU/MAU, choices, clear messages, both languages, empty workspace."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.lifecycle import active_users
from kpgrowth.analytics.retention import retention
from kpgrowth.analytics.revenue_retention import revenue_retention
from kpgrowth.api.app import create_app

from .conftest import login


def _run(app, fn, **kwargs):
    return app.state.gate.read(fn, app.state.workspace, **kwargs)


def _traces(page: str, div: str) -> list[dict]:
    m = re.search(rf'Plotly.newPlot\(\s*"{div}",\s*(\[.*?\]),\s*\{{', page, re.DOTALL)
    assert m, f"no chart {div}"
    return json.loads(m.group(1))


def _table(page: str) -> list[tuple[str, int, list[str]]]:
    body = re.search(r'<table id="cohorts">.*?<tbody>(.*?)</tbody>', page, re.DOTALL).group(1)
    rows = re.findall(r'<tr data-cohort="([\d-]+)" data-size="(\d+)">(.*?)</tr>', body, re.DOTALL)
    return [(c, int(n), re.findall(r'<td class="rate">([^<]*)</td>', cells))
            for c, n, cells in rows]


def test_weekly_retention_in_chinese_matches_the_library(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    page = client.get("/retention?lang=zh").text
    res = _run(sim_app, retention, period="week", periods=8)
    for label in ("留存", "同期群留存", "首次行为", "当期回访", "平均留存曲线", "第0周", "第1周",
                  "累计人均营收", "用户生命周期", "日活 DAU", "月活 MAU"):
        assert label in page, label
    table = _table(page)
    assert [(c, n) for c, n, _ in table] == [(c["cohort"], c["size"]) for c in res.cohorts]
    assert all(cells[0] == "100.0%" for _, _, cells in table)  # period 0 is everyone
    for (_, _, cells), c in zip(table, res.cohorts):
        assert cells == ["" if r is None else f"{100 * r:.1f}%" for r in c["rates"]]
    assert any(cell not in ("", "100.0%") for _, _, cells in table for cell in cells)
    heat = _traces(page, "chart-retention")[0]
    assert heat["type"] == "heatmap" and len(heat["z"]) == len(res.cohorts)
    assert [row[0] for row in heat["z"]] == [100.0] * len(res.cohorts)
    assert heat["x"][:2] == ["第0周", "第1周"]
    curve = _traces(page, "chart-curve")[0]
    want = [100 * p["rate"] for p in res.curve if p["rate"] is not None]
    assert curve["y"] == pytest.approx(want) and curve["y"][0] == 100.0


def test_ltv_curves_and_active_users(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    page = client.get("/retention?lang=en&cohort_by=first_purchase&periods=4").text
    rr = _run(sim_app, revenue_retention, period="week", periods=4, cohort_by="first_purchase")
    traces = _traces(page, "chart-ltv")
    assert len(traces) == len(rr.cohorts) + 1  # every cohort, then the average
    assert [tr["y"] for tr in traces[:-1]] == [c["ltv"] for c in rr.cohorts]
    assert traces[-1]["y"] == [p["ltv"] for p in rr.curve] and traces[-1]["name"] == "average"
    assert rr.curve[0]["ltv"] > 0
    last = _run(sim_app, active_users).rows[-1]
    for key in ("dau", "wau", "mau"):
        card = re.search(rf'data-kpi="{key}">.*?class="value">([^<]*)<', page, re.DOTALL)
        assert card and card.group(1) == f"{last[key]:,}"
    assert f"As of {last['day']}" in page
    assert "Cumulative revenue per person" in page and "First purchase" in page


def test_daily_channel_cohorts_on_or_after(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    q = "period=day&periods=10&cohort_by=channel&mode=on_or_after"
    page = client.get(f"/retention?{q}&lang=en").text
    res = _run(sim_app, retention, period="day", periods=10, cohort_by="channel",
               mode="on_or_after")
    shown = sorted({c["cohort"] for c in res.cohorts})[-30:]
    want = [c for c in res.cohorts if c["cohort"] in shown]
    table = _table(page)
    assert [(c, n) for c, n, _ in table] == [(c["cohort"], c["size"]) for c in want]
    assert "Day 9" in page and "Returned in k or later" in page and "Acquisition channel" in page
    # every channel has its own average curve
    assert {tr["name"] for tr in _traces(page, "chart-curve")} == {c["group"] for c in res.cohorts}
    # "in k or later" can only shrink as k grows
    for c in res.cohorts:
        seen = [r for r in c["rates"] if r is not None]
        assert seen == sorted(seen, reverse=True)
    assert re.search(r'<option value="channel" selected>', page)


def test_bad_values_are_explained_or_refused(client, sim_site):
    assert client.get("/retention", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    r = client.get("/retention?start=2026-13-01&lang=en")
    assert r.status_code == 200 and "bad date" in r.text and "Please check the parameters" in r.text
    for q in ("period=year", "periods=1", "periods=61", "cohort_by=zodiac", "mode=ever"):
        assert client.get(f"/retention?{q}").status_code == 422, q
    late = client.get("/retention?start=2030-01-01&lang=zh").text
    assert "所选时间段内没有同期群" in late and 'id="chart-retention"' not in late


def test_empty_workspace_is_friendly(empty_site):
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        for lang, text in (("zh", "还没有行为或订单数据"), ("en", "No events or orders yet")):
            page = c.get(f"/retention?lang={lang}")
            assert page.status_code == 200 and text in page.text
