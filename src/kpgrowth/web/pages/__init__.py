"""Every dashboard page, in navigation order.

To add a page: write ``pages/<name>.py`` with a ``router`` and
``PAGE = Page("<name>", "/<name>", router)``, add its labels (``nav.<name>`` and
the page's own) to :mod:`kpgrowth.web.labels`, and list it here.
"""

from kpgrowth.web.pages import data, forecast, login, overview, static
from kpgrowth.web.registry import Page

PAGES: list[Page] = [overview.PAGE, forecast.PAGE, data.PAGE]
"""Pages shown in the navigation (they need a logged-in user)."""

PUBLIC_ROUTERS = [login.router, static.router]
"""Routes outside the navigation that need no login."""
