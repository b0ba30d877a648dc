"""The Content page: best/worst posts, groups and the hour-of-week heatmap equal the library."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.content import content_performance
from kpgrowth.api.app import create_app
from kpgrowth.report.present_content import MIN_VIEWS

from .conftest import login
from .test_channels_page import plotly_data, table


def _lib(client: TestClient, **kw):
    app = client.app
    return app.state.gate.read(content_performance, app.state.workspace, **kw)


def test_best_and_worst_posts_are_ranked_by_engagement_rate(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/content?lang=en&n=4").text
    posts = _lib(client, by="post")
    ranked = [r for r in posts.rows if r["views"] >= MIN_VIEWS and r["engagement_rate"] is not None]
    assert len(ranked) >= 8
    best, best_order = table(html, "best-posts")
    worst, worst_order = table(html, "worst-posts")
    assert len(best_order) == len(worst_order) == 4
    rates = [float(best[k]["engagement_rate"][0]) for k in best_order]
    assert rates[0] == pytest.approx(max(r["engagement_rate"] for r in ranked))
    assert rates == sorted(rates, reverse=True)
    low = [float(worst[k]["engagement_rate"][0]) for k in worst_order]
    assert low[0] == pytest.approx(min(r["engagement_rate"] for r in ranked))
    assert low == sorted(low)
    by_key = {r["key"]: r for r in posts.rows}
    top = by_key[best_order[0]]
    rate = (top["likes"] + top["comments"] + top["shares"]) / top["views"]
    assert rates[0] == pytest.approx(rate)  # (likes + comments + shares) / views
    assert top["title"] in html


def test_min_views_is_applied(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/content?lang=en&min_views=0&n=1").text
    posts = _lib(client, by="post")
    best, order = table(html, "best-posts")
    top = max(r["engagement_rate"] for r in posts.rows if r["engagement_rate"] is not None)
    assert float(best[order[0]]["engagement_rate"][0]) == pytest.approx(top)


def test_heatmap_is_7_by_24_and_matches_the_library(client, sim_site):
    login(client, sim_site.viewer)
    zh = client.get("/content?lang=zh").text
    hours = _lib(client, by="hour_of_week")
    heat = plotly_data(zh, "chart-heatmap")[0]
    assert heat["type"] == "heatmap"
    assert heat["y"] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    z = heat["z"]
    assert len(z) == 7 and all(len(row) == 24 for row in z)
    expected = {r["key"]: r["engagement_rate"] for r in hours.rows}
    for day in range(7):
        for hour in range(24):
            want = expected.get(24 * day + hour)
            assert (z[day][hour] is None) == (want is None), (day, hour)
            if want is not None:
                assert z[day][hour] == pytest.approx(want)
    en = client.get("/content?lang=en").text
    assert plotly_data(en, "chart-heatmap")[0]["y"][0] == "Mon"
    assert "Asia/Shanghai" in en  # the workspace's zone, as the library computed it


def test_best_hours_have_posts_and_highest_rates(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/content?lang=en").text
    hours = _lib(client, by="hour_of_week")
    eligible = [r for r in hours.rows if r["posts"] >= 2 and r["engagement_rate"] is not None]
    _, order = table(html, "best-hours")
    best = max(eligible, key=lambda r: (r["engagement_rate"], r["views"]))
    assert int(order[0]) == best["key"]


@pytest.mark.parametrize("by", ["platform", "format", "tag"])
def test_groups_equal_the_library(client, sim_site, by):
    login(client, sim_site.viewer)
    html = client.get(f"/content?lang=zh&by={by}").text
    res = _lib(client, by=by)
    rows, order = table(html, "groups")
    assert order == [str(r["key"]) for r in res.rows]
    for r in res.rows:
        value = rows[str(r["key"])]["engagement_rate"][0]
        assert (float(value) if value else None) == pytest.approx(r["engagement_rate"])
    if by == "format":
        assert "短视频" in html and "直播" in html
    bars = plotly_data(html, "chart-groups")[0]
    assert bars["y"] == pytest.approx([r["engagement_rate"] for r in res.rows[:15]])


def test_platform_filter(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/content?lang=zh&platform=douyin&min_views=0").text
    res = _lib(client, by="post", platforms=["douyin"])
    assert f'data-kpi="ct.posts"><div class="label">作品数</div><div class="value">{res.totals["posts"]}<' in html
    _, order = table(html, "best-posts")
    douyin = {r["key"] for r in res.rows}
    assert douyin and set(order) <= douyin
    assert 'value="douyin" selected' in html


def test_nothing_reaches_min_views(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/content?lang=en&min_views=1000000").text
    assert "No post has 1000000 views or more" in html and 'id="best-posts"' not in html
    assert 'id="chart-heatmap"' in html  # the rest of the page is still there


def test_bad_parameters_and_login(client, sim_site):
    assert client.get("/content", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    assert client.get("/content?platform=myspace").status_code == 422
    assert client.get("/content?n=0").status_code == 422
    assert client.get("/content?by=hour").status_code == 422
    assert client.get("/content?min_views=-1").status_code == 422
    r = client.get("/content?lang=en&start=2026-1-5")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text


def test_empty_period_and_empty_workspace(client, sim_site, empty_site):
    login(client, sim_site.viewer)
    r = client.get("/content?lang=en&start=2030-01-01")
    assert r.status_code == 200 and "No posts published in this period" in r.text
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        r = c.get("/content?lang=zh")
        assert r.status_code == 200 and "这段时间没有发布的作品" in r.text
