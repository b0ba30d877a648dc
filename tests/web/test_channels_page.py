"""The Channels & attribution page: numbers equal the library's, bilingual, bad input, empty."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.attribution import compare_models
from kpgrowth.analytics.channels import channel_performance
from kpgrowth.analytics.paths import purchase_paths
from kpgrowth.api.app import create_app
from kpgrowth.report.i18n import fmt_money

from .conftest import login


class _Table(HTMLParser):
    """``{row data-key: {data-col: (data-value, text)}}`` of one ``<table id=...>``."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.id, self.inside, self.rows, self.order = table_id, False, {}, []
        self.key: str | None = None
        self.col: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("id") == self.id
        elif self.inside and tag == "tr" and "data-key" in a:
            self.key = a["data-key"]
            self.rows[self.key] = {}
            self.order.append(self.key)
        elif self.inside and tag == "td" and self.key and "data-col" in a:
            self.col = (a["data-col"], a.get("data-value", ""))

    def handle_data(self, data: str) -> None:
        if self.col and self.key:
            col, value = self.col
            self.rows[self.key][col] = (value, data.strip())
            self.col = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False


def table(html: str, table_id: str) -> tuple[dict[str, dict[str, tuple[str, str]]], list[str]]:
    """Cells of table ``table_id`` by row key and column, and the row keys in order."""
    p = _Table(table_id)
    p.feed(html)
    assert p.order, f"no rows in table {table_id}"
    return p.rows, p.order


def plotly_data(html: str, div_id: str) -> list[dict]:
    """The traces plotly.js is asked to draw in ``div_id``."""
    m = re.search(rf'Plotly.newPlot\(\s*"{div_id}",\s*(\[.*?\]),\s*\{{', html, re.DOTALL)
    assert m, f"no chart {div_id}"
    return json.loads(m.group(1))


def _lib(client: TestClient, fn, **kw):
    app = client.app
    return app.state.gate.read(fn, app.state.workspace, **kw)


