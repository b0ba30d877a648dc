"""The report's channels, content and community sections, and their shared presentation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kpgrowth.analytics.attribution import MODELS
from kpgrowth.analytics.channels import channel_performance
from kpgrowth.analytics.community import community_health
from kpgrowth.analytics.community_activity import MemberRetentionResult, member_retention
from kpgrowth.analytics.content import ContentResult, content_performance
from kpgrowth.analytics.paths import PathsResult, purchase_paths
from kpgrowth.report import present_channels as pch
from kpgrowth.report import present_content as pct
from kpgrowth.report.i18n import LABELS
from kpgrowth.report.overview import render_overview
from kpgrowth.report.sections import channels, community, content
from kpgrowth.schema import POST_FORMATS
from kpgrowth.simulate import simulate
from kpgrowth.workspace import Workspace

TEMPLATES = Path(__file__).parents[2] / "src/kpgrowth"


def _js(text: str) -> str:
    """``text`` as it appears inside a plotly chart's JSON."""
    return json.dumps(text)[1:-1]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory):
    ws = Workspace.init(tmp_path_factory.mktemp("report") / "sim")
    simulate(ws, users=400, days=21, seed=5)
    yield ws
    ws.close()


def test_channels_section_equals_the_library(sim):
    s = channels.build(sim, "zh")
    res = channel_performance(sim, by="platform")
    assert [r["key"] for r in s["roi"]["rows"]] == [r["key"] for r in res.rows]
    for row, lib in zip(s["roi"]["rows"], res.rows, strict=True):
        cells = {c["col"]: c for c in row["cells"]}
        assert cells["revenue"]["value"] == lib["revenue"]
        assert cells["refunds"]["value"] == lib["refunds"]
    assert s["roi"]["rows"][0]["label"] in ("微信", "抖音", "小红书", "B站", "知乎", "微博")
    assert [m for m, _ in s["attr"]["models"]] == list(MODELS)
    assert 'class="plotly-graph-div"' in s["roi_chart"]
    assert _js("首次触点") in s["attr_chart"]  # plotly writes non-ASCII as \u escapes


def test_content_section(sim):
    s = content.build(sim, "en")
    posts = content_performance(sim, by="post")
    ranked = [r for r in posts.rows if r["views"] >= pct.MIN_VIEWS]
    assert s["best"][0]["rate_value"] == max(r["engagement_rate"] for r in ranked)
    assert s["worst"][0]["rate_value"] == min(r["engagement_rate"] for r in ranked)
    assert '"Mon"' in s["heatmap"] and '"Sun"' in s["heatmap"]


def test_community_section(sim):
    s = community.build(sim, "zh")
    res = community_health(sim, period="week")
    ids = {r["community_id"] for r in res.rows}
    assert {r["key"] for r in s["rows"]} == ids
    for row in s["rows"]:
        last = [r for r in res.rows if r["community_id"] == row["key"]][-1]
        cells = {c["col"]: c["value"] for c in row["cells"]}
        assert cells["members"] == last["members"]
        assert cells["conversion"] == (last["conversion"] if last["conversion"] is not None else "")
        assert re.fullmatch(r"\d{4}年\d+月\d+日", row["period_fmt"])


def test_sections_are_none_without_data(ws):
    assert channels.build(ws, "zh") is None
    assert content.build(ws, "en") is None
    assert community.build(ws, "zh") is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_shows_the_three_sections(sim, lang):
    html = render_overview(sim, lang=lang)
    for sid in ("channels", "content", "community"):
        assert html.count(f'<section id="{sid}">') == 1, sid
    words = {"zh": ("各渠道投入产出", "归因模型对比", "互动率最高的作品", "各社群最新周期", _js("周一"),
                    "购买前路径", "路径转化率", "社群成员流失率是非成员的"),
             "en": ("Return on investment by channel", "Attribution models compared",
                    "Best posts by engagement rate", "Latest period of each community", "Mon",
                    "Paths before purchase", "Path conversion", "as often as non-members")}
    for word in words[lang]:
        assert word in html, word
    top = re.search(r'<ol id="top-paths">(.*?)</ol>', html, re.DOTALL)
    assert top and top.group(1).count("<li") == channels.TOP_PATHS


def test_hour_grid_and_best_hours():
    rows = [{"key": k, "posts": p, "views": 10, "engagement_rate": e}
            for k, p, e in ((0, 3, 0.2), (33, 2, 0.5), (167, 1, 0.9), (100, 4, None))]
    res = ContentResult("hour_of_week", rows)
    grid = pct.hour_grid(res)
    assert grid[0][0] == 0.2 and grid[1][9] == 0.5 and grid[6][23] == 0.9 and grid[4][4] is None
    assert sum(v is not None for row in grid for v in row) == 3
    best = pct.best_hours(res, "zh")  # one post at Sunday 23h is too little to count
    assert [(b["key"], b["slot"]) for b in best] == [(33, "周二 09:00–10:00"), (0, "周一 00:00–01:00")]


