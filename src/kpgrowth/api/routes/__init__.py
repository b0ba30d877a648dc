"""One module per resource; each exposes ``router``."""

from kpgrowth.api.routes import (analytics, behavior, health, keys, quarantine, session, tables,
                                  workspace)

ROUTERS = [health.router, session.router, workspace.router, tables.router, quarantine.router,
           keys.router, analytics.router, behavior.router]
