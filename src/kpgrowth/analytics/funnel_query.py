"""The engine-independent parts of :func:`kpgrowth.analytics.funnel.funnel`.

Parsing of steps and windows, the Wilson interval, and the Ibis expressions that match each
user's events to the funnel's steps. Everything here builds Ibis expressions only, so the
same code runs on DuckDB and on Spark.

How steps are matched (one join per step, never a loop over users): the relevant events are
grouped once by ``(user_key, ts)`` into a *timeline* with one flag per step (and, when
needed, the rank of the timestamp among the user's timestamps and a running count of
exclusion events). Then, for each step ``k``, the set of step-``k`` events that can be
reached by a valid path is joined on ``user_key`` (with the time constraints as join
predicates) to the candidate step-``k+1`` events. When the only constraints are "later than
the previous step" and "within the window", the earliest reachable event is always the best
one, and each set shrinks to one row per entry.

Examples
--------
>>> parse_window("14d"), parse_window("90m"), parse_window(30)
(1209600, 5400, 30)
>>> [s.label for s in parse_steps(["click", {"type": "purchase", "product_id": "p1"}])]
['click', 'purchase[product_id=p1]']
>>> lo, hi = wilson_interval(8, 10)
>>> round(lo, 4), round(hi, 4)
(0.4902, 0.9433)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics.attribution_paths import ATTRIBUTED
from kpgrowth.errors import InputError
from kpgrowth.schema import EVENT_TYPES, TABLES

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

Z95 = 1.959963984540054
"""The standard normal quantile of 0.975 (two-sided 95 %)."""

ORDERS = ("sequential", "strict", "any")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_NOT_FILTERS = ("event_id", "ts", "user_key", "type")

HIST_BINS: tuple[tuple[str, float, float], ...] = (
    ("<1m", 0, 60), ("1-5m", 60, 300), ("5-15m", 300, 900), ("15m-1h", 900, 3600),
    ("1-6h", 3600, 6 * 3600), ("6-24h", 6 * 3600, 86400), ("1-3d", 86400, 3 * 86400),
    ("3-7d", 3 * 86400, 7 * 86400), ("7-14d", 7 * 86400, 14 * 86400),
    ("14-30d", 14 * 86400, 30 * 86400), (">=30d", 30 * 86400, math.inf),
)
"""Time-to-convert histogram bins: label, lower bound (inclusive), upper bound (exclusive), s."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a binomial proportion (``None`` when ``n == 0``).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = successes / n``.

    Examples
    --------
    >>> wilson_interval(0, 0) is None
    True
    >>> [round(x, 4) for x in wilson_interval(0, 20)]
    [0.0, 0.1611]
    """
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, center - half), min(1.0, center + half)


def parse_window(value: Any, name: str = "window", *, allow_zero: bool = False) -> int:
    """A duration in whole seconds from ``"14d"``, ``"2h"``, ``"30m"``, ``"45s"``, ``"1w"``,
    a number of seconds or a :class:`datetime.timedelta`."""
    from kpgrowth.timeutil import duration_seconds

    found = duration_seconds(value)
    secs = -1 if found is None else found
    if secs < 0 or (secs == 0 and not allow_zero) or secs != int(secs):
        raise InputError(f"{name} must be a positive duration in whole seconds",
                         column=name, value=value,
                         hint='write it like "14d", "12h", "30m", "45s" or a number of seconds '
                              '(at most ten years)')
    return int(secs)


@dataclass(frozen=True)
class Step:
    """One funnel step: an event type, optional column filters, and a label."""

    type: str
    filters: tuple[tuple[str, Any], ...] = ()
    name: str = ""

    @property
    def label(self) -> str:
        """The step's display name."""
        if self.name:
            return self.name
        if not self.filters:
            return self.type
        inner = ",".join(f"{c}={'|'.join(map(str, v)) if isinstance(v, tuple) else v}"
                         for c, v in self.filters)
        return f"{self.type}[{inner}]"

    def predicate(self, t: ir.Table) -> ir.BooleanValue:
        """Whether a row of the events table ``t`` is this step."""
        cond = t.type == self.type
        for col, v in self.filters:
            if v is None:
                cond &= t[col].isnull()
            elif isinstance(v, tuple):
                cond &= t[col].isin(list(v))
            else:
                cond &= t[col] == v
        return cond


