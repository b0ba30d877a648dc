"""Static files: plotly.js from the installed plotly package, and the dashboard's CSS/JS.

Served locally and cached (the product must work offline; no CDN).
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
FOREVER = "public, max-age=31536000, immutable"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@functools.lru_cache(maxsize=1)
def plotly_js_path() -> Path:
    """The minified plotly.js bundled with the plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():  # pragma: no cover - every plotly wheel ships it
        raise FileNotFoundError(f"plotly.min.js not found in {path.parent}")
    return path


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js (the URL carries plotly's version, so browsers may keep it for good)."""
    return FileResponse(plotly_js_path(), media_type=_TYPES[".js"],
                        headers={"Cache-Control": FOREVER})


@router.get("/static/{name}")
def asset(name: str) -> FileResponse:
    """The dashboard's own ``app.css`` and ``app.js``."""
    path = STATIC_DIR / name
    if name not in {p.name for p in STATIC_DIR.iterdir()} or path.suffix not in _TYPES:
        raise HTTPException(404, f"no static file {name!r}")
    return FileResponse(path, media_type=_TYPES[path.suffix],
                        headers={"Cache-Control": "public, max-age=3600"})
