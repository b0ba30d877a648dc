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


def _fmt(v: object, pct: bool = False) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if pct:
        return f"{100 * float(v):.1f}%"
    return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)


@app.command()
def funnel(
    root: DirArg,
    steps: Annotated[str, typer.Option(help="Comma-separated event types, in order.")] =
        "impression,click,trailer_view,purchase,lesson_complete,share",
    window: Annotated[str, typer.Option(help="Conversion window from step 1, e.g. 14d, 36h.")] = "14d",
    order: Annotated[str, typer.Option(help="sequential, strict or any.")] = "sequential",
    breakdown: Annotated[Optional[str], typer.Option(help="platform, campaign_id, product_id… or users.first_channel.")] = None,
    start: Annotated[Optional[str], typer.Option(help="First entry day, YYYY-MM-DD.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last entry day, YYYY-MM-DD.")] = None,
    dropped: Annotated[Optional[int], typer.Option(help="Export users who reached this step but not the next.")] = None,
    export: Annotated[Optional[Path], typer.Option(help="CSV file for --dropped (a retargeting list).")] = None,
) -> None:
    """Conversion funnel with Wilson 95% intervals and time to convert; optionally export the
    users who dropped at a step (for retargeting).

    Example: `kpgrowth funnel demo/ --steps click,landing,trailer_view,purchase --window 1d --breakdown platform`
    """
    from kpgrowth.analytics.funnel import funnel as run

    with _open(root) as ws:
        res = run(ws, [s.strip() for s in steps.split(",") if s.strip()], window=window,
                  order=order, breakdown=breakdown, start=start, end=end)
        if dropped is not None:
            table = res.dropped(dropped)
            if export:
                import pyarrow.csv as pacsv

                pacsv.write_csv(table, export)
                out.print(f"wrote {table.num_rows} users who dropped after step {dropped} to {export}")
    rows = [[r["step"], r["name"], _fmt(r["count"]), _fmt(r["conv_prev"], True),
             f"{_fmt(r['conv_prev_lo'], True)} – {_fmt(r['conv_prev_hi'], True)}"
             if r["conv_prev"] == r["conv_prev"] else "", _fmt(r["conv_first"], True),
             _fmt(r["median_s_prev"])] for r in res.overall]
    out.print(_table(f"funnel ({order}, window {window}; {res.unit})",
                     ["step", "event", "count", "from previous", "95% CI", "from first",
                      "median s from previous"], rows))


@app.command()
def retention(
    root: DirArg,
    period: Annotated[str, typer.Option(help="day, week or month.")] = "week",
    periods: Annotated[int, typer.Option(min=2, max=60)] = 8,
    cohort_by: Annotated[str, typer.Option(help="first_event, signup, first_purchase, channel or community.")] = "first_event",
    mode: Annotated[str, typer.Option(help="on (returned in exactly period k) or on_or_after.")] = "on",
) -> None:
    """Cohort retention: the average curve and the cohort table.

    Example: `kpgrowth retention demo/ --period week --cohort-by channel`
    """
    from kpgrowth.analytics.retention import retention as run

    with _open(root) as ws:
        res = run(ws, period=period, periods=periods, cohort_by=cohort_by, mode=mode)
    curve = res.curve_frame()
    out.print(_table(f"{period}ly retention ({mode}), weighted by cohort size",
                     ["group", "k", "cohorts", "users", "retained", "rate"],
                     [[r["group"], r["k"], r["cohorts"], f"{r['size']:,}", f"{r['retained']:,}",
                       _fmt(r["rate"], True)] for r in curve.to_dict("records")]))


@app.command()
def attribution(
    root: DirArg,
    dimension: Annotated[str, typer.Option(help="platform, campaign, channel or post.")] = "platform",
    lookback: Annotated[str, typer.Option(help="Touches this long before an order count, e.g. 30d.")] = "30d",
    metric: Annotated[str, typer.Option(help="orders or revenue.")] = "orders",
) -> None:
    """Orders (or revenue) credited to channels by first, last, linear, time-decay,
    position-based, Markov and Shapley attribution, side by side.

    Example: `kpgrowth attribution demo/ --dimension platform --metric revenue`
    """
    from kpgrowth.analytics.attribution import compare_models

    with _open(root) as ws:
        res = compare_models(ws, dimension=dimension, lookback=lookback)
    df = res.to_frame(metric)
    cols = list(df.columns)
    out.print(_table(f"attributed {metric} by {dimension}", cols,
                     [[_fmt(v) for v in row] for row in df.itertuples(index=False)]))


@app.command()
def channels(
    root: DirArg,
    by: Annotated[str, typer.Option(help="platform, campaign, channel, post, promoter or community.")] = "platform",
    start: Annotated[Optional[str], typer.Option(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last day, YYYY-MM-DD.")] = None,
) -> None:
    """Orders, revenue, spend, ROI, ROAS and CPA by platform, campaign, promoter (分销) …

    Example: `kpgrowth channels demo/ --by campaign`
    """
    from kpgrowth.analytics.channels import channel_performance

    with _open(root) as ws:
        res = channel_performance(ws, by=by, start=start, end=end)
    out.print(_table(f"performance by {by}",
                     ["key", "tier", "orders", "buyers", "revenue", "spend", "commission", "ROI",
                      "ROAS", "CPA"],
                     [[r["key"], r.get("tier") or "", _fmt(r["orders"]), _fmt(r["buyers"]),
                       _fmt(r["revenue"]), _fmt(r["spend"]), _fmt(r["commission"]),
                       _fmt(r["roi"]), _fmt(r["roas"]), _fmt(r["cpa"])]
                      for r in res.to_frame().to_dict("records")]))
