"""Analytics commands of the ``kpgrowth`` CLI (registered on :data:`kpgrowth.cli.app`).

Each command opens the workspace, calls one analysis and prints its Result as tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from kpgrowth.cli import DirArg, _open, _table, app, out
from kpgrowth.errors import InputError


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


_ADVERB = {"day": "daily", "week": "weekly", "month": "monthly"}


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
    out.print(_table(f"{_ADVERB.get(period, period)} retention ({mode}), weighted by cohort size",
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


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the whole result as JSON instead of tables.")]
ExportOpt = Annotated[Optional[Path], typer.Option(help="Also write the main table to this CSV file (UTF-8 with BOM, opens in Excel).")]
LimitOpt = Annotated[int, typer.Option(min=1, help="Rows to print.")]


def _emit(res: Any, as_json: bool, export: Optional[Path], frame: Any = None) -> bool:
    """Write ``--export`` and print ``--json``; True when the tables should be skipped."""
    if export is not None:
        df = res.to_frame() if frame is None else frame
        try:
            df.to_csv(export, index=False, encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot write the export: {exc.strerror}", file=str(export)) from None
        if not as_json:
            out.print(f"wrote {len(df)} rows to {export}")
    if as_json:
        out.print_json(json.dumps(res.to_dict(), ensure_ascii=False))
    return as_json


def _hour(key: int) -> str:
    from kpgrowth.analytics.content import DAYS

    return f"{DAYS[key // 24]} {key % 24:02d}h ({key})"


def _content_rows(rows: list[dict[str, Any]], by: str) -> tuple[list[str], list[list[Any]]]:
    head = ["post", "platform", "format", "title"] if by == "post" else [by]
    cols = [*head, "posts", "views", "likes", "comments", "shares", "saves", "engagement rate"]
    body = []
    for r in rows:
        key = _hour(r["key"]) if by == "hour_of_week" else r["key"]
        lead = [key, r["platform"], r["format"], (r["title"] or "")[:30]] if by == "post" else [key]
        body.append([*lead, *[_fmt(r[m]) for m in ("posts", "views", "likes", "comments",
                                                   "shares", "saves")],
                     _fmt(r["engagement_rate"], True)])
    return cols, body


@app.command()
def content(
    root: DirArg,
    by: Annotated[str, typer.Option(help="post, platform, format, tag or hour_of_week.")] = "post",
    best: Annotated[Optional[int], typer.Option(min=1, help="Also list the N highest engagement rates.")] = None,
    worst: Annotated[Optional[int], typer.Option(min=1, help="Also list the N lowest engagement rates.")] = None,
    min_views: Annotated[int, typer.Option(min=0, help="Skip rows with fewer views in --best/--worst.")] = 0,
    start: Annotated[Optional[str], typer.Option(help="First day posts were published, YYYY-MM-DD.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last day posts were published, YYYY-MM-DD.")] = None,
    platform: Annotated[Optional[list[str]], typer.Option(help="Only this platform (repeat for several).")] = None,
    clock: Annotated[str, typer.Option(help="hour_of_week of posting (posted) or of engaging (event).")] = "posted",
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    export: ExportOpt = None,
) -> None:
    """Views, likes, comments, shares, saves and engagement rate (likes + comments + shares
    per view) per post, platform, format, tag or hour of week; best and worst performers.

    Example: `kpgrowth content demo/ --by format --best 3 --worst 3 --platform douyin`
    """
    from kpgrowth.analytics.content import content_performance
    from kpgrowth.schema import PLATFORMS

    for p in platform or []:
        if p not in PLATFORMS:
            raise InputError("unknown platform", column="platform", value=p,
                             hint="use one of " + ", ".join(PLATFORMS))
    with _open(root) as ws:
        res = content_performance(ws, by=by, start=start, end=end, clock=clock,
                                  platforms=platform)
    if _emit(res, as_json, export):
        return
    cols, rows = _content_rows(res.rows[:limit], by)
    out.print(_table(f"content by {by}: top {min(limit, len(res.rows))} of {len(res.rows)} "
                     "by engagements", cols, rows))
    t = res.totals
    out.print(f"{_fmt(t['posts'])} posts · {_fmt(t['views'])} views · {_fmt(t['likes'])} likes · "
              f"{_fmt(t['comments'])} comments · {_fmt(t['shares'])} shares · "
              f"engagement rate {_fmt(t['engagement_rate'], True)}")
    for n, name, pick in ((best, "best", res.best), (worst, "worst", res.worst)):
        if n:
            cols, rows = _content_rows(pick(n, min_views=min_views), by)
            out.print(_table(f"{name} {n} by engagement rate (views >= {min_views})", cols, rows))


@app.command()
def community(
    root: DirArg,
    period: Annotated[str, typer.Option(help="day, week or month (health and --members).")] = "week",
    start: Annotated[Optional[str], typer.Option(help="First day, YYYY-MM-DD (with --members: of the entry cohorts).")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last day, YYYY-MM-DD (with --members: of the entry cohorts).")] = None,
    community_id: Annotated[Optional[list[str]], typer.Option(
        "--community", help="Only this community id (repeat for several; not with --members).")] = None,
    activity: Annotated[bool, typer.Option("--activity", help="Daily DAU, WAU, MAU and DAU/MAU per community, and each community's stickiness.")] = False,
    days: Annotated[int, typer.Option(min=1, help="With --activity: print the last N days of each community.")] = 14,
    members: Annotated[bool, typer.Option("--members", help="Retention of community members vs non-members, and the loss ratio.")] = False,
    periods: Annotated[int, typer.Option(min=2, max=60, help="With --members: periods k = 0..N-1.")] = 8,
    mode: Annotated[str, typer.Option(help="With --members: on_or_after (still around) or on (returned in exactly period k).")] = "on_or_after",
    as_json: JsonOpt = False,
    export: ExportOpt = None,
) -> None:
    """Community (社群) health per period: members, active share, messages per member,
    conversion of members to buyers and period-over-period retention; `--activity` for daily
    DAU/WAU/MAU and stickiness, `--members` for retention of members vs non-members.

    Example: `kpgrowth community demo/ --period month --community cmty001`, or
    `kpgrowth community demo/ --activity --days 7`, or `kpgrowth community demo/ --members --period week`
    """
    if activity and members:
        raise InputError("use either --activity or --members, not both")
    if members and community_id:
        raise InputError("--members compares members of any community with non-members",
                         hint="leave out --community")
    if activity:
        return _community_activity(root, start, end, community_id, days, as_json, export)
    if members:
        return _member_retention(root, period, periods, mode, start, end, as_json, export)
    from kpgrowth.analytics.community import COLUMNS, community_health
    from kpgrowth.analytics.user_behavior import group_engagement

    with _open(root) as ws:
        res: Any = (group_engagement(ws, community_id, period=period, start=start, end=end)
                    if community_id else
                    community_health(ws, period=period, start=start, end=end))
    if _emit(res, as_json, export):
        return
    sticky = [k for k in ("dau", "mau", "dau_mau") if any(k in r for r in res.rows)]
    extra = list(dict.fromkeys(k for r in res.rows for k in r if k not in COLUMNS))
    out.print(_table(f"community health per {period}",
                     ["community", "period", "members", "active", "active share",
                      "messages/member", "buyers", "conversion", "retention",
                      *[k.upper().replace("_", "/") for k in sticky], *extra],
                     [[r["name"] or r["community_id"], r["period"], _fmt(r["members"]),
                       _fmt(r["active_members"]), _fmt(r["active_share"], True),
                       _fmt(r["messages_per_member"]), _fmt(r["buyers"]),
                       _fmt(r["conversion"], True), _fmt(r["retention"], True),
                       *[_fmt(r.get(k), k == "dau_mau") for k in sticky],
                       *[_fmt(r.get(k)) for k in extra]] for r in res.rows]))
    if getattr(res, "unknown", None):
        out.print("not in the workspace: " + ", ".join(res.unknown))


def _community_activity(root: Path, start: str | None, end: str | None,
                        ids: list[str] | None, days: int, as_json: bool,
                        export: Path | None) -> None:
    from kpgrowth.analytics.community_activity import community_activity

    with _open(root) as ws:
        res = community_activity(ws, start=start, end=end, communities=ids)
    if _emit(res, as_json, export):
        return
    if not res.rows:
        out.print("no community messages or memberships in the period")
        return
    last = sorted({r["day"] for r in res.rows})[-days:]
    shown = [r for r in res.rows if r["day"] >= last[0]]
    out.print(_table(f"daily active members ({res.tz}), last {len(last)} days: people posting "
                     "a message that day (DAU), in the last 7 (WAU) and 30 days (MAU)",
                     ["community", "day", "DAU", "WAU", "MAU", "DAU/MAU"],
                     [[r["name"] or r["community_id"], r["day"], _fmt(r["dau"]), _fmt(r["wau"]),
                       _fmt(r["mau"]), _fmt(r["dau_mau"], True)] for r in shown]))
    out.print(_table(f"stickiness over {res.summary[0]['days']} days "
                     f"({res.rows[0]['day']} – {res.rows[-1]['day']}): mean DAU / mean MAU",
                     ["community", "id", "mean DAU", "mean MAU", "stickiness"],
                     [[s["name"] or s["community_id"], s["community_id"], _fmt(s["avg_dau"]),
                       _fmt(s["avg_mau"]), _fmt(s["stickiness"], True)] for s in res.summary]))


def _member_retention(root: Path, period: str, periods: int, mode: str, start: str | None,
                      end: str | None, as_json: bool, export: Path | None) -> None:
    from kpgrowth.analytics.community_activity import MEMBERS, NON_MEMBERS, member_retention

    with _open(root) as ws:
        res = member_retention(ws, period=period, periods=periods, mode=mode, start=start,
                               end=end)
    if _emit(res, as_json, export, res.curve_frame()):
        return
    at = {(c["group"], c["k"]): c for c in res.curve}
    blank = {"size": None, "retained": None, "rate": None}
    cols = [f"{g} {x}" for g in (MEMBERS, NON_MEMBERS) for x in ("users", "retained", "rate")]
    out.print(_table(f"{_ADVERB.get(period, period)} retention ({mode}) of community members "
                     "vs non-members at cohort entry, weighted by cohort size", ["k", *cols],
                     [[k, *[v for g in (MEMBERS, NON_MEMBERS)
                            for c in [at.get((g, k), blank)]
                            for v in (_fmt(c["size"]), _fmt(c["retained"]),
                                      _fmt(c["rate"], True))]]
                      for k in range(res.periods)]))
    ratio = "n/a (a group has no cohort past k = 0)" if res.loss_ratio is None else \
        f"{res.loss_ratio:.2f}"
    out.print(f"loss ratio {ratio}: members' loss over k = 1..{res.periods - 1} as a share of "
              "the non-members' (< 1: members stay longer; not causal)")


@app.command()
def rfm(
    root: DirArg,
    as_of: Annotated[Optional[str], typer.Option(help="Day recency is measured to, YYYY-MM-DD (default: the last order day).")] = None,
    bins: Annotated[int, typer.Option(min=2, max=10, help="Score levels (5 = quintiles).")] = 5,
    segments: Annotated[bool, typer.Option("--segments", help="Print the summary per segment instead of the buyers.")] = False,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    export: ExportOpt = None,
) -> None:
    """RFM (最近一次消费 / 消费频率 / 消费金额) scores of every buyer and their segment:
    高价值 Champions, 新客 New, 忠诚 Loyal … 已流失 Lost.

    Example: `kpgrowth rfm demo/ --segments`, or `kpgrowth rfm demo/ --export rfm.csv`
    """
    from kpgrowth.analytics.rfm import rfm as run

    with _open(root) as ws:
        res = run(ws, as_of=as_of, bins=bins)
    if _emit(res, as_json, export, res.segments_frame() if segments else None):
        return
    if segments:
        out.print(_table(f"RFM segments as of {res.as_of} ({res.currency})",
                         ["segment", "中文", "users", "share", "revenue", "revenue share",
                          "mean recency (days)", "mean frequency", "mean monetary"],
                         [[s["segment"], s["segment_zh"], _fmt(s["users"]),
                           _fmt(s["user_share"], True), _fmt(s["revenue"]),
                           _fmt(s["revenue_share"], True), _fmt(s["recency"]),
                           _fmt(s["frequency"]), _fmt(s["monetary"])] for s in res.segments]))
        return
    out.print(_table(f"RFM of {min(limit, len(res.users))} of {len(res.users)} buyers as of "
                     f"{res.as_of} ({res.currency}), best first",
                     ["user", "last order day", "recency", "frequency", "monetary", "code",
                      "segment", "中文"],
                     [[u["user_key"], u["last_day"], _fmt(u["recency"]), _fmt(u["frequency"]),
                       _fmt(u["monetary"]), u["code"], u["segment"], u["segment_zh"]]
                      for u in res.users[:limit]]))


@app.command()
def engagement(
    root: DirArg,
    as_of: Annotated[Optional[str], typer.Option(help="Count events before this UTC day or time (ISO).")] = None,
    fit: Annotated[bool, typer.Option("--fit", help="Fit U's weights to predict a purchase and compare AUC with equal weights.")] = False,
    horizon: Annotated[int, typer.Option(min=1, max=365, help="With --fit: days after the cutoff a purchase counts.")] = 14,
    seed: Annotated[int, typer.Option(help="With --fit: seed of the cross-validation folds.")] = 0,
    limit: LimitOpt = 20,
    as_json: JsonOpt = False,
    export: ExportOpt = None,
) -> None:
    """Engagement indices per user: U (content, community, sharing), R' (recommendation
    value) and I' (community activity); `--fit` learns U's weights from conversions.

    Example: `kpgrowth engagement demo/ --limit 10`, or `kpgrowth engagement demo/ --fit`
    """
    from kpgrowth.analytics.engagement_index import engagement_index, fit_engagement_weights

    with _open(root) as ws:
        res: Any = (fit_engagement_weights(ws, horizon_days=horizon, seed=seed) if fit
                    else engagement_index(ws, as_of=as_of))
    if _emit(res, as_json, export):
        return
    if fit:
        out.print(_table(f"weights of U fitted to a purchase within {res.horizon_days} days "
                         f"after {res.cutoff[:16]}",
                         ["weight", "on", "fitted", "hand"],
                         [[w, on, f"{v:.3f}", f"{1 / 3:.3f}"] for (w, v), on
                          in zip(res.weights.items(), ("C", "I", "R"), strict=True)]))
        out.print(f"AUC fitted {res.auc_fitted:.3f} (out of fold, {res.folds} folds) vs hand "
                  f"{res.auc_hand:.3f}: lift {res.lift:+.3f} · {_fmt(res.n_users)} users, "
                  f"{_fmt(res.positive_rate, True)} bought")
        return
    out.print(_table(f"engagement of {min(limit, len(res.rows))} of {len(res.rows)} users, "
                     "highest U first",
                     ["user", "views", "community", "shares", "net paid", "tenure days", "U",
                      "R'", "I'"],
                     [[r["user_key"], _fmt(int(r["views"])), _fmt(int(r["community"])),
                       _fmt(int(r["shares"])), _fmt(r["net_paid"]), f"{r['tenure_days']:.1f}",
                       f"{r['U']:.3f}", f"{r['R_value']:.3f}", f"{r['I_value']:.3f}"]
                      for r in res.rows[:limit]]))


@app.command()
def paths(
    root: DirArg,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many paths.")] = 10,
    step: Annotated[str, typer.Option(help="type, type@platform, platform, campaign, post or channel.")] = "type",
    lookback: Annotated[str, typer.Option(help="How far before a purchase a touch counts, e.g. 30d.")] = "30d",
    max_steps: Annotated[int, typer.Option(min=1, help="Keep the last N steps of longer paths.")] = 6,
    collapse: Annotated[bool, typer.Option("--collapse/--no-collapse", help="Count a run of equal steps as one step.")] = True,
    conversion: Annotated[str, typer.Option(help="orders (paid orders) or purchase (purchase events).")] = "orders",
    start: Annotated[Optional[str], typer.Option(help="First purchase day, YYYY-MM-DD.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last purchase day, YYYY-MM-DD.")] = None,
    as_json: JsonOpt = False,
    export: ExportOpt = None,
) -> None:
    """The most common paths of touches before a purchase (购买路径), with how often each
    path ends in a purchase.

    Example: `kpgrowth paths demo/ --step type@platform --lookback 14d --top 5`
    """
    from kpgrowth.analytics.paths import purchase_paths

    with _open(root) as ws:
        res = purchase_paths(ws, top=top, step=step, lookback=lookback, max_steps=max_steps,
                             collapse=collapse, conversion=conversion, start=start, end=end)
    if _emit(res, as_json, export):
        return
    out.print(_table(f"top {len(res.rows)} paths to purchase (steps: {step}, lookback {lookback})",
                     ["rank", "path", "purchases", "share", "revenue", "non-converting",
                      "conversion rate"],
                     [[r["rank"], r["path"], _fmt(r["purchases"]), _fmt(r["share"], True),
                       _fmt(r["revenue"]), _fmt(r["non_converting"]),
                       _fmt(r["conversion_rate"], True)] for r in res.rows]))
    out.print(f"{_fmt(res.purchases)} purchases · {_fmt(res.without_touch)} without a touch "
              f"in the lookback · {_fmt(res.distinct_paths)} distinct paths")
