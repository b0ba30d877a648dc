"""The Result of an ingest: per-file counts, totals and the most frequent reasons.

Examples
--------
>>> r = IngestResult("orders", [FileResult("a.csv", "b1", "utf-8", "csv", rows_read=3, landed=1,
...                                        duplicates=1, quarantined=1, problems=2)],
...                  [Reason("not a valid timestamp", 2, "a.csv:4")])
>>> r.totals
{'rows_read': 3, 'landed': 1, 'duplicates': 1, 'quarantined': 1, 'problems': 2, 'skipped_files': 0}
>>> r.to_frame()[["file", "landed", "quarantined"]].to_dict("records")
[{'file': 'a.csv', 'landed': 1, 'quarantined': 1}]
>>> r.to_dict()["top_reasons"][0]["example"]
'a.csv:4'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass
class FileResult:
    """What happened to one file (one batch).

    Attributes
    ----------
    file : str
        The file as named by the caller (``api`` for :func:`~kpgrowth.ingest.ingest_rows`).
    batch_id : str
        sha256 of table, file content and mapping.
    encoding, format : str
        How the file was read (encoding is ``None`` for binary formats).
    rows_read : int
        Records read (excluding the header and blank lines).
    landed, duplicates : int
        Rows appended; rows whose key was already stored or repeated in the file.
    quarantined : int
        Rows with at least one problem (``rows_read == landed + duplicates + quarantined``).
    problems : int
        Quarantine entries (one per bad row and column).
    skipped_as_already_ingested : bool
        The same batch was committed before; nothing was read.
    ignored_columns : list of str
        Header columns that are not part of the table.
    seconds : float
        Wall time.
    """

    file: str
    batch_id: str
    encoding: str | None
    format: str
    rows_read: int = 0
    landed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    problems: int = 0
    skipped_as_already_ingested: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Reason:
    """A quarantine reason, how often it occurred and one place it occurred (``file:line``)."""

    reason: str
    count: int
    example: str


@dataclass
class IngestResult:
    """The Result of :func:`kpgrowth.ingest.ingest` / :func:`~kpgrowth.ingest.ingest_rows`."""

    table: str
    files: list[FileResult]
    top_reasons: list[Reason] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        """Sums over the files."""
        keys = ("rows_read", "landed", "duplicates", "quarantined", "problems")
        out = {k: sum(getattr(f, k) for f in self.files) for k in keys}
        out["skipped_files"] = sum(f.skipped_as_already_ingested for f in self.files)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per file."""
        import pandas as pd

        return pd.DataFrame([asdict(f) for f in self.files],
                            columns=[f for f in FileResult.__dataclass_fields__])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: table, files, totals (also flattened to the top level), top_reasons."""
        totals = self.totals
        return {"table": self.table, "files": [asdict(f) for f in self.files], **totals,
                "totals": totals, "top_reasons": [asdict(r) for r in self.top_reasons]}

    def figure(self) -> Any:
        """A Plotly bar chart of landed / duplicate / quarantined rows per file."""
        import plotly.graph_objects as go

        names = [f.file for f in self.files]
        fig = go.Figure([go.Bar(name=label, x=names, y=[getattr(f, key) for f in self.files])
                         for key, label in (("landed", "landed"), ("duplicates", "duplicate"),
                                            ("quarantined", "quarantined"))])
        fig.update_layout(barmode="stack", title=f"ingest into {self.table}",
                          yaxis_title="rows")
        return fig
