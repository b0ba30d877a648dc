"""The analytics CLI commands print their Results (and export the dropped list)."""

from __future__ import annotations

import csv

from kpgrowth.cli import main


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
