"""The analytics CLI commands print their Results (and export the dropped list)."""

from __future__ import annotations

import csv
import json

import pytest

from kpgrowth.cli import main
from tests.conftest import run_cli


def test_funnel_retention_attribution_channels(sim, tmp_path, capsys):
    root = str(sim.root)
    out = tmp_path / "dropped.csv"
    main(["funnel", root, "--steps", "click,landing,purchase", "--window", "1d",
          "--dropped", "2", "--export", str(out)])
    text = capsys.readouterr().out
    assert "funnel (sequential, window 1d; users)" in text and "landing" in text
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["user_key"].startswith("u_") for r in rows)
    main(["retention", root, "--periods", "3"])
    assert "100.0%" in capsys.readouterr().out  # period 0
    main(["attribution", root])
    text = capsys.readouterr().out
    assert "markov" in text and "shapley" in text
    main(["channels", root, "--by", "campaign"])
    assert "ROAS" in capsys.readouterr().out


def _rows(text: str) -> dict[str, list[str]]:
    """Table body rows of rich output by their first cell (the last table wins)."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


@pytest.fixture()
def wide(monkeypatch):
    from kpgrowth.cli import out

    monkeypatch.setattr(out, "_width", 250)  # no wrapped or truncated cells


def test_content_prints_the_library_numbers(sim, capsys, wide, tmp_path):
    from kpgrowth.analytics.content import content_performance

    root = str(sim.root)
    res = content_performance(sim, by="platform")
    assert run_cli(["content", root, "--by", "platform", "--limit", "50"]) == 0
    text = capsys.readouterr().out
    rows = _rows(text)
    for r in res.rows:
        assert rows[r["key"]] == [f"{r[m]:,}" for m in ("posts", "views", "likes", "comments",
                                                        "shares", "saves")] + [
            f"{100 * r['engagement_rate']:.1f}%"]
    assert f"{res.totals['views']:,} views" in text
    fmt = content_performance(sim, by="format")
    assert run_cli(["content", root, "--by", "format", "--best", "2", "--worst", "1",
                    "--min-views", "10"]) == 0
    text = capsys.readouterr().out
    best = text.split("best 2 by engagement rate (views >= 10)")[1].split("worst 1")[0]
    assert list(_rows(best)) == [r["key"] for r in fmt.best(2, min_views=10)]
    worst = text.split("worst 1 by engagement rate")[1]
    assert list(_rows(worst)) == [r["key"] for r in fmt.worst(1, min_views=10)]
    out = tmp_path / "posts.csv"
    assert run_cli(["content", root, "--platform", "douyin", "--export", str(out)]) == 0
    posts = content_performance(sim, platforms=["douyin"])
    assert f"wrote {len(posts.rows)} rows to {out}" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig") as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == len(posts.rows) and {r["platform"] for r in exported} == {"douyin"}
    assert [int(r["views"]) for r in exported] == [r["views"] for r in posts.rows]
    assert run_cli(["content", root, "--by", "hour_of_week", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["rows"] == content_performance(sim, by="hour_of_week").to_dict()["rows"]


def test_community_rfm_engagement_print_the_library_numbers(sim, capsys, wide):
    from kpgrowth.analytics.community import community_health
    from kpgrowth.analytics.engagement_index import engagement_index, fit_engagement_weights
    from kpgrowth.analytics.rfm import rfm

    root = str(sim.root)
    health = community_health(sim, period="month")
    first = health.rows[0]["community_id"]
    assert run_cli(["community", root, "--period", "month", "--community", first,
                    "--community", "nope"]) == 0
    text = capsys.readouterr().out
    mine = [r for r in health.rows if r["community_id"] == first]
    lines = [line for line in text.splitlines() if line.startswith("│")]
    assert len(lines) == len(mine) and "not in the workspace: nope" in text
    last = [c.strip() for c in lines[-1].strip("│").split("│")]
    r = mine[-1]
    assert last[1:5] == [r["period"], f"{r['members']:,}", f"{r['active_members']:,}",
                         f"{100 * r['active_share']:.1f}%"]

    res = rfm(sim)
    assert run_cli(["rfm", root, "--segments"]) == 0
    rows = _rows(capsys.readouterr().out)
    for s in res.segments:
        assert rows[s["segment"]][:2] == [s["segment_zh"], f"{s['users']:,}"]
    assert run_cli(["rfm", root, "--limit", "3"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert list(rows) == [u["user_key"] for u in res.users[:3]]
    assert [rows[u["user_key"]][4] for u in res.users[:3]] == [u["code"] for u in res.users[:3]]

    ix = engagement_index(sim)
    assert run_cli(["engagement", root, "--limit", "3"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert [(k, v[-3]) for k, v in rows.items()] == [(r["user_key"], f"{r['U']:.3f}")
                                                     for r in ix.rows[:3]]
    fit = fit_engagement_weights(sim)
    assert run_cli(["engagement", root, "--fit"]) == 0
    text = capsys.readouterr().out
    assert f"AUC fitted {fit.auc_fitted:.3f}" in text and f"vs hand {fit.auc_hand:.3f}" in text
    assert _rows(text)["alpha"][1] == f"{fit.weights['alpha']:.3f}"


@pytest.mark.parametrize("argv", [
    ["content", "{root}", "--by", "author"],
    ["content", "{root}", "--platform", "myspace"],
    ["content", "{root}", "--start", "2026-02-30"],
    ["community", "{root}", "--period", "year"],
    ["community", "{root}", "--community", "nope"],
    ["community", "{root}", "--activity", "--members"],
    ["community", "{root}", "--members", "--community", "cmty001"],
    ["community", "{root}", "--members", "--mode", "sometimes"],
    ["community", "{root}", "--activity", "--end", "2026-02-30"],
    ["rfm", "{root}", "--as-of", "2026-02-30"],
    ["engagement", "{root}", "--as-of", "soon"],
    ["content", "{root}", "--export", "{root}/missing/dir/x.csv"],
])
def test_bad_input_is_one_line_and_exit_2(sim, capsys, argv):
    assert run_cli([a.format(root=sim.root) for a in argv]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_paths_prints_the_library_numbers(sim, capsys, wide):
    from kpgrowth.analytics.paths import purchase_paths

    res = purchase_paths(sim, top=3, lookback="14d")
    assert run_cli(["paths", str(sim.root), "--top", "3", "--lookback", "14d"]) == 0
    text = capsys.readouterr().out
    rows = _rows(text)
    assert [(v[0], v[1]) for v in rows.values()] == [(r["path"], f"{r['purchases']:,}")
                                                      for r in res.rows]
    assert f"{res.purchases:,} purchases" in text
    raw = purchase_paths(sim, top=5, collapse=False, conversion="purchase", start="2026-01-10")
    assert run_cli(["paths", str(sim.root), "--top", "5", "--no-collapse", "--conversion",
                    "purchase", "--start", "2026-01-10"]) == 0
    assert [(v[0], v[1]) for v in _rows(capsys.readouterr().out).values()] == [
        (r["path"], f"{r['purchases']:,}") for r in raw.rows]
    assert run_cli(["paths", str(sim.root), "--step", "author"]) == 2


def _cells(text: str) -> list[list[str]]:
    """Cells of every table body row of rich output, in order."""
    return [[c.strip() for c in line.strip("│").split("│")] for line in text.splitlines()
            if line.startswith("│")]


def test_community_activity_prints_the_library_numbers(sim, capsys, wide, tmp_path):
    from kpgrowth.analytics.community_activity import community_activity

    root = str(sim.root)
    res = community_activity(sim, start="2026-01-05")
    ids = sorted({r["community_id"] for r in res.rows})[:2]
    mine = community_activity(sim, start="2026-01-05", communities=ids)
    assert run_cli(["community", root, "--activity", "--start", "2026-01-05", "--days", "3",
                    *[a for c in ids for a in ("--community", c)]]) == 0
    text = capsys.readouterr().out
    daily, sticky = text.split("stickiness over")
    last = sorted({r["day"] for r in mine.rows})[-3:]
    assert _cells(daily) == [
        [r["name"] or r["community_id"], r["day"], f"{r['dau']:,}", f"{r['wau']:,}",
         f"{r['mau']:,}", "" if r["dau_mau"] is None else f"{100 * r['dau_mau']:.1f}%"]
        for r in mine.rows if r["day"] in last]
    assert len(_cells(daily)) == 3 * len(ids)
    assert _cells(sticky) == [
        [s["name"] or s["community_id"], s["community_id"], f"{s['avg_dau']:,.2f}",
         f"{s['avg_mau']:,.2f}", "" if s["stickiness"] is None else
         f"{100 * s['stickiness']:.1f}%"] for s in mine.summary]
    assert f"{mine.summary[0]['days']} days ({mine.rows[0]['day']} – " in sticky
    assert any(s["stickiness"] for s in res.summary)  # the simulator has active communities
    assert run_cli(["community", root, "--activity", "--start", "2026-01-05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == res.to_dict()
    out = tmp_path / "activity.csv"
    assert run_cli(["community", root, "--activity", "--start", "2026-01-05",
                    "--export", str(out)]) == 0
    assert f"wrote {len(res.rows)} rows to {out}" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig") as fh:
        exported = list(csv.DictReader(fh))
    assert [(r["community_id"], r["day"], int(r["mau"])) for r in exported] == [
        (r["community_id"], r["day"], r["mau"]) for r in res.rows]


def test_community_members_prints_the_library_numbers(sim, capsys, wide, tmp_path):
    from kpgrowth.analytics.community_activity import member_retention

    root = str(sim.root)
    res = member_retention(sim, period="week", periods=4, mode="on")
    assert res.loss_ratio is not None
    assert run_cli(["community", root, "--members", "--periods", "4", "--mode", "on"]) == 0
    text = capsys.readouterr().out
    assert "weekly retention (on) of community members vs non-members" in text
    at = {(c["group"], c["k"]): c for c in res.curve}

    def cells(g: str, k: int) -> list[str]:
        c = at[(g, k)]
        return [f"{c['size']:,}", f"{c['retained']:,}",
                "" if c["rate"] is None else f"{100 * c['rate']:.1f}%"]

    assert _cells(text) == [[str(k), *cells("members", k), *cells("non-members", k)]
                            for k in range(4)]
    assert f"loss ratio {res.loss_ratio:.2f}: members' loss over k = 1..3" in text
    assert run_cli(["community", root, "--members", "--periods", "4", "--mode", "on",
                    "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == res.to_dict()
    out = tmp_path / "members.csv"
    assert run_cli(["community", root, "--members", "--period", "day", "--periods", "3",
                    "--export", str(out)]) == 0
    daily = member_retention(sim, period="day", periods=3)
    with out.open(encoding="utf-8-sig") as fh:
        exported = list(csv.DictReader(fh))
    assert [(r["group"], int(r["k"]), int(r["retained"])) for r in exported] == [
        (c["group"], c["k"], c["retained"]) for c in daily.curve]