def _event_type(value: Any, what: str) -> str:
    if value not in EVENT_TYPES:
        import difflib

        close = difflib.get_close_matches(str(value), EVENT_TYPES, n=1)
        raise InputError(f"{what}: unknown event type", column="type", value=value,
                         hint=f"did you mean {close[0]!r}?" if close
                         else "use one of " + ", ".join(EVENT_TYPES))
    return str(value)


def parse_steps(steps: Sequence[str | Mapping[str, Any]]) -> list[Step]:
    """Steps from event types or dicts ``{"type": ..., "name": ..., column: value(s)}``."""
    if isinstance(steps, (str, Mapping)) or len(steps) < 2:
        raise InputError("a funnel needs at least two steps", column="steps", value=steps,
                         hint='pass a list such as ["click", "purchase"]')
    columns = TABLES["events"].names
    out = []
    for i, s in enumerate(steps, start=1):
        if isinstance(s, str):
            out.append(Step(_event_type(s, f"step {i}")))
            continue
        if not isinstance(s, Mapping) or "type" not in s:
            raise InputError(f"step {i} must be an event type or a dict with a 'type'",
                             column="steps", value=s)
        filters = []
        for col, v in s.items():
            if col in ("type", "name"):
                continue
            if col not in columns or col in _NOT_FILTERS:
                raise InputError(f"step {i}: cannot filter on {col!r}", column=col,
                                 hint="filter on one of " + ", ".join(
                                     c for c in columns if c not in _NOT_FILTERS))
            if isinstance(v, (list, tuple, set, frozenset)):
                v = tuple(sorted(v, key=str))
            filters.append((col, v))
        out.append(Step(_event_type(s["type"], f"step {i}"), tuple(filters),
                        str(s.get("name") or "")))
    return out


def per_transition(value: Any, steps: list[Step], name: str, *,
                   allow_zero: bool = False) -> list[int | None]:
    """One duration (or None) per transition into steps 2..n.

    ``value`` is one duration for every transition, a sequence of ``n - 1`` durations (or
    None), or a mapping from the 1-based step number or the step's label to a duration.
    """
    n = len(steps)
    if value is None:
        return [None] * (n - 1)
    if isinstance(value, Mapping):
        out: list[int | None] = [None] * (n - 1)
        labels = [s.label for s in steps]
        for key, v in value.items():
            k = key if isinstance(key, int) else (labels.index(key) + 1 if key in labels else 0)
            if not 2 <= k <= n:
                raise InputError(f"{name}: no step {key!r} after the first one", column=name,
                                 value=key, hint=f"use step numbers 2..{n} or step names")
            out[k - 2] = parse_window(v, name, allow_zero=allow_zero)
        return out
    if isinstance(value, (list, tuple)):
        if len(value) != n - 1:
            raise InputError(f"{name} needs one entry per step after the first ({n - 1})",
                             column=name, value=value)
        return [None if v is None else parse_window(v, name, allow_zero=allow_zero)
                for v in value]
    return [parse_window(value, name, allow_zero=allow_zero)] * (n - 1)


def seconds(t: ir.TimestampValue) -> ir.FloatingValue:
    """Epoch seconds with millisecond precision, the same on every engine."""
    return t.epoch_seconds().cast("float64").floor() + t.millisecond().cast("float64") / 1000.0


def _iv(secs: int) -> Any:
    import ibis

    return ibis.interval(seconds=secs)


@dataclass
class Plan:
    """Everything :func:`match` needs, already validated."""

    steps: list[Step]
    window: int
    order: str
    max_gaps: list[int | None]
    min_gaps: list[int | None]
    exclusions: list[str]
    repeat: bool
    breakdown: str | None  # an events column, "users.<column>" or one of ATTRIBUTED


