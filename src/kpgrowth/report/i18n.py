"""Labels in 中文 and English, and locale-aware number formatting.

Examples
--------
>>> t("revenue", "zh"), t("revenue", "en")
('营收', 'Revenue')
>>> fmt_count(123456, "zh"), fmt_count(123456, "en")
('12.3万', '123,456')
>>> fmt_money(1234.5, "CNY", "zh")
'¥1,234.50'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

LABELS: dict[str, tuple[str, str]] = {
    "title": ("kpgrowth 经营概览", "kpgrowth overview"),
    "generated": ("生成时间", "Generated"),
    "workspace": ("工作区", "Workspace"),
    "users": ("用户数", "Users"),
    "active_users": ("活跃用户", "Active users"),
    "buyers": ("付费用户", "Buyers"),
    "orders": ("订单数", "Orders"),
    "revenue": ("营收", "Revenue"),
    "refunds": ("退款", "Refunds"),
    "net_revenue": ("净营收", "Net revenue"),
    "aov": ("客单价", "Average order value"),
    "conversion": ("转化率", "Conversion"),
    "revenue_by_platform": ("各平台每日营收", "Daily revenue by platform"),
    "active_by_platform": ("各平台每日活跃用户", "Daily active users by platform"),
    "top_products": ("热销商品", "Top products"),
    "product": ("商品", "Product"),
    "kind": ("类型", "Kind"),
    "data_quality": ("数据质量", "Data quality"),
    "table": ("数据表", "Table"),
    "rows": ("行数", "Rows"),
    "first": ("最早 (UTC)", "First (UTC)"),
    "last": ("最晚 (UTC)", "Last (UTC)"),
    "kind.course": ("课程", "course"),
    "kind.live": ("直播课", "live class"),
    "kind.ebook": ("电子书", "e-book"),
    "kind.membership": ("会员", "membership"),
    "kind.community": ("社群", "community"),
    "kind.bundle": ("套餐", "bundle"),
    "kind.column": ("专栏", "column"),
    "kind.bootcamp": ("训练营", "bootcamp"),
    "quarantine": ("隔离区（被拒绝的行）", "Quarantine (rejected rows)"),
    "reason": ("原因", "Reason"),
    "no_quarantine": ("没有被拒绝的行。", "No rejected rows."),
    "empty": ("工作区还没有数据：用 `kpgrowth ingest` 导入导出文件，或运行 `make demo`。",
              "This workspace has no data yet: import exports with `kpgrowth ingest`, "
              "or run `make demo`."),
    "period": ("统计区间", "Period"),
    "all_time": ("全部时间", "all time"),
    "day": ("日期", "Day"),
    "platform": ("平台", "Platform"),
    # forecasts
    "fc.metric": ("指标", "Metric"),
    "fc.horizon": ("预测天数", "Days ahead"),
    "fc.forecast": ("预测", "Forecast"),
    "fc.history": ("历史", "History"),
    "fc.band80": ("80% 区间", "80% interval"),
    "fc.band95": ("95% 区间", "95% interval"),
    "fc.backtest": ("模型回测", "Backtest"),
    "fc.model": ("模型", "Model"),
    "fc.coverage": ("80% 区间覆盖率", "80% coverage"),
    "fc.table": ("逐日预测", "Daily forecast"),
    "fc.how": (("模型由滚动回测自动选择：在历史上多次“假装站在过去”预测，取误差 (MASE) 最小者；"
                "都不如“上周同一天”时就用它。"),
               ("The model is chosen by rolling-origin backtest: forecasting the past several times "
                "and keeping the lowest error (MASE); if none beats “same weekday last week”, that "
                "is used.")),
    "fc.mase_hint": ("MASE < 1 表示比“上周同一天”更准。", "MASE < 1 beats “same weekday last week”."),
    "fc.too_short": (("历史太短，无法回测比较模型，使用“上周同一天”作为预测。"),
                     ("The history is too short to compare models by backtest; the forecast is "
                      "“same weekday last week”.")),
    "engagement": ("互动量", "Engagement"),
    **{f"platform.{k}": v for k, v in {
        "douyin": ("抖音", "Douyin"), "wechat": ("微信", "WeChat"), "weibo": ("微博", "Weibo"),
        "xiaohongshu": ("小红书", "Xiaohongshu"), "bilibili": ("B站", "Bilibili"),
        "zhihu": ("知乎", "Zhihu"), "kuaishou": ("快手", "Kuaishou"), "tiktok": ("TikTok", "TikTok"),
        "instagram": ("Instagram", "Instagram"), "linkedin": ("LinkedIn", "LinkedIn"),
        "x": ("X", "X"), "youtube": ("YouTube", "YouTube"), "other": ("其他", "other"),
        "xiaoe": ("小鹅通", "Xiaoe-tech"), "facebook": ("Facebook", "Facebook"),
        "kajabi": ("Kajabi", "Kajabi"), "website": ("官网", "Website"),
        "email": ("邮件", "Email"),
    }.items()},
}
"""Every label of the report and the dashboard: ``key -> (中文, English)``.

