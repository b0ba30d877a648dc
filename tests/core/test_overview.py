"""Overview KPIs against numbers computed by hand, and the HTML overview."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa

from kpgrowth.analytics.overview import overview
from kpgrowth.report.overview import render_overview

UTC = dt.timezone.utc


def _fill(ws):
    d = decimal.Decimal
    ts = lambda day, h: dt.datetime(2026, 3, day, h, tzinfo=UTC)  # noqa: E731
    with ws.store.batch() as b:
        b.append("users", pa.table({"user_key": ["a", "b", "c", "d"]}))
        b.append("products", pa.table({
            "product_id": ["p1", "p2"], "kind": ["course", "ebook"],
            "title": ["Python 入门", "写作课"], "price": [d("199.00"), d("9.90")],
            "currency": ["CNY", "CNY"]}))
        b.append("orders", pa.table({
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            # o2 at 17:00 UTC on the 1st is the 2nd in Asia/Shanghai
            "ts": [ts(1, 2), ts(1, 17), ts(2, 3), ts(2, 4), ts(3, 5)],
            "user_key": ["a", "a", "b", "c", "b"],
            "product_id": ["p1", "p2", "p1", "p2", "p1"],
            "amount": [d("199.00"), d("9.90"), d("199.00"), d("9.90"), d("-199.00")],
            "currency": ["CNY"] * 5,
            "platform": ["douyin", "wechat", "douyin", None, "douyin"],
            "status": ["paid", "paid", "paid", "paid", "refunded"]}))
        b.append("events", pa.table({
            "event_id": [f"e{i}" for i in range(6)],
            "ts": [ts(1, 1), ts(1, 1), ts(2, 1), ts(2, 2), ts(2, 3), ts(3, 3)],
            "user_key": ["a", "b", "c", "d", "a", "b"],
            "type": ["view", "view", "click", "view", "purchase", "view"],
            "platform": ["douyin", "douyin", "wechat", "wechat", "douyin", "douyin"]}))


def test_kpis_match_hand_computation(ws):
    _fill(ws)
    k = overview(ws).kpis
    assert k == {"users": 4, "active_users": 4, "buyers": 3, "orders": 4,
                 "revenue": 417.8, "refunds": 199.0, "net_revenue": 218.8,
                 "aov": 104.45, "conversion": 0.75}


def test_days_are_local_and_filters_apply(ws):
    _fill(ws)
    ov = overview(ws, start="2026-03-02", end="2026-03-02")
    # local day 2026-03-02 (Asia/Shanghai) = UTC 03-01 16:00 .. 03-02 16:00: o2, o3, o4
    assert ov.kpis["orders"] == 3 and ov.kpis["revenue"] == 218.8
    days = {r["day"] for r in ov.daily}
    assert days == {"2026-03-02"}
    only = overview(ws, platforms=["douyin"])
    assert only.kpis["orders"] == 2 and only.kpis["buyers"] == 2
    tops = overview(ws).top_products
    assert [p["product_id"] for p in tops] == ["p1", "p2"]
    assert tops[0]["title"] == "Python 入门" and tops[0]["revenue"] == 398.0


def test_html_overview_is_self_contained_and_bilingual(ws):
    _fill(ws)
    zh = render_overview(ws, lang="zh")
    en = render_overview(ws, lang="en")
    assert "营收" in zh and "Revenue" in en
    assert "¥417.80" in zh
    import re

    # nothing is loaded from elsewhere: plotly.js is inlined, no external scripts or styles
    assert not re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=", zh)
    assert len(zh) > 1_000_000  # the inlined plotly.js bundle


def test_report_has_a_forecast_section_when_history_allows(ws):
    from kpgrowth.simulate import simulate

    _fill(ws)  # three days of orders: too short to forecast, no section
    assert 'id="forecast"' not in render_overview(ws, lang="zh")
    simulate(ws, users=300, days=21, seed=2, overwrite=True)
    zh = render_overview(ws, lang="zh")
    assert 'id="forecast"' in zh and "营收 · 预测" in zh


def test_every_platform_has_a_name_in_both_languages():
    from kpgrowth.report.i18n import LABELS
    from kpgrowth.schema import PLATFORMS

    missing = [p for p in PLATFORMS if f"platform.{p}" not in LABELS]
    assert not missing, f"add platform.<name> labels for {missing} in report/i18n.py"