def _attribute(ent: ir.Table, side: ir.Table, latest: bool) -> ir.Table:
    """``ent`` with ``bd`` = the value of the ``side`` row valid at the entry time: the
    latest one at or before it (``latest``), or the earliest started (communities), ties
    by value."""
    import ibis

    j = ent.join(side, [ent.user_key == side.s_user, side.s_ts <= ent.t1,
                        side.s_end.isnull() | (side.s_end > ent.t1)])
    key = [ibis.desc(j.s_ts) if latest else j.s_ts, j.s_val]
    j = j.mutate(_rn=ibis.row_number().over(ibis.window(group_by=j.aid, order_by=key)))
    pick = j.filter(j._rn == 0).select(b_aid=j.aid, b_val=j.s_val)
    k = ent.left_join(pick, ent.aid == pick.b_aid)
    return k.select(*[c for c in ent.columns if c != "bd"], bd=k.b_val.cast("string"))


def match(events: ir.Table, users: ir.Table | None, plan: Plan, lo: Any, hi: Any,
          side: ir.Table | None = None) -> ir.Table:
    """One row per entry (per user, or per step-1 event when ``repeat``) with the time it
    reached each step.

    ``events`` must already be restricted to the platforms; ``lo``/``hi`` bound entries
    (``lo <= ts < hi``, UTC, either may be None). Columns: ``aid`` (entry id), ``user_key``,
    ``bd`` (breakdown value as a string, or null), ``t0`` .. ``t{n-1}`` (timestamps; null
    when the step was not reached). For an :data:`ATTRIBUTED` breakdown, ``side`` is the
    :func:`~kpgrowth.analytics.attribution_paths.attributed` table.
    """
    import ibis

    steps, n, w = plan.steps, len(plan.steps), plan.window
    strict, anyorder = plan.order == "strict", plan.order == "any"
    excl = bool(plan.exclusions)
    e = events.filter(events.user_key.notnull())
    if lo is not None:
        e = e.filter(e.ts >= ibis.literal(lo, type="timestamp('UTC')"))
    if hi is not None:
        e = e.filter(e.ts < ibis.literal(hi, type="timestamp('UTC')") + _iv(w))

    # -- entries -------------------------------------------------------------------------
    first = e.filter(steps[0].predicate(e))
    bd_col = plan.breakdown if plan.breakdown and "." not in plan.breakdown \
        and plan.breakdown not in ATTRIBUTED else None
    order_w = ibis.window(group_by="user_key", order_by=["ts", "event_id"])
    if plan.repeat:
        first = first.mutate(tend=first.ts.lead().over(order_w))
    if hi is not None:
        first = first.filter(first.ts < ibis.literal(hi, type="timestamp('UTC')"))
    if plan.repeat:
        ent = first.select(aid=first.event_id, user_key=first.user_key, t1=first.ts,
                           tend=first.tend,
                           bd=first[bd_col].cast("string") if bd_col else ibis.null("string"))
    else:  # one entry per user: a group-by, not a window over every step-1 event
        aggs = {"t1": first.ts.min()}
        if bd_col:  # the value on the first step-1 event, ties broken by event_id
            key = ibis.struct({"ts": first.ts, "id": first.event_id})
            aggs["bd"] = first[bd_col].cast("string").argmin(key)
        ent = first.group_by("user_key").aggregate(**aggs)
        ent = ent.select(aid=ent.user_key, user_key=ent.user_key, t1=ent.t1,
                         bd=ent.bd if bd_col else ibis.null("string"))
    if plan.breakdown and "." in plan.breakdown:
        col = plan.breakdown.split(".", 1)[1]
        u = users.select(u_key=users.user_key, u_bd=users[col].cast("string"))  # type: ignore[union-attr]
        j = ent.left_join(u, ent.user_key == u.u_key)
        ent = j.select(*[c for c in ent.columns if c != "bd"], bd=j.u_bd)
    elif plan.breakdown in ATTRIBUTED and side is not None:
        ent = _attribute(ent, side, latest=plan.breakdown != "community")

    # -- timeline: one row per (user, ts) with step flags, rank and exclusion counts ------
    # Only strict mode (ranks over every event) and the exclusion count looked up at the
    # entry time (sequential with exclusions) need the step-1 events; otherwise the flag
    # f0 is never read and the timeline holds steps 2..n (and exclusions) only.
    need_first = strict or (excl and not anyorder)
    flagged = list(enumerate(steps)) if need_first else list(enumerate(steps))[1:]
    rel = e
    if not strict:
        anyp = e.type.isin(plan.exclusions) if excl else ibis.literal(False)
        for _, s in flagged:
            anyp |= s.predicate(e)
        rel = e.filter(anyp)
    preds = {f"f{k}": s.predicate(rel) for k, s in flagged}
    aggs = {k: p.cast("int32").max() for k, p in preds.items()}
    if excl:
        aggs["nx"] = rel.type.isin(plan.exclusions).cast("int64").sum()
    tl = rel.group_by(["user_key", "ts"]).aggregate(**aggs)
    if strict:
        tl = tl.mutate(rank=ibis.row_number().over(ibis.window(group_by="user_key",
                                                                order_by="ts")))
    if excl:
        tl = tl.mutate(cx=tl.nx.sum().over(ibis.cumulative_window(group_by="user_key",
                                                                     order_by="ts")))

    if anyorder:
        return _match_any(ent, tl, plan)

    carry = ["aid", "user_key", "t1"] + (["tend"] if plan.repeat else [])
    extra = (["rank"] if strict else []) + (["cx"] if excl else [])
    if extra:
        look = tl.select(*extra, l_user=tl.user_key, l_ts=tl.ts)
        j = ent.join(look, [ent.user_key == look.l_user, ent.t1 == look.l_ts])
        cur = j.select(*carry, *extra, ts=j.t1)
    else:
        cur = ent.select(*carry, ts=ent.t1)
    simple = not (strict or excl or any(plan.max_gaps) or any(g is not None for g in plan.min_gaps))
    times = []
    for k in range(1, n):
        cand = tl.filter(tl[f"f{k}"] > 0)
        cand = cand.select(c_user=cand.user_key, c_ts=cand.ts,
                           **({"c_rank": cand.rank} if strict else {}),
                           **({"c_cx": cand.cx, "c_nx": cand.nx} if excl else {}))
        on = [cur.user_key == cand.c_user, cand.c_ts > cur.ts, cand.c_ts <= cur.t1 + _iv(w)]
        if plan.repeat:
            on.append(cur.tend.isnull() | (cand.c_ts < cur.tend))
        if strict:
            on.append(cand.c_rank == cur.rank + 1)
        if plan.max_gaps[k - 1] is not None:
            on.append(cand.c_ts <= cur.ts + _iv(plan.max_gaps[k - 1]))  # type: ignore[arg-type]
        if plan.min_gaps[k - 1] is not None:
            on.append(cand.c_ts >= cur.ts + _iv(plan.min_gaps[k - 1]))  # type: ignore[arg-type]
        if excl:  # no exclusion event strictly between the two steps' times
            on.append(cand.c_cx - cand.c_nx == cur.cx)
        j = cur.join(cand, on)
        if simple:
            cur = j.group_by(carry).aggregate(ts=j.c_ts.min())
        else:
            cur = j.select(*carry, ts=j.c_ts, **({"rank": j.c_rank} if strict else {}),
                           **({"cx": j.c_cx} if excl else {})).distinct()
        m = cur.group_by("aid").aggregate(**{f"t{k}": cur.ts.min()})
        times.append(m.rename(m_aid="aid"))
    return _widen(ent, times)