def test_every_label_is_bilingual_and_every_used_key_exists():
    for module, prefixes in ((pch, ("ch",)), (pct, ("ct", "cm"))):  # each face its labels
        for key, (zh, en) in module.LABELS.items():
            assert key.split(".")[0] in prefixes, key
            assert zh and en, key
    from kpgrowth.web.pages import channels as web_channels
    from kpgrowth.web.pages import community as web_community
    from kpgrowth.web.pages import content as web_content

    used = {f"ch.by.{b}" for b in web_channels.BY} | {f"ct.by.{b}" for b in web_content.GROUPS}
    used |= {f"cm.{m}" for m in web_community.METRICS + pct.ACTIVITY_METRICS}
    used |= {f"{k}.{p}" for k in ("cm.period", "cm.after", "cm.period1")
             for p in web_community.PERIODS}
    used |= {f"ch.step.{s}" for s in pch.STEP_KINDS} | {f"cm.group.{g}" for g in pct.MEMBER_GROUPS}
    used |= {f"ch.model.{m}" for m in MODELS} | {f"ch.model.{m}.help" for m in MODELS}
    used |= {f"ct.format.{f}" for f in POST_FORMATS} | {label for _, label, _ in pch.ROI_COLUMNS}
    used |= {f"cm.{c}" for c, _ in pct.CM_COLUMNS + pct.CM_OPTIONAL}
    for path in [*TEMPLATES.glob("web/templates/*.j2"),
                 *TEMPLATES.glob("report/templates/sections/*.j2")]:
        used |= set(re.findall(r"t\('((?:ch|ct|cm)\.[\w.]*\w)'", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in LABELS)
    assert not missing


def test_channels_section_lists_the_top_paths(sim):
    s = channels.build(sim, "zh")
    res = purchase_paths(sim, top=5, step="type", lookback="30d")
    assert len(res.rows) == 5
    rows = s["paths"]["rows"]
    assert [r["key"] for r in rows] == [p["rank"] for p in res.rows]
    for row, lib in zip(rows, res.rows, strict=True):
        cells = {c["col"]: c for c in row["cells"]}
        assert cells["purchases"]["value"] == lib["purchases"]
        assert cells["share"]["value"] == lib["share"]
        assert cells["conversion_rate"]["value"] == lib["conversion_rate"]
        assert row["label"].count(" → ") == len(lib["steps"]) - 1
        assert not any(step in row["label"] for step in ("trailer_view", "add_to_cart", "click"))
    assert str(res.purchases) in s["paths"]["totals"]


def test_path_labels():
    steps = ["…", "click@douyin", "view@?", "signup@wechat"]
    res = PathsResult([{"rank": 1, "path": "", "steps": steps, "purchases": 3, "share": 0.75, "revenue": 297.0, "non_converting": 1,
                        "conversion_rate": 0.75}], purchases=4, without_touch=1,
                      distinct_paths=1, step="type@platform")
    zh, en = pch.paths_table(res, "zh", "CNY"), pch.paths_table(res, "en", "USD")
    assert zh["rows"][0]["label"] == "… → 点击@抖音 → 浏览 → 注册@微信"
    assert en["rows"][0]["label"] == "… → click@Douyin → view → signup@WeChat"
    assert [c["text"] for c in en["rows"][0]["cells"]] == ["3", "75.0%", "$297.00", "1", "75.0%"]
    assert "1 of them without a touch" in en["totals"]
    assert pch.step_name("organic", "channel", "zh") == "自然流量"
    assert pch.step_name("xiaohongshu", "platform", "en") == "Xiaohongshu"
    fig = pch.paths_figure(res, "zh")
    assert list(fig.data[0].x) == [3] and fig.data[0].y[0] == "… → 点击@抖音 → 浏览 →<br>注册@微信"


def test_community_section_compares_members_with_non_members(sim):
    s = community.build(sim, "en")
    res = member_retention(sim, period="week", periods=8)
    assert res.loss_ratio is not None
    week1 = {r["group"]: r["rate"] for r in res.curve if r["k"] == 1}
    assert s["members"] == (f"Members churn {100 * res.loss_ratio:.1f}% as often as non-members. "
                            f"Week-1 retention: members {100 * week1['members']:.1f}%, "
                            f"non-members {100 * week1['non-members']:.1f}%.")
    assert community.build(sim, "zh")["members"].startswith(
        f"社群成员流失率是非成员的 {100 * res.loss_ratio:.1f}%。")


def test_member_figure_and_sentence_without_comparison():
    curve = [{"group": g, "k": k, "size": 5, "retained": None if k > 1 else 5 - k,
              "rate": None if k > 1 else (5 - k) / 5} for g in ("members", "non-members")
             for k in range(4)]
    res = MemberRetentionResult([], curve, "week", 4, "on_or_after", loss_ratio=None)
    assert pct.loss_sentence(res, "en") is None
    fig = pct.member_figure(res, "zh")
    assert [tr.name for tr in fig.data] == ["社群成员", "非成员"]
    assert list(fig.data[0].x) == [0, 1] and list(fig.data[0].y) == [1.0, 0.8]
