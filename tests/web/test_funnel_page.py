"""The Funnel page: counts and intervals equal the library's, breakdowns, dropped-user CSV,
clear messages for bad parameters, both languages, empty workspace."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from kpgrowth.analytics.funnel import DEFAULT_STEPS, funnel
from kpgrowth.api.app import create_app

from .conftest import login


def _run(app, *args, **kwargs):
    """The library's funnel on the app's own workspace (through its gate)."""
    return app.state.gate.read(funnel, app.state.workspace, *args, **kwargs)


def _counts(page: str, table: str = "funnel-steps") -> list[int]:
    body = re.search(rf'<table id="{table}">(.*?)</table>', page, re.DOTALL)
    assert body, f"no table {table}"
    return [int(n) for n in re.findall(r'<tr data-step="\d+" data-count="(\d+)">', body.group(1))]


def _traces(page: str, div: str) -> list[dict]:
    m = re.search(rf'Plotly.newPlot\(\s*"{div}",\s*(\[.*?\]),\s*\{{', page, re.DOTALL)
    assert m, f"no chart {div}"
    return json.loads(m.group(1))


def _csv_links(page: str) -> dict[int, str]:
    hrefs = [html.unescape(h) for h in re.findall(r'class="dropped-csv" href="([^"]+)"', page)]
    return {int(re.search(r"[?&]at=(\d+)", h).group(1)): h for h in hrefs}


def test_default_funnel_in_chinese_matches_the_library(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    page = client.get("/funnel?lang=zh").text
    res = _run(sim_app)
    assert _counts(page) == [r["count"] for r in res.overall]
    assert res.overall[1]["count"] > 0  # the simulated shop has clicks
    for label in ("转化漏斗", "漏斗步骤", "曝光", "试听", "完课", "较上一步", "较第一步",
                  "流失", "距上一步用时", "流失用户 CSV", "95% 置信区间"):
        assert label in page, label
    # the step builder starts with the default steps, in order, plus one spare select
    chosen = re.findall(r'<option value="(\w+)" selected>', page.split('id="steps"')[1]
                        .split("</ol>")[0])
    assert chosen == list(DEFAULT_STEPS)
    # the chart: conversion from step 1 (%) with the Wilson bounds as error bars
    bars = _traces(page, "chart-funnel")
    assert len(bars) == 1
    bar = bars[0]
    assert bar["y"][0] == 100.0
    for k, r in enumerate(res.overall[1:], start=1):
        assert bar["y"][k] == pytest.approx(100 * r["conv_first"])
        up, down = r["conv_first_hi"] - r["conv_first"], r["conv_first"] - r["conv_first_lo"]
        assert bar["error_y"]["array"][k] == pytest.approx(100 * up)
        assert bar["error_y"]["arrayminus"][k] == pytest.approx(100 * down)
    assert bar["x"][0] == "1. 曝光"
    # conversion from the previous step, with its interval, as in the table
    r2 = res.overall[1]
    assert f"{100 * r2['conv_prev']:.1f}%" in page
    assert f"{100 * r2['conv_prev_lo']:.1f}–{100 * r2['conv_prev_hi']:.1f}%" in page
    # the time-to-convert histogram has one series per later step, summing to its count
    hist = _traces(page, "chart-ttc")
    assert [sum(tr["y"]) for tr in hist] == [r["count"] for r in res.overall[1:]]


def test_custom_steps_window_order_breakdown_in_english(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    steps = ["view", "click", "trailer_view", "purchase"]
    query = ("&".join(f"step={s}" for s in steps)
             + "&step=&window=7d&order=strict&breakdown=platform")
    page = client.get(f"/funnel?{query}&lang=en").text
    res = _run(sim_app, steps, window="7d", order="strict", breakdown="platform")
    assert _counts(page) == [r["count"] for r in res.overall]
    assert _counts(page) != [r["count"] for r in _run(sim_app, steps).overall]  # strict differs
    for label in ("Funnel", "From previous step", "Dropped",
                  "Breakdown", "Douyin", "Time to convert"):
        assert label in page, label
    assert "转化" not in page
    # the breakdown table: one row per platform, counts per step equal the library's
    table = re.search(r'<table id="funnel-by">(.*?)</table>', page, re.DOTALL).group(1)
    rows = re.findall(r'<tr data-segment="([^"]*)">(.*?)</tr>', table, re.DOTALL)
    got = {seg: [int(n) for n in re.findall(r'data-count="(\d+)"', cells)] for seg, cells in rows}
    want: dict[str, list[int]] = {}
    for r in res.by:
        want.setdefault(r["breakdown"] or "", []).append(r["count"])
    assert got == want and len(got) > 1
    # one bar series per platform (the largest first), each with its own intervals
    bars = _traces(page, "chart-funnel")
    assert len(bars) == min(8, len(want)) and all(len(b["y"]) == len(steps) for b in bars)


def test_dates_filter_the_entries(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    page = client.get("/funnel?start=2026-01-10&end=2026-01-15").text
    res = _run(sim_app, start="2026-01-10", end="2026-01-15")
    assert _counts(page) == [r["count"] for r in res.overall]
    assert _counts(page)[0] < _run(sim_app).overall[0]["count"]
    assert 'value="2026-01-10"' in page


def test_dropped_csv_equals_the_retargeting_list(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    steps = ["impression", "click", "trailer_view", "purchase"]
    page = client.get("/funnel?" + "&".join(f"step={s}" for s in steps) + "&window=10d").text
    links = _csv_links(page)
    assert sorted(links) == [1, 2, 3]  # the last step has no next step to drop before
    res = _run(sim_app, steps, window="10d")
    for k, href in links.items():
        assert "window=10d" in href and href.count("step=") == len(steps)
        r = client.get(href)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert f"dropped_step{k}_{steps[k - 1]}.csv" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        want = res.dropped(k).to_pylist()
        assert [x["user_key"] for x in rows] == [w["user_key"] for w in want]
        assert len(rows) == res.overall[k - 1]["count"] - res.overall[k]["count"]
        assert rows and rows[0]["reached_at"] == want[0]["reached_at"].isoformat()
        assert set(rows[0]) == {"user_key", "reached_at", "breakdown", "last_event_at"}
    assert client.get("/funnel/dropped.csv?at=6").status_code == 422  # last default step
    assert client.get("/funnel/dropped.csv?at=0").status_code == 422


@pytest.mark.parametrize("query, message", [
    ("step=impression&step=clik", "did you mean &#39;click&#39;?"),
    ("window=two+weeks", "window must be a positive duration"),
    ("window=0d", "window must be a positive duration"),
    ("start=2026-13-01", "start and end must be dates"),
    ("breakdown=nope", "cannot break a funnel down by this column"),
    ("step=purchase", "a funnel needs at least two steps"),
])
def test_bad_parameters_are_explained_on_the_page(client, sim_site, query, message):
    login(client, sim_site.viewer)
    for lang, heading in (("zh", "参数有误"), ("en", "Please check the parameters")):
        r = client.get(f"/funnel?{query}&lang={lang}")
        assert r.status_code == 200 and 'id="funnel-error"' in r.text
        assert message in r.text and heading in r.text
    bad = client.get(f"/funnel/dropped.csv?{query}&at=1")
    assert bad.status_code == 422 and message.replace("&#39;", "'") in bad.text


def test_unknown_order_is_refused_and_login_is_needed(client, sim_site):
    assert client.get("/funnel", follow_redirects=False).status_code == 303
    assert client.get("/funnel/dropped.csv?at=1", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    assert client.get("/funnel?order=random").status_code == 422


def test_step_builder_script_is_served(client, sim_site):
    login(client, sim_site.viewer)
    assert '<script src="/static/funnel.js">' in client.get("/funnel").text
    js = client.get("/static/funnel.js")
    assert js.status_code == 200 and "add-step" in js.text


def test_empty_workspace_says_nobody_entered(empty_site):
    with TestClient(create_app(empty_site.root)) as c:
        login(c, empty_site.viewer)
        for lang, text in (("zh", "没有人完成漏斗的第一步"), ("en", "Nobody did the funnel")):
            page = c.get(f"/funnel?lang={lang}")
            assert page.status_code == 200 and text in page.text
            assert 'id="chart-funnel"' not in page.text


def test_every_breakdown_in_the_form_works(client, sim_site, sim_app):
    login(client, sim_site.viewer)
    form = client.get("/funnel?lang=zh").text
    select = re.search(r'<select name="breakdown">(.*?)</select>', form, re.DOTALL).group(1)
    options = [o for o in re.findall(r'<option value="([^"]*)"', select) if o]
    assert {"platform", "users.first_channel"} <= set(options)
    for b in options:
        page = client.get(f"/funnel?breakdown={b}&step=impression&step=click&lang=zh").text
        assert 'id="funnel-error"' not in page, b
        res = _run(sim_app, ["impression", "click"], breakdown=b)
        segments = re.findall(r'<tr data-segment="([^"]*)">', page)
        assert segments == list(dict.fromkeys(r["breakdown"] or "" for r in res.by)), b
