"""``/content``: best and worst posts, performance by platform/format/tag, and when to post.

GET parameters: ``platform`` (empty = all), ``start`` and ``end`` (local days of
publication), ``by`` (platform, format, tag) for the group table, ``n`` (posts in the
best/worst lists) and ``min_views`` (posts with fewer views are not ranked).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.report.present_content import MIN_VIEWS  # (also registers the labels)
from kpgrowth.schema import PLATFORMS
from kpgrowth.web.pages.channels import DayParam, parse_days
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("content", "/content", router)

GROUPS = ("platform", "format", "tag")
PlatformParam = Annotated[Literal[("", *PLATFORMS)], Query()]  # type: ignore[valid-type]


def _totals(tot: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """KPI cards of the selected posts: count, views and engagement rate."""
    from kpgrowth.report.i18n import fmt_count, fmt_pct

    rate = tot.get("engagement_rate")
    return [("ct.posts", fmt_count(tot.get("posts", 0), lang)),
            ("ct.views", fmt_count(tot.get("views", 0), lang)),
            ("ct.rate", "—" if rate is None else fmt_pct(rate))]


@router.get("/content", response_class=HTMLResponse)
def content_page(request: Request, platform: PlatformParam = "",
                 by: Annotated[Literal[GROUPS], Query()] = "platform",  # type: ignore[valid-type]
                 n: Annotated[int, Query(ge=1, le=50)] = 5,
                 min_views: Annotated[int, Query(ge=0, le=10**9)] = MIN_VIEWS,
                 start: DayParam = None, end: DayParam = None) -> HTMLResponse:
    """The content page."""
    from kpgrowth.analytics.content import content_performance
    from kpgrowth.errors import InputError
    from kpgrowth.report.i18n import platform_name
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_content import (
        best_hours,
        group_figure,
        group_rows,
        heatmap_figure,
        post_rows,
    )

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    (start, end), error = parse_days(start, end, lang)
    ctx: dict[str, Any] = {"platform": platform, "by": by, "groups": GROUPS, "n": n,
                           "min_views": min_views, "start": start or "", "end": end or "",
                           "error": error, "platforms": [], "has_posts": False}

    def run(what: str, plats: list[str] | None = None) -> Any:
        kw = {"by": what, "start": start, "end": end, "platforms": plats}
        return g.cached(f"web.content:{what}:{start}:{end}:{plats}",
                        lambda: g.read(content_performance, ws, **kw))

    try:
        every = g.cached("web.content:platforms",
                         lambda: g.read(content_performance, ws, by="platform"))
        have = {str(r["key"]) for r in every.rows} | {platform}
        ctx["platforms"] = [(p, platform_name(p, lang)) for p in PLATFORMS if p in have]
        if error:
            return render(request, "content.html.j2", ctx, user=user, status=422)
        chosen = [platform] if platform else None
        posts, groups, hours = run("post", chosen), run(by, chosen), run("hour_of_week", chosen)
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "content.html.j2", ctx, user=user, status=422)
    if posts.rows:
        ctx.update(
            has_posts=True, tz=hours.tz, totals=_totals(posts.totals, lang),
            best=post_rows(posts.best(n, min_views=min_views), hours.tz, lang),
            worst=post_rows(posts.worst(n, min_views=min_views), hours.tz, lang),
            groups_rows=group_rows(groups, lang),
            groups_chart=chart_html(group_figure(groups, lang), div_id="chart-groups"),
            heatmap=chart_html(heatmap_figure(hours, lang), div_id="chart-heatmap"),
            best_hours=best_hours(hours, lang))
    return render(request, "content.html.j2", ctx, user=user)