def _widen(ent: ir.Table, times: list[ir.Table]) -> ir.Table:
    wide = ent.select("aid", "user_key", "bd", t0=ent.t1)
    for k, m in enumerate(times, start=1):
        j = wide.left_join(m, wide.aid == m.m_aid)
        wide = j.select(*wide.columns, j[f"t{k}"])
    return wide


def _match_any(ent: ir.Table, tl: ir.Table, plan: Plan) -> ir.Table:
    """Any order: step k is reached at the latest of the first occurrences of steps 1..k in
    the window ``[t1, t1 + window]`` (and before the next entry when ``repeat``)."""
    import ibis

    firsts = []
    for k in range(1, len(plan.steps)):
        cand = tl.filter(tl[f"f{k}"] > 0)
        cand = cand.select(c_user=cand.user_key, c_ts=cand.ts)
        on = [ent.user_key == cand.c_user, cand.c_ts >= ent.t1,
              cand.c_ts <= ent.t1 + _iv(plan.window)]
        if plan.repeat:
            on.append(ent.tend.isnull() | (cand.c_ts < ent.tend))
        j = ent.join(cand, on)
        m = j.group_by("aid").aggregate(**{f"t{k}": j.c_ts.min()})
        firsts.append(m.rename(m_aid="aid"))
    wide = _widen(ent, firsts)
    null_ts = ibis.null("timestamp('UTC')")
    cols: dict[str, Any] = {"t0": wide.t0}
    for k in range(1, len(plan.steps)):
        prev, here = cols[f"t{k - 1}"], wide[f"t{k}"]
        cols[f"t{k}"] = ibis.ifelse(prev.notnull() & here.notnull(),
                                    ibis.greatest(prev, here), null_ts)
    wide = wide.select("aid", "user_key", "bd", **cols)
    if not plan.exclusions:
        return wide
    # an exclusion strictly between the times of steps k-1 and k stops the entry at k-1
    x = tl.filter(tl.nx > 0).select(x_user=tl.user_key, x_ts=tl.ts)
    last = wide.t0
    for k in range(1, len(plan.steps)):
        last = ibis.coalesce(wide[f"t{k}"], last)
    j = wide.join(x, [wide.user_key == x.x_user, x.x_ts > wide.t0, x.x_ts < last])
    flags = {f"b{k}": ((j.x_ts > j[f"t{k - 1}"]) & (j.x_ts < j[f"t{k}"])).cast("int32").max()
             for k in range(1, len(plan.steps))}
    b = j.group_by(j.aid).aggregate(**flags).rename(b_aid="aid")
    jj = wide.left_join(b, wide.aid == b.b_aid)
    out: dict[str, Any] = {"t0": jj.t0}
    blocked = ibis.literal(False)
    for k in range(1, len(plan.steps)):
        blocked = blocked | (jj[f"b{k}"].fill_null(0) > 0)
        out[f"t{k}"] = ibis.ifelse(blocked, null_ts, jj[f"t{k}"])
    return jj.select("aid", "user_key", "bd", **out)


