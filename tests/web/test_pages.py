"""The dashboard in-process: login redirects, labels in both languages, filters, upload, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kpgrowth.api.app import create_app
from kpgrowth.report.i18n import LABELS
from kpgrowth.web.pages import PAGES

from .conftest import login

TEMPLATES = Path(__file__).parents[2] / "src/kpgrowth/web/templates"
BAD_CSV = "product_id,kind,title,price\nw1,course,好课,99\nw2,podcast,播客,-1\n".encode()


def _kpi(html: str, key: str) -> str:
    m = re.search(rf'data-kpi="{key}">.*?class="value">([^<]*)<', html, re.DOTALL)
    assert m, f"no KPI card {key}"
    return m.group(1)


@pytest.mark.parametrize("path", ["/", "/data", "/?lang=en&platform=douyin"])
def test_pages_redirect_to_login(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/")


def test_login_page_default_language_and_switch(client):
    zh = client.get("/login").text
    assert "粘贴 API 密钥登录" in zh and 'lang="zh-CN"' in zh
    en = client.get("/login?lang=en").text
    assert "Paste an API key to log in" in en
    assert client.cookies.get("kp_lang") == "en"
    assert "Paste an API key" in client.get("/login").text  # the choice is remembered


def test_login_page_refuses_foreign_next(client, sim_site):
    assert 'data-next="/"' in client.get("/login?next=//evil.example").text
    login(client, sim_site.viewer)
    r = client.get("/login?next=/data", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/data")


def test_overview_in_chinese_with_local_plotly(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/").text
    for label in ("经营概览", "用户数", "付费用户", "营收", "订单数", "转化率", "客单价",
                  "各平台每日营收", "各平台每日活跃用户", "热销商品", "抖音"):
        assert label in html, label
    assert _kpi(html, "revenue").startswith("¥")
    assert re.search(r'<script src="/static/plotly.min.js\?v=[\d.]+">', html)
    assert "cdn" not in html.lower()
    assert html.count('class="plotly-graph-div"') == 3


def test_overview_in_english(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/?lang=en").text
    for label in ("Overview", "Buyers", "Revenue", "Conversion", "Average order value",
                  "Daily revenue by platform", "Top products", "Douyin"):
        assert label in html, label
    assert "营收" not in html


def test_filters_change_the_numbers(client, sim_site):
    login(client, sim_site.viewer)
    everything = client.get("/?lang=en").text
    douyin = client.get("/?lang=en&platform=douyin").text
    late = client.get("/?lang=en&start=2026-01-15").text
    assert _kpi(douyin, "revenue") != _kpi(everything, "revenue")
    assert _kpi(late, "orders") != _kpi(everything, "orders")
    assert re.search(r'value="douyin" checked', douyin)
    assert 'value="2026-01-15"' in late


def test_bad_date_is_ignored_with_a_note(client, sim_site):
    login(client, sim_site.viewer)
    r = client.get("/?lang=en&start=2026-13-01")
    assert r.status_code == 200 and "dates look like YYYY-MM-DD" in r.text


def test_data_page_lists_tables_and_mappings(client, sim_site):
    login(client, sim_site.analyst)
    html = client.get("/data").text
    for label in ("上传文件导入", "字段映射", "最新数据 (UTC)", "隔离区"):
        assert label in html, label
    assert 'data-table="orders"' in html and "xiaoe_orders" in html
    assert re.search(r"2026年\d+月\d+日 \d\d:\d\d", html)  # freshness, Chinese date


def test_upload_needs_csrf_token(client, sim_site):
    login(client, sim_site.analyst)
    r = client.post("/data/upload", files={"file": ("bad.csv", BAD_CSV, "text/csv")},
                    data={"table": "products"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_viewer_cannot_upload(client, sim_site):
    csrf = login(client, sim_site.viewer)
    assert "上传需要分析师" in client.get("/data").text
    r = client.post("/data/upload", files={"file": ("bad.csv", BAD_CSV, "text/csv")},
                    data={"table": "products"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403


def test_upload_shows_reasons_and_lands_in_quarantine_browser(client, sim_site):
    csrf = login(client, sim_site.analyst)
    r = client.post("/data/upload?lang=en",
                    files={"file": ("商品 导出.csv", BAD_CSV, "text/csv")},
                    data={"table": "products", "csrf_token": csrf})  # the form field works too
    assert r.status_code == 200, r.text
    assert 'data-landed="1" data-quarantined="1"' in r.text
    assert "not one of the allowed values" in r.text and "商品 导出.csv:3" in r.text
    page = client.get("/data?qtable=products&lang=en").text
    assert "商品 导出.csv" in page and "<code>podcast</code>" in page
    assert "Page 1 of 1" in page
    # the same stored reason reads in Chinese on the Chinese page
    zh = client.get("/data?qtable=products&lang=zh").text
    assert "不在允许的取值范围内" in zh and "not one of the allowed values" not in zh


def test_upload_errors_are_shown_not_raised(client, sim_site):
    csrf = login(client, sim_site.analyst)
    r = client.post("/data/upload?lang=en", files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")},
                    data={"table": "orders"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "Ingest failed" in r.text


def test_quarantine_paging(client, sim_site):
    csrf = login(client, sim_site.analyst)
    rows = "".join(f"p{i},podcast,t{i},1\n" for i in range(45))
    r = client.post("/data/upload", files={"file": ("many.csv", f"product_id,kind,title,price\n{rows}".encode(), "text/csv")},
                    data={"table": "products"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    first = client.get("/data?qtable=products&lang=en").text
    assert re.search(r"Page 1 of \d+, \d+ rows", first) and "page=2" in first
    second = client.get("/data?qtable=products&page=2&lang=en").text
    assert "Page 2 of" in second and "Previous" in second


def test_empty_workspace_shows_first_run(empty_site):
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        html = c.get("/").text
        assert 'id="first-run"' in html and "make demo" in html and "kpgrowth ingest" in html
        assert c.get("/data").status_code == 200


def test_plotly_js_is_served_locally_and_cached(client):
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert len(r.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/nothing.js").status_code == 404


def test_every_nav_page_loads(client, sim_site):
    login(client, sim_site.viewer)
    for page in PAGES:
        for lang in ("zh", "en"):
            r = client.get(f"{page.path}?lang={lang}")
            assert r.status_code == 200, (page.path, lang)


def test_every_template_label_is_translated():
    keys = set()
    for path in TEMPLATES.glob("*.j2"):
        keys |= set(re.findall(r"t\('([\w.]*\w)'", path.read_text(encoding="utf-8")))
    keys |= {p.label_key for p in PAGES}
    missing = sorted(k for k in keys if k not in LABELS)
    assert not missing
    assert all(zh and en for zh, en in LABELS.values())
