"""``/login``: paste an API key; the page posts it to ``POST /v1/session``, which sets the cookie.

Logging out (from the nav) calls ``DELETE /v1/session`` with the CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kpgrowth.api.deps import get_principal
from kpgrowth.web.render import render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    """The login form (or straight on, when already logged in)."""
    target = safe_next(next)
    if get_principal(request) is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html.j2", {"next": target})