def test_roi_table_and_chart_equal_the_library(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/channels?lang=en").text
    res = _lib(client, channel_performance, by="platform")
    rows, order = table(html, "roi")
    assert order == [r["key"] for r in res.rows]
    for r in res.rows:
        cells = rows[r["key"]]
        assert float(cells["gross_revenue"][0]) == pytest.approx(r["gross_revenue"])
        assert float(cells["revenue"][0]) == pytest.approx(r["revenue"])
        assert cells["revenue"][1] == fmt_money(r["revenue"], "CNY", "en")
        assert int(cells["orders"][0]) == r["orders"]
        if not r["spend"]:  # no ad spend: no ratio, and never inf
            assert cells["roas"][1] == cells["roi"][1] == "—"
        else:
            assert float(cells["roas"][0]) == pytest.approx(r["roas"])
    assert "inf" not in html.lower().replace("info", "")
    traces = plotly_data(html, "chart-roi")
    assert [tr["name"] for tr in traces] == ["Net revenue", "Cost"]
    assert traces[0]["y"] == [r["revenue"] for r in res.rows[:12]]
    assert "Douyin" in traces[0]["x"] and "Return on investment by channel" in html


def test_chinese_labels_and_money(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/channels?lang=zh").text
    for label in ("渠道与归因", "各渠道投入产出", "净营收", "投放花费", "分销佣金", "归因模型对比",
                  "首次触点", "末次触点", "马尔可夫链", "沙普利值", "各模型的含义", "抖音"):
        assert label in html, label
    rows, _ = table(html, "roi")
    assert all(c["revenue"][1].startswith("¥") for c in rows.values())
    names = [tr["name"] for tr in plotly_data(html, "chart-attribution")]
    assert names[:2] == ["首次触点", "末次触点"] and len(names) == 7


def test_attribution_table_equals_compare_models(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/channels?lang=en&dimension=channel&lookback=14d").text
    cmp = _lib(client, compare_models, dimension="channel", lookback="14d")
    assert cmp.rows
    rows, _ = table(html, "attribution")
    share = {(r["model"], r["channel"]): r["share"] for r in cmp.rows}
    for (model, channel), value in share.items():
        assert float(rows[channel][model][0]) == pytest.approx(value)
    for model in cmp.models:  # every model's column adds up to all credited orders
        assert sum(float(c[model][0]) for c in rows.values()) == pytest.approx(1.0)
    traces = plotly_data(html, "chart-attribution")
    assert len(traces) == len(cmp.models) and all(len(tr["y"]) == len(rows) for tr in traces)
    assert "Organic" in traces[0]["x"]  # sales channels read as words


@pytest.mark.parametrize("by", ["campaign", "channel", "post", "promoter", "community"])
def test_every_dimension(client, sim_site, by):
    login(client, sim_site.viewer)
    r = client.get(f"/channels?lang=zh&by={by}")
    assert r.status_code == 200
    res = _lib(client, channel_performance, by=by)
    rows, order = table(r.text, "roi")
    assert len(order) == len(res.rows)
    if by == "community":
        for row in res.rows:
            assert int(rows[row["key"]]["members"][0]) == row["members"]
            assert float(rows[row["key"]]["conversion"][0]) == pytest.approx(row["conversion"])
    if by == "promoter":
        assert "上级（二级）" in r.text and "一级" in r.text


def test_period_changes_the_numbers(client, sim_site):
    login(client, sim_site.viewer)
    late = client.get("/channels?lang=en&start=2026-01-15&end=2026-01-31").text
    res = _lib(client, channel_performance, by="platform", start="2026-01-15", end="2026-01-31")
    every = _lib(client, channel_performance, by="platform")
    assert res.totals["orders"] < every.totals["orders"]
    rows, _ = table(late, "roi")
    assert sum(int(c["orders"][0]) for c in rows.values()) == res.totals["orders"]
    assert 'value="2026-01-15"' in late


def test_bad_parameters(client, sim_site):
    assert client.get("/channels", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    assert client.get("/channels?by=tiktok").status_code == 422
    assert client.get("/channels?lookback=1y").status_code == 422
    assert client.get("/channels?dimension=promoter").status_code == 422
    r = client.get("/channels?lang=en&start=2026-02-30")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text and "2026-02-30" in r.text
    r = client.get("/channels?lang=zh&end=someday")
    assert r.status_code == 422 and "日期应为" in r.text


def test_empty_workspace_is_friendly(empty_site):
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        r = c.get("/channels?lang=en")
        assert r.status_code == 200
        assert "No paid orders in this period" in r.text and "No order can be attributed" in r.text
        assert 'id="roi"' not in r.text
        assert "No path to show" in r.text and 'id="paths"' not in r.text
        zh = c.get("/channels?lang=zh&step=channel&path_lookback=7d")
        assert zh.status_code == 200 and "没有可展示的购买路径" in zh.text


EVENTS_ZH = {"impression": "曝光", "view": "浏览", "click": "点击", "landing": "落地页",
             "trailer_view": "试听", "signup": "注册", "add_to_cart": "加购",
             "coupon_claim": "领券", "community_join": "入群", "…": "…"}
PLATFORMS_ZH = {"douyin": "抖音", "wechat": "微信", "xiaohongshu": "小红书", "bilibili": "B站",
                "zhihu": "知乎", "weibo": "微博", "kuaishou": "快手"}
CHANNELS_ZH = {"organic": "自然流量", "paid": "付费投放", "referral": "分销转介绍",
               "community": "社群", "kol": "达人 / KOL", "search": "搜索", "direct": "直接访问",
               "email": "邮件", "feed": "信息流"}


def _zh_step(step: str, kind: str) -> str:
    """How a step should read in 中文 (written out here, not taken from the code under test)."""
    if step == "…":
        return step
    if kind == "type":
        return EVENTS_ZH[step]
    if kind == "type@platform":
        ev, plat = step.split("@")
        return EVENTS_ZH[ev] + ("" if plat == "?" else "@" + PLATFORMS_ZH[plat])
    return (PLATFORMS_ZH if kind == "platform" else CHANNELS_ZH)[step]


@pytest.mark.parametrize("step", ["type", "type@platform", "platform", "channel"])
def test_paths_equal_purchase_paths(client, sim_site, step):
    login(client, sim_site.viewer)
    r = client.get("/channels", params={"lang": "zh", "step": step, "path_lookback": "14d"})
    assert r.status_code == 200
    res = _lib(client, purchase_paths, step=step, lookback="14d")
    assert len(res.rows) >= 3
    rows, order = table(r.text, "paths")
    assert order == [str(p["rank"]) for p in res.rows]
    for p in res.rows:
        cells = rows[str(p["rank"])]
        assert int(cells["purchases"][0]) == p["purchases"]
        assert float(cells["share"][0]) == pytest.approx(p["share"])
        assert float(cells["revenue"][0]) == pytest.approx(p["revenue"])
        assert cells["revenue"][1].startswith("¥")
        assert int(cells["non_converting"][0]) == p["non_converting"]
        rate = cells["conversion_rate"][0]
        assert (float(rate) if rate else None) == pytest.approx(p["conversion_rate"])
        assert cells["path"][1] == " → ".join(_zh_step(x, step) for x in p["steps"])
    bars = plotly_data(r.text, "chart-paths")[0]
    assert bars["orientation"] == "h" and bars["x"] == [p["purchases"] for p in res.rows]
    assert len(set(bars["y"])) == len(bars["y"])  # one bar per path
    assert [y.replace(" →<br>", " → ") for y in bars["y"]] == [rows[k]["path"][1] for k in order]
    for label in ("购买前路径", "路径步骤", "行为类型", "路径转化率", "占全部购买"):
        assert label in r.text, label


def test_paths_in_english_and_period(client, sim_site):
    login(client, sim_site.viewer)
    html = client.get("/channels?lang=en&start=2026-01-15&end=2026-01-31&step=type").text
    res = _lib(client, purchase_paths, step="type", start="2026-01-15", end="2026-01-31")
    every = _lib(client, purchase_paths, step="type")
    assert 0 < res.purchases < every.purchases
    rows, order = table(html, "paths")
    assert [int(rows[k]["purchases"][0]) for k in order] == [p["purchases"] for p in res.rows]
    assert "Paths before purchase" in html and "trailer view" in html
    assert f"{res.purchases} purchases" in html
    # the paths form keeps the page's other choices
    assert '<input type="hidden" name="start" value="2026-01-15">' in html


def test_paths_bad_parameters(client, sim_site):
    login(client, sim_site.viewer)
    assert client.get("/channels?step=post").status_code == 422  # not offered on the page
    assert client.get("/channels?step=clicks").status_code == 422
    assert client.get("/channels?path_lookback=1y").status_code == 422
