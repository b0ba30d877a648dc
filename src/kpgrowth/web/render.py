"""Rendering a page: language, login, navigation and the shared template context.

Examples
--------
>>> set_lang_url("/data?table=orders&lang=zh", "en")
'/data?table=orders&lang=en'
>>> safe_next("//evil.example/x"), safe_next("/data?page=2")
('/', '/data?page=2')
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from kpgrowth.api.deps import Principal, get_principal
from kpgrowth.report.i18n import reason_text, t

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

    from kpgrowth.api.cache import StoreGate
    from kpgrowth.workspace import Workspace

LANG_COOKIE = "kp_lang"
LANGS = ("zh", "en")


class NeedLogin(Exception):
    """Raised by :func:`current_user` when nobody is logged in; becomes a 303 to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.login_url = f"/login?next={quote(next_url, safe='/')}"


def current_user(request: Request) -> Principal:
    """The logged-in caller, or :class:`NeedLogin` (a redirect to the login page)."""
    who = get_principal(request)
    if who is None:
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NeedLogin(url)
    return who


def workspace(request: Request) -> Workspace:
    """The served workspace."""
    return request.app.state.workspace


def gate(request: Request) -> StoreGate:
    """The app's gate to the store (a lock, and a cache until the store changes)."""
    return request.app.state.gate


def lang_of(request: Request) -> str:
    """``?lang=``, else the language cookie, else the workspace's locale."""
    for lang in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if lang in LANGS:
            return lang
    return workspace(request).settings.locale


def set_lang_url(url: str, lang: str) -> str:
    """``url`` with its ``lang`` query parameter set to ``lang``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return f"{parts.path}?{urlencode([*query, ('lang', lang)])}"


def safe_next(url: str | None) -> str:
    """A local URL to go to after logging in (anything else becomes ``/``)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("kpgrowth.web", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)


def plotly_src() -> str:
    """URL of the locally served plotly.js (versioned, so it can be cached for good)."""
    import plotly

    return f"/static/plotly.min.js?v={plotly.__version__}"


def render(request: Request, template: str, context: dict[str, Any], *,
           user: Principal | None = None, status: int = 200) -> HTMLResponse:
    """Render ``template`` with the shell's context (language, nav, user, CSRF token)."""
    from kpgrowth.web.pages import PAGES

    lang = lang_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    ctx = {"lang": lang, "t": lambda key, **kw: t(key, lang).format(**kw) if kw else t(key, lang),
           "reason": lambda r: reason_text(r, lang),
           "user": user, "csrf_token": user.csrf if user else "", "plotly_src": plotly_src(),
           "nav": [{"label": t(p.label_key, lang), "path": p.path,
                    "active": request.url.path == p.path} for p in PAGES],
           "lang_urls": {code: set_lang_url(here, code) for code in LANGS},
           **context}
    html = _env().get_template(template).render(**ctx)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="strict",
                            path="/")
    return response
