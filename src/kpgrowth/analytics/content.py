"""Content performance: views, likes, comments, shares, saves and engagement rate per post,
platform, format, tag or hour of week.

Definitions:

* Counts come from ``events`` of types ``view``, ``like``, ``comment``, ``share`` and
  ``save`` with a ``post_id``, joined to ``posts`` on ``post_id`` (and on ``platform``
  when the event has one). Posts without such events count with zeros.
* ``start``/``end`` select the **posts published** on local days ``start``..``end``
  (``posts.posted_at``); all engagement those posts received counts, whenever it happened.
  Posts without ``posted_at`` are left out when a period is given.
* ``engagement_rate`` = (likes + comments + shares) / views, null when views = 0. For a
  group it is the ratio of the sums (a views-weighted mean of the posts' rates).
* ``by="tag"``: ``posts.tags`` is split on commas (blanks trimmed, empty tags dropped);
  a post counts once in each of its tags, so tag rows do not add up to the total.
* ``by="hour_of_week"``: local hour of the week of ``posted_at`` (0 = Monday 00h … 167 =
  Sunday 23h) or, with ``clock="event"``, of each engagement event's ``ts``, daylight
  saving time followed (:func:`kpgrowth.timeutil.local_hour_of_week`).

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> t0 = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)  # Monday 09h in Shanghai
>>> store = memory_store(
...     posts={"post_id": ["p1"], "platform": ["douyin"], "posted_at": [t0],
...            "tags": ["career, excel"]},
...     events={"event_id": ["e1", "e2", "e3"], "ts": [t0] * 3,
...             "type": ["view", "view", "like"], "post_id": ["p1"] * 3})
>>> r = content_performance(store, tz="Asia/Shanghai")
>>> r.rows[0]["views"], r.rows[0]["likes"], r.rows[0]["engagement_rate"]
(2, 1, 0.5)
>>> [(r["key"], r["posts"]) for r in content_performance(store, by="tag").rows]
[('career', 1), ('excel', 1)]
>>> content_performance(store, by="hour_of_week", tz="Asia/Shanghai").rows[0]["key"]
9
>>> content_performance(store, by="hour_of_week", clock="event", tz="UTC").rows[0]["key"]
1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import check_choice, resolve_tz
from kpgrowth.analytics.overview import TableSource
from kpgrowth.result import Result
from kpgrowth.timeutil import local_hour_of_week, time_span, utc_bounds

if TYPE_CHECKING:  # pragma: no cover
    import ibis

BY: tuple[str, ...] = ("post", "platform", "format", "tag", "hour_of_week")
METRICS: tuple[str, ...] = ("views", "likes", "comments", "shares", "saves")
COLUMNS = ["key", "platform", "format", "title", "posted_at", "posts", *METRICS,
           "engagements", "engagement_rate"]
NONE = "(none)"
"""Key of posts without a value for the dimension (e.g. no format)."""
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class ContentResult(Result):
    """Engagement per post or per group (``rows``, most engagements first).

    Attributes
    ----------
    by : str
        The dimension: post, platform, format, tag or hour_of_week.
    rows : list of dict
        One dict per key with :data:`COLUMNS`; ``platform``, ``format``, ``title`` and
        ``posted_at`` are only filled for ``by="post"``. ``engagements`` = likes +
        comments + shares.
    totals : dict
        ``posts`` and the summed metrics over all selected posts, and their
        ``engagement_rate``.
    """

    by: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None
    tz: str = "UTC"
    clock: str = "posted"

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def _ranked(self, n: int, metric: str, min_views: int, best: bool) -> list[dict[str, Any]]:
        rows = [r for r in self.rows if r[metric] is not None and r["views"] >= min_views]
        rows.sort(key=lambda r: (r[metric], r["views"], str(r["key"])), reverse=best)
        return rows[:n]

    def best(self, n: int = 5, *, metric: str = "engagement_rate",
             min_views: int = 0) -> list[dict[str, Any]]:
        """The ``n`` rows with the highest ``metric`` (rows with fewer than ``min_views``
        views, or a null metric, are skipped)."""
        return self._ranked(n, metric, min_views, True)

    def worst(self, n: int = 5, *, metric: str = "engagement_rate",
              min_views: int = 0) -> list[dict[str, Any]]:
        """The ``n`` rows with the lowest ``metric`` (same filters as :meth:`best`)."""
        return self._ranked(n, metric, min_views, False)

    def figure(self, metric: str = "engagement_rate") -> Any:
        """Bar chart of ``metric`` per key; a 7 × 24 heatmap for ``by="hour_of_week"``."""
        import plotly.graph_objects as go

        if self.by == "hour_of_week":
            z: list[list[Any]] = [[None] * 24 for _ in range(7)]
            for r in self.rows:
                z[int(r["key"]) // 24][int(r["key"]) % 24] = r[metric]
            fig = go.Figure(go.Heatmap(z=z, x=list(range(24)), y=list(DAYS),
                                       colorbar_title=metric))
            what = "engagement" if self.clock == "event" else "posting"
            fig.update_layout(title=f"{metric} by {what} hour of week ({self.tz})",
                              xaxis_title="hour", yaxis_autorange="reversed")
            return fig
        df = self.to_frame()
        label = (df["title"].fillna(df["key"]) if self.by == "post" else df["key"]).astype(str)
        fig = go.Figure(go.Bar(x=label, y=df[metric]))
        fig.update_layout(title=f"{metric} by {self.by}", xaxis_title=self.by,
                          yaxis_title=metric)
        return fig


def _rate(engagements: Any, views: Any) -> float | None:
    return float(engagements) / float(views) if views else None


def _selected_posts(source: TableSource, start: str | None, end: str | None,
                    tz: str, platforms: list[str] | None = None) -> ibis.Table:
    import ibis

    posts = source.table("posts")
    if platforms:
        posts = posts.filter(posts.platform.isin(list(platforms)))
    lo, hi = utc_bounds(start, end, tz)
    if lo is not None:
        posts = posts.filter(posts.posted_at >= ibis.literal(lo, type="timestamp('UTC')"))
    if hi is not None:
        posts = posts.filter(posts.posted_at < ibis.literal(hi, type="timestamp('UTC')"))
    return posts


def _engagement_events(source: TableSource, posts: ibis.Table) -> ibis.Table:
    """Engagement events of ``posts``: ``e_type, e_ts, post_id, platform``."""
    ev = source.table("events")
    ev = ev.filter(ev.type.isin(["view", "like", "comment", "share", "save"])
                   & ev.post_id.notnull())
    ev = ev.select(e_post=ev.post_id, e_platform=ev.platform, e_type=ev.type, e_ts=ev.ts)
    p = posts.select("post_id", "platform")
    return ev.join(p, [ev.e_post == p.post_id,
                       ev.e_platform.isnull() | (ev.e_platform == p.platform)])


def post_engagement(source: TableSource, *, start: str | None = None, end: str | None = None,
                    tz: str = "UTC", platforms: list[str] | None = None) -> ibis.Table:
    """One row per selected post: its columns and the :data:`METRICS` counts (Ibis table).

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    start, end : str, optional
        First and last local day of ``posted_at`` (``YYYY-MM-DD``).
    tz : str
        Time zone of the days.
    platforms : list of str, optional
        Only posts on these platforms.
    """
    posts = _selected_posts(source, start, end, tz, platforms)
    j = _engagement_events(source, posts)
    counts = j.group_by(["post_id", "platform"]).aggregate(**{
        m: (j.e_type == m[:-1]).cast("int64").sum() for m in METRICS})
    out = posts.left_join(counts, ["post_id", "platform"])
    return out.select(
        *[posts[c] for c in ("post_id", "platform", "format", "title", "tags", "posted_at")],
        **{m: counts[m].fill_null(0) for m in METRICS})


def content_performance(source: TableSource, *, by: str = "post", start: str | None = None,
                        end: str | None = None, tz: str | None = None,
                        clock: str = "posted",
                        platforms: list[str] | None = None) -> ContentResult:
    """Views, likes, comments, shares, saves and engagement rate per ``by``.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    by : {"post", "platform", "format", "tag", "hour_of_week"}
        One row per post, or per group of posts (module docstring).
    start, end : str, optional
        First and last local day of publication (``YYYY-MM-DD``); default all posts.
    tz : str, optional
        Time zone of days and hours (default: the workspace's, else UTC).
    clock : {"posted", "event"}
        For ``by="hour_of_week"``: group posts by the hour they were published
        (``"posted"``), or group the engagement events themselves by the hour they
        happened (``"event"``: when the audience engages; ``posts`` = posts engaged
        with in that hour).
    platforms : list of str, optional
        Only posts on these platforms.

    Returns
    -------
    ContentResult
        Rows sorted by engagements, then views, descending.
    """
    import ibis

    check_choice("by", by, BY, "content_performance")
    check_choice("clock", clock, ("posted", "event"), "content_performance")
    tz = resolve_tz(source, tz)
    t = base = post_engagement(source, start=start, end=end, tz=tz, platforms=platforms)
    if by == "post":
        grouped = t.select("platform", "format", "title", "posted_at", *METRICS,
                           key=t.post_id, posts=ibis.literal(1, type="int64"))
    else:
        if by == "tag":
            raw = t.filter(t.tags.notnull()).select(*METRICS, tag=t.tags.split(",").unnest())
            t = raw.select(*METRICS, k=raw.tag.strip()).filter(lambda x: x.k != "")
            key = t.k
        elif by == "hour_of_week":
            span = time_span(source, tz, (("posts", "posted_at"), ("events", "ts")))
            if clock == "event":
                t = _engagement_events(source, _selected_posts(source, start, end, tz,
                                                               platforms))
                t = t.select("post_id", "platform", k=local_hour_of_week(t.e_ts, tz, span),
                             **{m: (t.e_type == m[:-1]).cast("int64") for m in METRICS})
                key = t.k
            else:
                t = t.filter(t.posted_at.notnull())
                key = local_hour_of_week(t.posted_at, tz, span)
        else:
            key = t[by].fill_null(NONE)
        per_event = by == "hour_of_week" and clock == "event"
        n = (t.post_id + "\x1f" + t.platform).nunique() if per_event else t.count()
        grouped = t.group_by(key=key).aggregate(posts=n,
                                                **{m: t[m].sum() for m in METRICS})
    rows = grouped.to_pyarrow().to_pylist()
    for r in rows:
        for c in COLUMNS:
            r.setdefault(c, None)
        for m in METRICS:
            r[m] = int(r[m] or 0)
        r["posts"] = int(r["posts"])
        r["engagements"] = r["likes"] + r["comments"] + r["shares"]
        r["engagement_rate"] = _rate(r["engagements"], r["views"])
    rows.sort(key=lambda r: (-r["engagements"], -r["views"], str(r["key"])))
    tot = base.aggregate(posts=base.count(), **{m: base[m].sum() for m in METRICS})
    totals = {k: int(v or 0) for k, v in tot.to_pyarrow().to_pylist()[0].items()}
    totals["engagement_rate"] = _rate(
        totals["likes"] + totals["comments"] + totals["shares"], totals["views"])
    return ContentResult(by, rows, totals, start, end, tz, clock)
