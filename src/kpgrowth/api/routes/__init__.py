"""One module per resource; each exposes ``router``."""

from kpgrowth.api.routes import health, session, workspace

ROUTERS = [health.router, session.router, workspace.router]
