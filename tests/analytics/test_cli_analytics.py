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
    assert run_cli(["paths", str(sim.root), "--step", "author"]) == 2
