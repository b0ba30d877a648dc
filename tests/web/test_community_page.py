"""The Community page: latest-period table and chart equal community_health, bilingual."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.community import community_health
from kpgrowth.analytics.community_activity import community_activity, member_retention
from kpgrowth.api.app import create_app

from .conftest import login
from .test_channels_page import plotly_data, table

COLUMNS = ("members", "active_members", "active_share", "messages_per_member", "buyers",
           "conversion", "retention")


def _lib(client: TestClient, fn=community_health, **kw):
    app = client.app
    return app.state.gate.read(fn, app.state.workspace, **kw)


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
        r = c.get("/community?lang=en&activity=wau&period=month")
        assert r.status_code == 200 and "No community membership data yet" in r.text
        assert 'id="chart-activity"' not in r.text and 'id="chart-members"' not in r.text


def _by_community(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["community_id"], []).append(r)
    return dict(sorted(out.items()))


def test_daily_activity_chart_equals_community_activity(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/community?lang=zh&activity=dau").text
    every = _lib(client, community_activity)
    last = max(dt.date.fromisoformat(r["day"]) for r in every.rows)
    active = min(r["day"] for r in every.rows if r["mau"])
    first = max((last - dt.timedelta(days=89)).isoformat(), active)  # the last 90 days at most
    assert first > min(r["day"] for r in every.rows)
    res = _lib(client, community_activity, start=first)
    series = _by_community(res.rows)
    traces = plotly_data(html, "chart-activity")
    assert len(traces) == len(series) >= 2
    for tr, rows in zip(traces, series.values(), strict=True):
        assert tr["x"] == [r["day"] for r in rows] and tr["x"][0] == first
        assert tr["y"] == [r["dau"] for r in rows]
        assert tr["name"] == (rows[0]["name"] or rows[0]["community_id"])
    assert any(y for tr in traces for y in tr["y"])  # someone was active
    table_rows, _ = table(html, "stickiness")
    assert set(table_rows) == {r["community_id"] for r in res.summary}
    for r in res.summary:
        cells = table_rows[r["community_id"]]
        assert float(cells["avg_dau"][0]) == pytest.approx(r["avg_dau"])
        assert float(cells["avg_mau"][0]) == pytest.approx(r["avg_mau"])
        value = cells["stickiness"][0]
        assert (float(value) if value else None) == pytest.approx(r["stickiness"])
    for label in ("每日活跃", "日活 DAU", "各社群黏性", "平均日活", "社群成员与非成员的留存"):
        assert label in html, label


@pytest.mark.parametrize("metric", ["dau_mau", "mau"])
def test_daily_activity_in_a_chosen_range(client, sim_site, metric):
    login(client, sim_site.viewer)
    html = client.get(f"/community?lang=en&activity={metric}&start=2026-01-05&end=2026-01-20").text
    res = _lib(client, community_activity, start="2026-01-05", end="2026-01-20")
    traces = plotly_data(html, "chart-activity")
    for tr, rows in zip(traces, _by_community(res.rows).values(), strict=True):
        assert tr["x"] == [r["day"] for r in rows]
        assert tr["x"][0] == "2026-01-05" and tr["x"][-1] <= "2026-01-20"
        assert tr["y"] == pytest.approx([r[metric] for r in rows])
    assert "DAU/MAU stickiness" in html or metric != "dau_mau"


@pytest.mark.parametrize("period", ["week", "month"])
def test_members_vs_non_members_equal_member_retention(client, sim_site, period):
    login(client, sim_site.viewer)
    html = client.get(f"/community?lang=en&period={period}").text
    res = _lib(client, member_retention, period=period, periods=8 if period == "week" else 6)
    if not any(r["k"] >= 1 and r["rate"] is not None for r in res.curve):  # 3 weeks of data
        assert period == "month" and res.loss_ratio is None
        assert 'id="chart-members"' not in html and "cannot be compared yet" in html
        return
    traces = plotly_data(html, "chart-members")
    assert [tr["name"] for tr in traces] == ["Members", "Non-members"]
    for tr, group in zip(traces, ("members", "non-members"), strict=True):
        curve = [r for r in res.curve if r["group"] == group]
        shown = len(tr["x"])
        assert shown >= 2 and tr["x"] == list(range(shown))
        assert tr["y"] == pytest.approx([r["rate"] for r in curve[:shown]])
        assert tr["customdata"] == [r["size"] for r in curve[:shown]]
    later = [r for r in res.curve if r["k"] >= len(traces[0]["x"])]
    assert all(r["rate"] is None for r in later)  # only periods without cohorts are left out
    if res.loss_ratio is not None:
        assert f"Members churn {100 * res.loss_ratio:.1f}% as often as non-members" in html


def test_loss_ratio_in_chinese(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/community?lang=zh").text
    res = _lib(client, member_retention, period="week", periods=8)
    assert res.loss_ratio is not None
    week1 = {r["group"]: r["rate"] for r in res.curve if r["k"] == 1}
    assert (f"社群成员流失率是非成员的 {100 * res.loss_ratio:.1f}%。第 1 周留存：社群成员 "
            f"{100 * week1['members']:.1f}%，非成员 {100 * week1['non-members']:.1f}%。") in html
    assert [tr["name"] for tr in plotly_data(html, "chart-members")] == ["社群成员", "非成员"]
    assert "相关而非因果" in html


def test_new_parameters_are_checked(client, sim_site):
    login(client, sim_site.viewer)
    assert client.get("/community?activity=dau_wau").status_code == 422
    r = client.get("/community?lang=en&start=2030-01-01")
    assert r.status_code == 200 and "No community data in this period" in r.text
