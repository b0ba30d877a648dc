"""The report's community section: each community's latest week (members, active share,
messages per member, buyers, conversion r_k, period retention).

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> build(ws, "zh") is None  # no memberships: nothing to show
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpgrowth.report import present_channels as pc

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace


def build(ws: Workspace, lang: str) -> dict[str, Any] | None:
    """The latest-week table per community; None without memberships."""
    from kpgrowth.analytics.community import community_health

    res = community_health(ws, period="week")
    if not res.rows:
        return None
    return {**pc.community_latest(res, lang), "tz": res.tz}
