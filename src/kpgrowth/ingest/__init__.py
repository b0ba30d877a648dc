"""Ingestion: read exports, map them onto the canonical tables, validate, quarantine, append.

The public entry points are :func:`ingest` (files) and :func:`ingest_rows`
(JSON batches from the REST API); both return an :class:`IngestResult`.
Rejected rows are kept in the ``quarantine`` table: see
:mod:`kpgrowth.ingest.quarantine`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.ingest.pipeline import ingest, ingest_rows
    from kpgrowth.ingest.result import FileResult, IngestResult, Reason

__all__ = ["FileResult", "IngestResult", "Reason", "ingest", "ingest_rows"]


def __getattr__(name: str) -> Any:
    # lazy, so that `import kpgrowth.ingest.parse` stays light
    if name in ("ingest", "ingest_rows"):
        from kpgrowth.ingest import pipeline

        return getattr(pipeline, name)
    if name in ("FileResult", "IngestResult", "Reason"):
        from kpgrowth.ingest import result

        return getattr(result, name)
    raise AttributeError(f"module 'kpgrowth.ingest' has no attribute {name!r}")
