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
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"h": a.h, "windows": a.windows, "rows": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
