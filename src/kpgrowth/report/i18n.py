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
}


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


def fmt_money(x: float, currency: str, lang: str) -> str:
    """Money with its currency symbol (large sums in 万 for Chinese)."""
    sym = _SYMBOLS.get(currency, currency + " ")
    if lang == "zh" and abs(x) >= 1e6:
        return f"{sym}{x / 1e4:,.1f}万"
    return f"{sym}{x:,.2f}"


def fmt_pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f}%"
