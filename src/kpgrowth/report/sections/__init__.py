"""The analysis sections of the HTML report, in reading order.

Each section module ``sections/<name>.py`` has ``build(ws, lang) -> dict | None``
(``None`` when the workspace has nothing to show for it) and a template
``templates/sections/<name>.html.j2`` that renders that dict as one
``<section id="<name>">``. Labels only a section (and its dashboard page) uses
live in a ``LABELS`` dict in the section module, registered with
:func:`kpgrowth.report.i18n.add_labels`.

Examples
--------
>>> [name for name, _ in SECTIONS]
['funnel', 'retention', 'channels', 'content', 'community']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kpgrowth.report.sections import channels, community, content, funnel, retention

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

SECTIONS: list[tuple[str, Callable[..., dict[str, Any] | None]]] = [
    ("funnel", funnel.build), ("retention", retention.build), ("channels", channels.build),
    ("content", content.build), ("community", community.build),
]


def build_sections(ws: Workspace, lang: str) -> list[dict[str, Any]]:
    """Every section with something to show: ``{"name", "template", **its context}``."""
    out = []
    for name, build in SECTIONS:
        ctx = build(ws, lang)
        if ctx is not None:
            out.append({"name": name, "template": f"sections/{name}.html.j2", **ctx})
    return out
