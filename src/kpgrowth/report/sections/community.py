"""The report's community section: each community's latest week (members, active share,
messages per member, buyers, conversion r_k, period retention), and one sentence comparing
the retention of community members with non-members (loss ratio and week-1 retention).

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

from kpgrowth.report import present_content as pc

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

RETENTION_WEEKS = 8
"""Weeks k = 0..7 after entry over which members' and non-members' churn is compared."""


def build(ws: Workspace, lang: str) -> dict[str, Any] | None:
    """The latest-week table per community and the members vs non-members sentence
    (``members``, None when they cannot be compared); None without memberships."""
    from kpgrowth.analytics.community import community_health
    from kpgrowth.analytics.community_activity import member_retention

    res = community_health(ws, period="week")
    if not res.rows:
        return None
    mr = member_retention(ws, period="week", periods=RETENTION_WEEKS)
    return {**pc.community_latest(res, lang), "tz": res.tz, "members": pc.loss_sentence(mr, lang)}
