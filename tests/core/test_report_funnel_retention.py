"""The report's funnel and retention sections on a hand-made shop: counts, rates and LTV
computed by hand, both languages, and no section without data."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re

import pyarrow as pa
import pytest

from kpgrowth.report.overview import render_overview
from kpgrowth.report.sections import funnel as funnel_section
from kpgrowth.report.sections import retention as retention_section

T0 = dt.datetime(2026, 3, 3, 4, tzinfo=dt.UTC)  # Tuesday noon in Asia/Shanghai
H, D = 3600, 86400

# a goes all the way, b stops after the trailer, c after the click, d after the impression;
# e clicks without an impression (never enters). a is back in week 1, b in week 2.
EVENTS = [
    ("a", 0, "impression"), ("a", H, "click"), ("a", 2 * H, "trailer_view"),
    ("a", 3 * H, "purchase"), ("a", 7 * D, "lesson_complete"), ("a", 8 * D, "share"),
    ("b", 0, "impression"), ("b", H, "click"), ("b", 2 * H, "trailer_view"),
    ("b", 14 * D, "view"),
    ("c", 0, "impression"), ("c", 5 * H, "click"),
    ("d", H, "impression"),
    ("e", H, "click"),
]


def _fill(ws, *, orders: bool = True) -> None:
    at = lambda s: T0 + dt.timedelta(seconds=s)
    with ws.store.batch() as b:
        b.append("events", pa.table({
            "event_id": [f"e{i}" for i in range(len(EVENTS))],
            "ts": [at(s) for _, s, _ in EVENTS], "user_key": [u for u, _, _ in EVENTS],
            "type": [k for _, _, k in EVENTS]}))
        if orders:
            b.append("orders", pa.table({
                "order_id": ["o1", "o2"], "ts": [at(3 * H), at(14 * D)], "user_key": ["a", "b"],
                "product_id": ["p1", "p2"],
                "amount": [decimal.Decimal("199.00"), decimal.Decimal("99.00")],
                "currency": ["CNY", "CNY"], "status": ["paid", "paid"]}))


def _traces(chart: str) -> list[dict]:
    m = re.search(r'Plotly.newPlot\(\s*"[\w-]+",\s*(\[.*?\]),\s*\{', chart, re.DOTALL)
    assert m
    return json.loads(m.group(1))


def test_no_sections_without_data(ws):
    assert funnel_section.build(ws, "zh") is None
    assert retention_section.build(ws, "en") is None


def test_funnel_section_counts_by_hand(ws):
    _fill(ws)
    s = funnel_section.build(ws, "zh")
    assert [r["count"] for r in s["rows"]] == [4, 3, 2, 1, 1, 1]
    assert [r["label"] for r in s["rows"]] == ["曝光", "点击", "试听", "购买", "完课", "转发"]
    assert [r["prev_fmt"] for r in s["rows"]] == ["–", "75.0%", "66.7%", "50.0%", "100.0%",
                                                  "100.0%"]
    assert s["rows"][1]["median_fmt"] == "1.0小时"  # a, b after 1 h, c after 5 h
    bar = _traces(s["chart"])[0]
    assert bar["y"] == pytest.approx([100, 75, 50, 25, 25, 25])
    assert bar["error_y"]["array"][3] > 0 and bar["x"][0] == "1. 曝光"
    en = funnel_section.build(ws, "en")
    assert en["rows"][2]["label"] == "trailer view" and en["rows"][1]["median_fmt"] == "1.0 h"


def test_retention_section_rates_and_ltv_by_hand(ws):
    _fill(ws)
    s = retention_section.build(ws, "zh")
    heat = _traces(s["chart"])[0]
    assert heat["z"][0][:3] == [100.0, 20.0, 20.0]  # 5 people; a back in week 1, b in week 2
    assert heat["z"][0][3:] == [None] * 5  # weeks not reached yet
    assert [p["rate"] for p in s["curve"][:3]] == ["100.0%", "20.0%", "20.0%"]
    assert s["curve"][0]["label"] == "第0周"
    ltv = _traces(s["ltv"])
    # cohorts by first purchase: a (week 0, 199) and b (week 2, 99); then the average
    assert ltv[0]["y"][:3] == [199.0, 199.0, 199.0] and ltv[1]["y"][0] == 99.0
    assert ltv[-1]["y"][0] == pytest.approx(149.0)


def test_retention_section_without_orders_has_no_ltv(ws):
    _fill(ws, orders=False)
    s = retention_section.build(ws, "en")
    assert s["ltv"] is None and s["chart"]


@pytest.mark.parametrize("lang, words", [
    ("zh", ["转化漏斗", "较上一步", "留存与生命周期价值", "同期群留存", "累计人均营收"]),
    ("en", ["Conversion funnel", "From previous step", "Retention and lifetime value",
            "Cohort retention", "Cumulative revenue per person"]),
])
def test_report_includes_both_sections(ws, lang, words):
    _fill(ws)
    html = render_overview(ws, lang=lang)
    assert html.count('<section id="funnel">') == 1 and html.count('<section id="retention">') == 1
    for w in words:
        assert w in html, w
    assert 'id="report-funnel"' in html and 'id="report-ltv"' in html