def stats(wide: ir.Table, n: int, *, by: bool, hist: bool, repeat: bool) -> ir.Table:
    """Per breakdown value (``by``) or overall: count per step, distinct users (``repeat``),
    median and p90 seconds from the previous and the first step, histogram bins (``hist``)."""
    secs = wide.mutate(**{f"s{k}": seconds(wide[f"t{k}"]) for k in range(n)})
    x = secs.mutate(**{f"d{tag}{k}": secs[f"s{k}"] - secs[f"s{k - 1 if tag == 'p' else 0}"]
                       for k in range(1, n) for tag in "pf"})
    m: dict[str, Any] = {}
    for k in range(n):
        m[f"n{k}"] = x[f"t{k}"].count()
        if repeat:
            m[f"u{k}"] = x.user_key.nunique(where=x[f"t{k}"].notnull())
        if k == 0:
            continue
        for tag in "pf":
            d = x[f"d{tag}{k}"]
            m[f"med{tag}{k}"] = d.quantile(0.5)
            m[f"p90{tag}{k}"] = d.quantile(0.9)
            if hist:
                for b, (_, lo, hi) in enumerate(HIST_BINS):
                    inside = d >= lo if math.isinf(hi) else (d >= lo) & (d < hi)
                    m[f"h{tag}{k}_{b}"] = inside.cast("int64").sum()
    return x.group_by("bd").aggregate(**m) if by else x.aggregate(**m)
