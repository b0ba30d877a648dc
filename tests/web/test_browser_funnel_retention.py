"""The Funnel and Retention pages in real Chromium: charts drawn with data, the step builder,
the dropped-user download, both languages. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from .conftest import POINTS, _login, _shot

pytestmark = pytest.mark.browser


FITS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(
  d => d.querySelector('.main-svg').getBoundingClientRect().width
       > d.closest('section').getBoundingClientRect().width).map(d => d.id)"""


def _charts(page, n: int) -> list[int]:
    """Wait until ``n`` plotly charts are drawn; the number of points each one holds."""
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n}")
    assert page.evaluate(FITS) == [], "a chart is wider than its section"
    return page.evaluate(POINTS)


def test_funnel_page_draws_and_screenshots(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    for lang, title in (("zh", "各步骤转化率"), ("en", "Conversion by step")):
        page.goto(f"{url}/funnel?lang={lang}")
        points = _charts(page, 2)
        assert len(points) == 2 and all(n > 0 for n in points), points
        assert title in page.inner_text("main")
        bars = page.evaluate("document.querySelector('#chart-funnel').data[0]")
        assert bars["y"][0] == 100 and len(bars["error_y"]["array"]) == 6
        counts = page.eval_on_selector_all("#funnel-steps tbody tr",
                                           "rs => rs.map(r => +r.dataset.count)")
        assert len(counts) == 6 and counts[0] > counts[1] > 0
        # the bars are drawn: six rectangles with a height
        heights = page.eval_on_selector_all("#chart-funnel .bars path",
                                            "ps => ps.map(p => p.getBBox().height)")
        assert sum(h > 0 for h in heights) >= 5, heights
        _shot(page, f"funnel_{lang}.png")


def test_step_builder_adds_removes_and_reorders(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    page.goto(f"{url}/funnel?lang=en&step=view&step=click&step=purchase")
    _charts(page, 2)
    selects = "#steps select"
    values = lambda: page.eval_on_selector_all(selects, "ss => ss.map(s => s.value)")
    assert values() == ["view", "click", "purchase"]  # the spare select went away with JS
    page.click("#add-step")
    page.locator(selects).nth(3).select_option("lesson_complete")
    page.locator("#steps li").nth(0).locator("button.remove").click()
    page.locator("#steps li").nth(1).locator("button.up").click()
    assert values() == ["purchase", "click", "lesson_complete"]
    page.locator("#steps li").nth(0).locator("button.down").click()
    assert values() == ["click", "purchase", "lesson_complete"]
    page.select_option('select[name="breakdown"]', "platform")
    page.click("#funnel-form button[type=submit]")
    page.wait_for_url("**step=click&step=purchase&step=lesson_complete**")
    assert "breakdown=platform" in page.url
    _charts(page, 2)
    names = page.evaluate("document.querySelector('#chart-funnel').data.map(t => t.name)")
    assert len(names) > 1 and "Douyin" in names
    assert page.locator("#funnel-by tbody tr").count() == len(names)


def test_dropped_users_download(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    page.goto(f"{url}/funnel?lang=zh")
    with page.expect_download() as info:
        page.locator("a.dropped-csv").nth(1).click()
    download = info.value
    assert download.suggested_filename == "dropped_step2_click.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    dropped = page.eval_on_selector_all("#funnel-steps tbody tr",
                                        "rs => rs.map(r => +r.dataset.count)")
    assert len(rows) == dropped[1] - dropped[2] > 0 and rows[0]["user_key"]


def test_bad_step_shows_a_message(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    page.goto(f"{url}/funnel?lang=en&step=impression&step=clik")
    assert "did you mean 'click'?" in page.inner_text("#funnel-error")


def test_retention_page_draws_and_screenshots(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    for lang, first in (("zh", "第0周"), ("en", "Week 0")):
        page.goto(f"{url}/retention?lang={lang}")
        points = _charts(page, 4)  # heatmap, curve, LTV, lifecycle
        assert len(points) == 4 and all(n > 0 for n in points), points
        z = page.evaluate("document.querySelector('#chart-retention').data[0].z")
        assert z and all(row[0] == 100 for row in z)
        assert page.evaluate("document.querySelector('#chart-retention').data[0].x[0]") == first
        cells = page.eval_on_selector_all(
            "#cohorts tbody tr", "rs => rs.map(r => r.querySelector('td.rate').textContent)")
        assert cells and set(cells) == {"100.0%"}
        assert page.locator("#active-users .card").count() == 4
        _shot(page, f"retention_{lang}.png")
    page.select_option('select[name="cohort_by"]', "channel")
    page.click("#retention-form button[type=submit]")
    page.wait_for_url("**cohort_by=channel**")
    _charts(page, 4)
    assert page.evaluate("document.querySelector('#chart-curve').data.length") > 1
