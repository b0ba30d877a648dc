"""Backtest MASE and interval coverage: AR, AutoETS, AutoARIMA vs seasonal naive.

Series: daily revenue, orders, active users and engagement of a simulated business
(``--users``, ``--days``), and the daily clicks of OULAD module AAA (2013J, 2014J) from
``../shared/data/oulad_dev/studentVle_partial.csv`` when that folder is there. Rolling
origins: ``--windows`` of ``--h`` days. Prints a table, writes results/forecast.json.

Usage: ``python benchmarks/bench_forecast.py [--users 20000 --days 200 --h 14 --windows 5]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from kpgrowth.forecast import backtest
from kpgrowth.forecast.series import daily_series

HERE = Path(__file__).resolve().parent
OULAD = HERE.parent.parent / "shared" / "data" / "oulad_dev" / "studentVle_partial.csv"
MODELS = ("ar", "ets", "arima", "seasonal_naive")


def simulator_series(users: int, days: int) -> dict[str, pd.Series]:
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    ws = Workspace.init(Path(tempfile.mkdtemp(prefix="kp-bench-fc-")) / "ws")
    simulate(ws, users=users, days=days, seed=5)
    out = {f"sim:{m}": daily_series(ws, m) for m in ("revenue", "orders", "active_users",
                                                       "engagement")}
    ws.close()
    return out


def oulad_series() -> dict[str, pd.Series]:
    if not OULAD.exists():
        print(f"OULAD not found at {OULAD}: skipping the real-data series")
        return {}
    df = pd.read_csv(OULAD, usecols=["code_module", "code_presentation", "date", "sum_click"])
    out = {}
    for (mod, pres), g in df.groupby(["code_module", "code_presentation"]):
        s = g.groupby("date")["sum_click"].sum().sort_index()
        s = s.reindex(range(s.index.min(), s.index.max() + 1), fill_value=0).astype(float)
        out[f"oulad:{mod}-{pres} clicks"] = s
    return out


def early_signal_tables(users: int, days: int) -> list[dict]:
    """Early-signal forecast vs baselines: simulated posts, and OULAD learning materials."""
    from kpgrowth.forecast.early import evaluate_early_signal, post_features
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    out = []
    ws = Workspace.init(Path(tempfile.mkdtemp(prefix="kp-bench-early-")) / "ws")
    simulate(ws, users=users, days=days, seed=5)
    for hours in (1, 6, 24):
        res = evaluate_early_signal(post_features(ws, hours=hours, horizon_hours=168))
        out.append({"data": f"sim posts, first {hours} h -> 7 days", "n_test": res.n_test,
                    "scores": res.scores})
    ws.close()
    if OULAD.exists():
        # a material's clicks in its first 28 days from its first 3 days (since first access)
        df = pd.read_csv(OULAD)
        vle = pd.read_csv(OULAD.parent / "vle.csv")[["id_site", "activity_type"]]
        first = df.groupby(["code_presentation", "id_site"])["date"].transform("min")
        df["age"] = df["date"] - first
        keys = ["code_presentation", "id_site"]
        early, horizon = df[df["age"] < 3], df[df["age"] < 28]
        feat = pd.DataFrame({
            "early_engagement": early.groupby(keys)["sum_click"].sum(),
            "early_views": early.groupby(keys)["id_student"].nunique(),
            "final_engagement": horizon.groupby(keys)["sum_click"].sum(),
            "start": df.groupby(keys)["date"].min()}).fillna(0).reset_index()
        feat = feat.merge(vle, on="id_site", how="left").rename(
            columns={"activity_type": "platform", "code_presentation": "format"})
        feat["posted_hour"] = 0
        last = df.groupby("code_presentation")["date"].max()
        feat = feat[feat["start"] + 28 <= feat["format"].map(last)]  # horizon fully observed
        feat = feat.sort_values(["start", "id_site"]).reset_index(drop=True)
        res = evaluate_early_signal(feat)
        out.append({"data": "OULAD AAA materials, first 3 days -> 28 days", "n_test": res.n_test,
                    "scores": res.scores})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--h", type=int, default=14)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results" / "forecast.json"))
    a = ap.parse_args()
    series = {**simulator_series(a.users, a.days), **oulad_series()}
    rows = []
    print(f"{'series':32} {'n':>4} " + " ".join(f"{m:>16}" for m in
                                                   ("AR", "AutoETS", "AutoARIMA", "SeasonalNaive")))
    for name, y in series.items():
        t0 = time.perf_counter()
        res = backtest(y.to_numpy(), MODELS, h=a.h, windows=a.windows, season=7, level=80)
        by = {s["model"]: s for s in res.scores}
        cells = [f"{by[m]['mase']:.3f} ({100 * by[m]['coverage']:.0f}%)"
                 for m in ("AR", "AutoETS", "AutoARIMA", "SeasonalNaive")]
        print(f"{name:32} {len(y):>4} " + " ".join(f"{c:>16}" for c in cells))
        rows.append({"series": name, "n": len(y), "seconds": round(time.perf_counter() - t0, 2),
                     "scores": res.scores})
    print(f"\nMASE (80% interval coverage); h={a.h}, {a.windows} rolling origins, "
          "MASE scaled by in-sample seasonal-naive (lag 7) MAE")
    early = early_signal_tables(a.users, min(a.days, 120))
    print(f"\n{'early-signal data':46} {'n':>4}  " + "  ".join(
        f"{m:>22}" for m in ("ridge MAE/mdAPE", "ratio MAE/mdAPE", "platform MAE/mdAPE")))
    for row in early:
        cells = [f"{s['mae']:.1f} / {s['median_ape']:.2f}" for s in row["scores"]]
        print(f"{row['data']:46} {row['n_test']:>4}  " + "  ".join(f"{c:>22}" for c in cells))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"h": a.h, "windows": a.windows, "rows": rows,
                               "early_signal": early}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
