"""Analytics commands of the ``kpgrowth`` CLI (registered on :data:`kpgrowth.cli.app`).

Each command opens the workspace, calls one analysis and prints its Result as tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kpgrowth.cli import DirArg, _open, _table, app, out


@app.command()
def forecast(
    root: DirArg,
    metric: Annotated[str, typer.Option(help="revenue, orders, active_users, engagement or an event type.")] = "revenue",
    h: Annotated[int, typer.Option("--h", min=1, max=365, help="Days ahead.")] = 14,
    model: Annotated[str, typer.Option(help="auto (chosen by backtest), ar, ets, arima or seasonal_naive.")] = "auto",
    platform: Annotated[Optional[str], typer.Option(help="Only this platform.")] = None,
    post: Annotated[Optional[str], typer.Option(help="Only this post (engagement metrics).")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Also write the chart as HTML.")] = None,
) -> None:
    """Forecast a daily metric with 80% and 95% intervals; `auto` backtests AR, ETS, ARIMA
    and seasonal naive on rolling origins and uses the lowest MASE.

    Example: `kpgrowth forecast demo/ --metric orders --h 14`
    """
    from kpgrowth.forecast import forecast as run

    with _open(root) as ws:
        res = run(ws, metric, h=h, model=model, platform=platform, post_id=post)
    if res.backtest is not None:
        out.print(_table(f"backtest (h={res.backtest.h}, {res.backtest.scores[0]['windows']} origins; "
                         "MASE < 1 beats same-weekday-last-week)",
                         ["model", "MASE", "80% coverage"],
                         [[s["model"], f"{s['mase']:.3f}", f"{100 * s['coverage']:.0f}%"]
                          for s in res.backtest.scores]))
    out.print(_table(f"{metric} forecast ({res.model})", ["day", "forecast", "80% interval",
                                                          "95% interval"],
                     [[r["day"], f"{r['mean']:,.1f}", f"{r['lo-80']:,.1f} – {r['hi-80']:,.1f}",
                       f"{r['lo-95']:,.1f} – {r['hi-95']:,.1f}"] for r in res.forecast]))
    if output:
        res.figure().write_html(str(output), include_plotlyjs=True)
        out.print(f"wrote {output}")
