"""Every dashboard page, in navigation order.

To add a page: write ``pages/<name>.py`` with a ``router`` and
``PAGE = Page("<name>", "/<name>", router)``, add its labels (``nav.<name>`` and
the page's own) to :mod:`kpgrowth.web.labels` (or, for labels only that page uses,
a ``LABELS`` dict at the top of the page module passed to
:func:`kpgrowth.report.i18n.add_labels`), and list it here.
"""

from kpgrowth.web.pages import (channels, community, content, data, forecast, funnel, login,
                                 overview, retention, static)
from kpgrowth.web.registry import Page

PAGES: list[Page] = [overview.PAGE, funnel.PAGE, retention.PAGE, channels.PAGE, content.PAGE,
                     community.PAGE, forecast.PAGE, data.PAGE]
"""Pages shown in the navigation (they need a logged-in user)."""

PUBLIC_ROUTERS = [login.router, static.router]
"""Routes outside the navigation that need no login."""
