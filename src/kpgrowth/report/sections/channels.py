"""The report's channels section (being built by its owner; shows nothing yet)."""

from __future__ import annotations

from typing import Any


def build(ws: Any, lang: str) -> dict[str, Any] | None:
    """Nothing yet."""
    return None
