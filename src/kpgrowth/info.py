"""What a workspace holds: tables, row counts, date ranges, quarantine by reason.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> info = workspace_info(ws)
>>> info.tables[0]["table"], info.tables[0]["rows"]
('users', 0)
>>> info.empty
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.result import Result
from kpgrowth.schema import TABLES

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace


@dataclass
class WorkspaceInfo(Result):
    """Tables with row counts and date ranges, and quarantine counts by reason.

    Attributes
    ----------
    root : str
        Workspace folder.
    backend : str
        Store URL.
    tables : list of dict
        ``table, rows, first, last`` for every canonical table (``first``/``last``
        span the table's time column), then any extra table (e.g. ``truth_*``).
    quarantine : list of dict
        ``table, reason, rows`` sorted by rows, descending.
    batches : int
        Committed ingest batches.
    """

    root: str
    backend: str
    tables: list[dict[str, Any]]
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    batches: int = 0

    @property
    def empty(self) -> bool:
        """True when no canonical table has rows."""
        return not any(t["rows"] for t in self.tables if t["table"] in TABLES)

    def rows(self, table: str) -> int:
        """Row count of ``table`` (0 if absent)."""
        return next((t["rows"] for t in self.tables if t["table"] == table), 0)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.tables, columns=["table", "rows", "first", "last"])

    def figure(self) -> Any:
        import plotly.graph_objects as go

        df = self.to_frame()
        df = df[df["table"].isin(list(TABLES))]
        fig = go.Figure(go.Bar(x=df["table"], y=df["rows"]))
        fig.update_layout(title="Rows per table", yaxis_type="log")
        return fig


def workspace_info(ws: Workspace) -> WorkspaceInfo:
    """Summarize the tables and quarantine of ``ws``."""
    store = ws.store
    present = set(store.tables())
    names = [n for n in TABLES if n in present]
    names += sorted(n for n in present if n not in TABLES and not n.startswith("_"))
    tables = []
    for name in names:
        t = store.table(name)
        spec = TABLES.get(name)
        col = spec.time_column if spec else None
        if col:
            agg = t.aggregate(rows=t.count(), first=t[col].min(), last=t[col].max())
            row = agg.to_pyarrow().to_pylist()[0]
        else:
            row = {"rows": int(t.count().execute()), "first": None, "last": None}
        tables.append({"table": name, "rows": int(row["rows"]),
                       "first": row["first"], "last": row["last"]})
    quarantine: list[dict[str, Any]] = []
    if "quarantine" in present:
        q = store.table("quarantine")
        agg = q.group_by([q.table_name, q.reason]).aggregate(rows=q.count())
        quarantine = sorted(
            ({"table": r["table_name"], "reason": r["reason"], "rows": int(r["rows"])}
             for r in agg.to_pyarrow().to_pylist()),
            key=lambda r: (-r["rows"], r["table"], r["reason"]))
    batches = store.count("_batches") if "_batches" in present else 0
    return WorkspaceInfo(str(ws.root), store.url, tables, quarantine, batches)