Surfaces add their own with :func:`add_labels`, e.g. the dashboard's page labels in
:mod:`kpgrowth.web.labels`."""


def add_labels(labels: dict[str, tuple[str, str]]) -> None:
    """Register more labels; a key already defined with other text is an error.

    Examples
    --------
    >>> add_labels({"revenue": ("营收", "Revenue")})  # same text: fine
    >>> add_labels({"revenue": ("收入", "Income")})
    Traceback (most recent call last):
    ...
    ValueError: label 'revenue' is already defined as ('营收', 'Revenue')
    """
    for key, pair in labels.items():
        if key in LABELS and LABELS[key] != pair:
            raise ValueError(f"label {key!r} is already defined as {LABELS[key]!r}")
        LABELS[key] = pair


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``); the key itself if unknown."""
    zh, en = LABELS.get(key, (key, key))
    return zh if lang == "zh" else en


def fmt_count(n: float, lang: str) -> str:
    """A count as sellers read it: 万/亿 in Chinese, thousands separators in English."""
    n = float(n)
    if lang == "zh":
        if abs(n) >= 1e8:
            return f"{n / 1e8:.1f}亿".replace(".0亿", "亿")
        if abs(n) >= 1e4:
            return f"{n / 1e4:.1f}万".replace(".0万", "万")
    return f"{n:,.0f}"


_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def currency_symbol(currency: str) -> str:
    """The symbol written before amounts (``CNY`` -> ``¥``; unknown codes -> ``"XYZ "``)."""
    return _SYMBOLS.get(currency, currency + " ")


def fmt_money(x: float, currency: str, lang: str) -> str:
    """Money with its currency symbol (large sums in 万 for Chinese)."""
    sym = currency_symbol(currency)
    if lang == "zh" and abs(x) >= 1e6:
        return f"{sym}{x / 1e4:,.1f}万"
    return f"{sym}{x:,.2f}"


def fmt_pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f}%"


def fmt_datetime(v: Any, lang: str) -> str:
    """A date or time as read in ``lang`` (empty for None).

    Examples
    --------
    >>> import datetime as dt
    >>> when = dt.datetime(2026, 1, 21, 15, 53, 14)
    >>> fmt_datetime(when, "zh"), fmt_datetime(when, "en")
    ('2026年1月21日 15:53', 'Jan 21, 2026 15:53')
    >>> fmt_datetime(dt.date(2026, 3, 5), "zh"), fmt_datetime(None, "en")
    ('2026年3月5日', '')
    """
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    day = (f"{v.year}年{v.month}月{v.day}日" if lang == "zh"
           else f"{v:%b} {v.day}, {v.year}")
    return f"{day} {v:%H:%M}" if isinstance(v, dt.datetime) else day


def platform_name(platform: str | None, lang: str) -> str:
    """A platform's name as its users call it (``douyin`` -> 抖音 / Douyin).

    Examples
    --------
    >>> platform_name("xiaohongshu", "zh"), platform_name("newsite", "en")
    ('小红书', 'newsite')
    """
    key = f"platform.{platform or 'other'}"
    return t(key, lang) if key in LABELS else str(platform)


_REASONS_ZH: tuple[tuple[str, str], ...] = (
    ("missing required value", "缺少必填值"),
    ("not a valid timestamp", "不是有效的时间"),
    ("not a valid date", "不是有效的日期"),
    ("not a whole number", "不是整数"),
    ("not a number", "不是数字"),
    ("number out of range", "数值超出范围"),
    ("not true/false", "不是 是/否"),
    ("not one of the allowed values", "不在允许的取值范围内"),
    ("must be >= 0 unless status is refunded", "金额必须 ≥ 0（退款除外）"),
    ("value not in mapping", "映射中没有这个值"),
    ("not valid JSON", "不是有效的 JSON"),
    ("not a JSON object", "不是 JSON 对象"),
    ("must be >= ", "必须 ≥ "),
    ("must be <= ", "必须 ≤ "),
)


def reason_text(reason: str, lang: str) -> str:
    """A quarantine reason in ``lang``; stored reasons are stable English phrases.

    Examples
    --------
    >>> reason_text("must be >= 0", "zh"), reason_text("must be >= 0", "en")
    ('必须 ≥ 0', 'must be >= 0')
    >>> reason_text("value not in mapping (expected one of: 已支付)", "zh")
    '映射中没有这个值 (可选值: 已支付)'
    """
    if lang != "zh" or not reason:
        return reason
    for en, zh in _REASONS_ZH:
        if reason.startswith(en):
            rest = reason[len(en):].replace("expected one of", "可选值")
            return zh + rest
    return reason
