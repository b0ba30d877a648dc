"""The report's channels, content and community sections, and their shared presentation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kpgrowth.analytics.attribution import MODELS
from kpgrowth.analytics.channels import channel_performance
from kpgrowth.analytics.community import community_health
from kpgrowth.analytics.content import ContentResult, content_performance
from kpgrowth.report import present_channels as pc
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
    ranked = [r for r in posts.rows if r["views"] >= pc.MIN_VIEWS]
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
    words = {"zh": ("各渠道投入产出", "归因模型对比", "互动率最高的作品", "各社群最新周期", _js("周一")),
             "en": ("Return on investment by channel", "Attribution models compared",
                    "Best posts by engagement rate", "Latest period of each community", "Mon")}
    for word in words[lang]:
        assert word in html, word


def test_hour_grid_and_best_hours():
    rows = [{"key": k, "posts": p, "views": 10, "engagement_rate": e}
            for k, p, e in ((0, 3, 0.2), (33, 2, 0.5), (167, 1, 0.9), (100, 4, None))]
    res = ContentResult("hour_of_week", rows)
    grid = pc.hour_grid(res)
    assert grid[0][0] == 0.2 and grid[1][9] == 0.5 and grid[6][23] == 0.9 and grid[4][4] is None
    assert sum(v is not None for row in grid for v in row) == 3
    best = pc.best_hours(res, "zh")  # one post at Sunday 23h is too little to count
    assert [(b["key"], b["slot"]) for b in best] == [(33, "周二 09:00–10:00"), (0, "周一 00:00–01:00")]


def test_every_label_is_bilingual_and_every_used_key_exists():
    for key, (zh, en) in pc.LABELS.items():
        assert key.split(".")[0] in ("ch", "ct", "cm"), key
        assert zh and en, key
    from kpgrowth.web.pages import channels as web_channels
    from kpgrowth.web.pages import community as web_community
    from kpgrowth.web.pages import content as web_content

    used = {f"ch.by.{b}" for b in web_channels.BY} | {f"ct.by.{b}" for b in web_content.GROUPS}
    used |= {f"cm.{m}" for m in web_community.METRICS} | {f"cm.period.{p}" for p in web_community.PERIODS}
    used |= {f"ch.model.{m}" for m in MODELS} | {f"ch.model.{m}.help" for m in MODELS}
    used |= {f"ct.format.{f}" for f in POST_FORMATS} | {label for _, label, _ in pc.ROI_COLUMNS}
    used |= {f"cm.{c}" for c, _ in pc.CM_COLUMNS + pc.CM_OPTIONAL}
    for path in [*TEMPLATES.glob("web/templates/*.j2"), *TEMPLATES.glob("report/templates/sections/*.j2")]:
        used |= set(re.findall(r"t\('((?:ch|ct|cm)\.[\w.]*\w)'", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in LABELS)
    assert not missing
