"""The dashboard in real Chromium: login, charts with data, filters, languages, CJK, upload.

Screenshots of every page (zh and en) go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kpgrowth.api.app import create_app

from .conftest import POINTS, LiveServer, _login, _shot, make_site

BAD_CSV = "product_id,kind,title,price\nb1,course,好课,99\nb2,podcast,播客,-1\n".encode()

pytestmark = pytest.mark.browser


def _kpi(page, key: str) -> str:
    return page.inner_text(f'[data-kpi="{key}"] .value')


def test_login_pages_charts_and_screenshots(page, live_site):
    site, url = live_site
    page.goto(f"{url}/login?lang=en")
    _shot(page, "login_en.png")
    page.goto(f"{url}/login?lang=zh")
    _shot(page, "login_zh.png")
    page.fill("#key", "kp_wrong_key")
    page.click("#login-form button")
    page.wait_for_selector("#login-error:not([hidden])")
    page.errors.clear()  # the refused login's 401 is logged by Chromium, as it should be
    _login(page, url, site.viewer)
    for lang in ("zh", "en"):
        page.goto(f"{url}/?lang={lang}")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        points = page.evaluate(POINTS)
        assert len(points) == 3 and all(n > 0 for n in points), points
        _shot(page, f"overview_{lang}.png")
        page.goto(f"{url}/data?lang={lang}")
        page.wait_for_selector("#tables tbody tr")
        _shot(page, f"data_{lang}.png")
        page.goto(f"{url}/forecast?metric=orders&lang={lang}")
        page.wait_for_function("document.querySelector('#chart-forecast .main-svg') !== null")
        n = page.evaluate("document.querySelector('#chart-forecast').data"
                          ".map(t => (t.y || []).length)")
        assert len(n) == 4 and all(k > 0 for k in n), n
        _shot(page, f"forecast_{lang}.png")


def test_filters_change_the_numbers(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    revenue, orders = _kpi(page, "revenue"), _kpi(page, "orders")
    page.check('input[name="platform"][value="douyin"]')
    page.click("#filters button[type=submit]")
    page.wait_for_url("**platform=douyin**")
    assert _kpi(page, "revenue") != revenue
    traces = page.evaluate("document.querySelector('#chart-revenue').data.map(t => t.name)")
    assert traces == ["抖音"]
    page.goto(f"{url}/")
    page.fill('input[name="start"]', "2026-01-15")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**start=2026-01-15**")
    assert _kpi(page, "orders") != orders
    _shot(page, "overview_filtered_zh.png")


def test_language_switch(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    from kpgrowth.report.i18n import t
    from kpgrowth.web.pages import PAGES

    assert page.locator("nav a").all_inner_texts() == [t(p.label_key, "zh") for p in PAGES]
    assert page.locator("nav a").all_inner_texts()[:2] == ["经营概览", "转化漏斗"]
    page.click('.langs a[data-lang="en"]')
    page.wait_for_url("**lang=en")
    assert page.locator("nav a").all_inner_texts() == [t(p.label_key, "en") for p in PAGES]
    assert page.inner_text('[data-kpi="buyers"] .label') == "Buyers"
    title = page.evaluate("document.querySelector('#chart-revenue').layout.yaxis.title.text")
    assert title == "Revenue"
    page.click("nav >> text=Data")  # the choice is kept in a cookie
    assert "Upload a file to ingest" in page.inner_text("main")
    page.click('.langs a[data-lang="zh"]')
    page.wait_for_url("**lang=zh")
    assert "上传文件导入" in page.inner_text("main")


def test_chinese_text_renders(page, live_site):
    site, url = live_site
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                               text=True, check=False).stdout
        assert fonts.strip(), "no Chinese font installed (apt-get install fonts-wqy-zenhei)"
    _login(page, url, site.viewer)
    label = page.locator('[data-kpi="revenue"] .label')
    assert label.inner_text() == "营收"
    box = label.bounding_box()
    assert box and box["width"] > 12 and box["height"] > 0
    # two CJK glyphs are drawn about as wide as four Latin "M"s are tall: no zero-width boxes
    widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '20px "WenQuanYi Zen Hei"'; return [c.measureText('营收').width,
        c.measureText('ab').width]; }""")
    assert widths[0] > widths[1] > 0
    axis = page.locator("#chart-revenue .xtitle")
    assert axis.text_content() == "日期" and axis.bounding_box()["width"] > 0


def test_upload_shows_quarantine_reasons(page, live_site, tmp_path):
    site, url = live_site
    _login(page, url, site.analyst)
    page.goto(f"{url}/data")
    csv = tmp_path / "商品导出.csv"
    csv.write_bytes(BAD_CSV)
    page.set_input_files("#upload-file", str(csv))
    page.select_option("#upload-table", "products")
    page.click("#upload-form button")
    result = page.wait_for_selector("#upload-result .result")
    text = result.inner_text()
    assert "导入完成" in text and "不在允许的取值范围内" in text  # reasons are translated
    assert "商品导出.csv:3" in text
    # the page's tables and quarantine browser refresh without leaving the page
    page.wait_for_selector("#quarantine-rows >> text=podcast")
    _shot(page, "data_upload_zh.png")
    page.goto(f"{url}/data?qtable=products")
    rows = page.inner_text("#quarantine-rows")
    assert "商品导出.csv" in rows and "podcast" in rows and "kind" in rows
    _shot(page, "data_quarantine_zh.png")


def test_logout(page, live_site):
    site, url = live_site
    _login(page, url, site.viewer)
    page.click("#logout")
    page.wait_for_url(f"{url}/login")
    page.goto(f"{url}/data")
    page.wait_for_url(f"{url}/login?next=/data")


def test_empty_workspace_first_run(page, tmp_path):
    site = make_site(tmp_path / "empty", simulated=False)
    with LiveServer(create_app(site.root)) as server:
        _login(page, server.url, site.viewer)
        assert "make demo" in page.inner_text("#first-run")
        _shot(page, "first_run_zh.png")
        page.goto(f"{server.url}/?lang=en")
        assert "no data yet" in page.inner_text("#first-run h1")
        _shot(page, "first_run_en.png")
