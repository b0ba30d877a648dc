"""Channels, Content and Community pages in real Chromium: charts drawn with data, both
languages, filters; screenshots to ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from .conftest import _login, _shot

pytestmark = pytest.mark.browser

POINTS = """id => { const d = document.getElementById(id);
  const n = a => (Array.isArray(a) || ArrayBuffer.isView(a)) ? a.length : 0;
  return d.data.map(tr => Math.max(n(tr.x), n(tr.y), n(tr.z))); }"""


def _drawn(page, *ids: str) -> None:
    """Wait for plotly to draw ``ids`` and check every trace carries data."""
    for div in ids:
        page.wait_for_function(f"document.querySelector('#{div} .main-svg') !== null")
        points = page.evaluate(POINTS, div)
        assert points and all(n > 0 for n in points), (div, points)


def test_channels_page(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    for lang in ("zh", "en"):
        page.goto(f"{url}/channels?lang={lang}")
        _drawn(page, "chart-roi", "chart-attribution", "chart-paths")
        names = page.evaluate("document.getElementById('chart-attribution').data.map(t => t.name)")
        assert names[0] == ("首次触点" if lang == "zh" else "First touch") and len(names) == 7
        assert page.locator("#roi tbody tr").count() >= 3
        paths = page.evaluate("document.getElementById('chart-paths').data[0].y.join(' ')")
        assert ("点击" if lang == "zh" else "click") in paths and "trailer_view" not in paths
        assert page.locator("#chart-paths .bars path").count() == page.locator(
            "#paths tbody tr").count() >= 3  # one painted bar per table row
        _shot(page, f"channels_{lang}.png")
    page.select_option('select[name="step"]', "type@platform")
    page.click("#paths-form button[type=submit]")
    page.wait_for_url("**step=type%40platform**")
    _drawn(page, "chart-paths")
    labels = page.evaluate("document.getElementById('chart-paths').data[0].y")
    assert all("@" in y for y in labels) and any("Douyin" in y or "WeChat" in y for y in labels)
    page.select_option('select[name="by"]', "community")
    page.click("#channels-form button[type=submit]")
    page.wait_for_url("**by=community**")
    _drawn(page, "chart-roi")
    assert page.locator('#roi td[data-col="members"]').count() >= 1


def test_content_page(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    for lang in ("zh", "en"):
        page.goto(f"{url}/content?lang={lang}")
        _drawn(page, "chart-heatmap", "chart-groups")
        rows = page.evaluate("document.getElementById('chart-heatmap').data[0].z.length")
        days = page.evaluate("document.getElementById('chart-heatmap').data[0].y")
        assert rows == 7 and days[0] == ("周一" if lang == "zh" else "Mon")
        assert page.locator("#heatmap-section .main-svg .hm").count() + \
            page.locator("#chart-heatmap image").count() >= 1  # the heatmap itself is painted
        _shot(page, f"content_{lang}.png")
    page.select_option('select[name="platform"]', "douyin")
    page.click("#content-form button[type=submit]")
    page.wait_for_url("**platform=douyin**")
    cells = page.locator("#best-posts tbody tr td:nth-child(2)").all_inner_texts()
    assert cells and set(cells) == {"Douyin"}


def test_community_page(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    for lang in ("zh", "en"):
        page.goto(f"{url}/community?lang={lang}")
        _drawn(page, "chart-community", "chart-activity", "chart-members")
        assert page.locator("#community-latest tbody tr").count() >= 2
        assert page.locator("#stickiness tbody tr").count() >= 2
        groups = page.evaluate("document.getElementById('chart-members').data.map(t => t.name)")
        assert groups == (["社群成员", "非成员"] if lang == "zh" else ["Members", "Non-members"])
        rates = page.evaluate("document.getElementById('chart-members').data[0].y")
        assert rates[0] == 1 and all(0 <= r <= 1 for r in rates if r is not None)
        assert ("流失率是非成员的" if lang == "zh" else "as often as non-members") in \
            page.inner_text("#loss-ratio")
        _shot(page, f"community_{lang}.png")
    page.select_option('select[name="activity"]', "mau")
    page.click("#community-form button[type=submit]")
    page.wait_for_url("**activity=mau**")
    _drawn(page, "chart-activity")
    mau = page.evaluate("document.getElementById('chart-activity').data.map(t => Math.max(...t.y))")
    assert max(mau) >= 1
    page.select_option('select[name="period"]', "month")
    page.click("#community-form button[type=submit]")
    page.wait_for_url("**period=month**")
    _drawn(page, "chart-community")
    periods = page.evaluate("document.getElementById('chart-community').data[0].x")
    assert all(p.endswith("-01") for p in periods)
