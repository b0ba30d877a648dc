"""Readers: one per file format, all yielding :class:`~kpgrowth.ingest.csvread.RawChunk`.

:func:`open_source` scans the file (format, hash, encoding) and returns a
reader with ``columns`` (the cleaned header), ``chunks()`` (bounded-size Arrow
tables with 1-based line numbers), ``finish()`` (records that could not be
read as rows, and exact line numbers if they changed), and ``position`` /
``total`` for progress. CSV lives in :mod:`~kpgrowth.ingest.csvread`.

Line numbers are what a person would look at: the physical line in a CSV or
JSON Lines file, the sheet row in Excel, the 1-based row in Parquet.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "e.jsonl"
>>> _ = p.write_text('{"event_id": "e1", "value": 1.5}\\n\\n{"event_id": "e2", "x": [1]}\\n')
>>> src = open_source(p)
>>> src.scan.format, src.columns
('jsonl', ['event_id', 'value', 'x'])
>>> chunk = next(src.chunks())
>>> chunk.table.to_pylist(), chunk.lines.tolist()
([{'event_id': 'e1', 'value': '1.5', 'x': None}, {'event_id': 'e2', 'value': None, 'x': '[1]'}], [1, 3])
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from kpgrowth.errors import FileFormatError
from kpgrowth.ingest.csvread import BLOCK_BYTES, CsvSource, Finish, RawChunk, Rejected, clean_names
from kpgrowth.ingest.scan import Scan, scan

CHUNK_ROWS = 100_000
"""Rows per chunk for the row-oriented readers (Excel, JSON Lines, Parquet)."""


class Source(Protocol):
    """What every reader provides."""

    scan: Scan
    columns: list[str]
    position: int

    def chunks(self) -> Iterator[RawChunk]: ...  # pragma: no cover

    def finish(self) -> Finish: ...  # pragma: no cover


def open_source(path: str | Path, *, block_size: int = BLOCK_BYTES) -> Source:
    """Scan ``path`` and return the reader for its format (raises FileFormatError)."""
    sc = scan(path)
    if sc.format == "csv":
        return CsvSource(sc, block_size)
    if sc.format == "jsonl":
        return JsonlSource(sc)
    if sc.format == "parquet":
        return ParquetSource(sc)
    return XlsxSource(sc)


def cell_text(value: Any) -> str | None:
    """One value from JSON or Excel as the text a CSV export would hold.

    >>> [cell_text(v) for v in (None, 3.0, 2.5, True, {"a": 1}, "x")]
    [None, '3', '2.5', 'true', '{"a": 1}', 'x']
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows_to_table(rows: list[dict[str, Any]], columns: list[str]) -> pa.Table:
    """A table of strings with ``columns`` from dicts (missing keys are null)."""
    data = {c: pa.array([cell_text(r.get(c)) for r in rows], pa.string()) for c in columns}
    return pa.table(data) if columns else pa.table({})


class JsonlSource:
    """JSON Lines: one JSON object per line; blank lines are skipped."""

    def __init__(self, sc: Scan) -> None:
        self.scan = sc
        self.position = 0
        self._rejected: list[Rejected] = []
        self._rows = 0
        names: dict[str, None] = {}
        with sc.path.open("r", encoding=sc.encoding or "utf-8") as fh:
            for line in fh:  # the header is the union of keys: one pass
                obj = _loads(line)
                if isinstance(obj, dict):
                    names.update(dict.fromkeys(obj))
        if not names:
            raise FileFormatError("no JSON objects in the file", file=sc.name,
                                  hint="JSON Lines has one {...} object per line")
        self.columns = clean_names(list(names), sc.name)
        self._keys = list(names)

    def chunks(self) -> Iterator[RawChunk]:
        rows: list[dict[str, Any]] = []
        lines: list[int] = []
        text = ""
        with self.scan.path.open("r", encoding=self.scan.encoding or "utf-8") as fh:
            for no, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                obj = _loads(text)
                if not isinstance(obj, dict):
                    self._reject(no, text, obj)
                    continue
                rows.append(obj)
                lines.append(no)
                if len(rows) >= CHUNK_ROWS:
                    self.position = fh.buffer.tell()
                    yield self._chunk(rows, lines)
                    rows, lines = [], []
        if self._rejected and self._rejected[-1].line == no and not text.endswith("\n"):
            raise FileFormatError("truncated last line: not a complete JSON object",
                                  file=self.scan.name, line=no,
                                  hint="the file looks cut off; export it again")
        if rows:
            yield self._chunk(rows, lines)

    def _reject(self, no: int, text: str, obj: Any) -> None:
        reason = "not valid JSON" if obj is _BAD else "not a JSON object"
        self._rejected.append(Rejected(no, text.rstrip("\r\n"), {"_line": text.rstrip("\r\n")},
                                       reason))

    def _chunk(self, rows: list[dict[str, Any]], lines: list[int]) -> RawChunk:
        self._rows += len(rows)
        t = rows_to_table(rows, self._keys).rename_columns(self.columns)
        return RawChunk(t, np.array(lines, dtype=np.int64))

    def finish(self) -> Finish:
        if not self._rows and not self._rejected:
            raise FileFormatError("the file has no data rows", file=self.scan.name)
        return Finish(rejected=self._rejected)


_BAD = object()


def _loads(line: str) -> Any:
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except ValueError:
        return _BAD


class ParquetSource:
    """Parquet: typed columns are kept as they are (validation casts them)."""

    def __init__(self, sc: Scan) -> None:
        import pyarrow.parquet as pq

        self.scan = sc
        self.position = 0
        try:
            self._file = pq.ParquetFile(sc.path)
        except Exception as exc:  # ArrowInvalid, OSError: damaged footer  # noqa: BLE001
            raise FileFormatError(f"cannot read the Parquet file: {exc}", file=sc.name,
                                  hint="the file is damaged or truncated; export it again") from None
        self.total = self._file.metadata.num_rows
        if self.total == 0:
            raise FileFormatError("the file has no data rows", file=sc.name)
        self.columns = clean_names(self._file.schema_arrow.names, sc.name)

    def chunks(self) -> Iterator[RawChunk]:
        start = 1
        try:
            for batch in self._file.iter_batches(batch_size=CHUNK_ROWS * 2):
                t = pa.Table.from_batches([batch]).rename_columns(self.columns)
                n = t.num_rows
                yield RawChunk(t, np.arange(start, start + n, dtype=np.int64))
                start += n
                self.position = int(self.scan.size * (start - 1) / self.total)
        except (OSError, pa.ArrowInvalid) as exc:
            raise FileFormatError(f"cannot read the Parquet file: {exc}", file=self.scan.name,
                                  hint="the file is damaged or truncated; export it again") from None

    def finish(self) -> Finish:
        return Finish()


class XlsxSource:
    """Excel .xlsx: the first sheet, streamed with openpyxl in read-only mode."""

    def __init__(self, sc: Scan) -> None:
        import openpyxl

        self.scan = sc
        self.position = 0
        try:
            self._book = openpyxl.load_workbook(sc.path, read_only=True, data_only=True)
        except Exception as exc:  # BadZipFile, KeyError, InvalidFileException  # noqa: BLE001
            raise FileFormatError(f"cannot open the Excel workbook: {exc}", file=sc.name,
                                  hint="save it again as .xlsx, or export CSV") from None
        self._sheet = self._book.worksheets[0]
        self.total = max(self._sheet.max_row or 1, 1)
        self._header_row = 0
        self.columns: list[str] = []
        for no, values in self._rows():
            if any(v not in (None, "") for v in values):
                self._header_row = no
                width = max(i for i, v in enumerate(values) if v not in (None, "")) + 1
                self.columns = clean_names([cell_text(v) or "" for v in values[:width]], sc.name)
                break
        if not self.columns:
            raise FileFormatError("the workbook's first sheet is empty", file=sc.name)
        self._rows_seen = 0

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        start = self._sheet.min_row or 1
        for i, values in enumerate(self._sheet.iter_rows(values_only=True)):
            yield start + i, values

    def chunks(self) -> Iterator[RawChunk]:
        k = len(self.columns)
        rows: list[list[str | None]] = []
        lines: list[int] = []
        for no, values in self._rows():
            if no <= self._header_row or not any(v not in (None, "") for v in values):
                continue
            rows.append([cell_text(v) for v in values[:k]] + [None] * (k - len(values)))
            lines.append(no)
            if len(rows) >= CHUNK_ROWS:
                self.position = int(self.scan.size * no / self.total)
                yield self._chunk(rows, lines)
                rows, lines = [], []
        if rows:
            yield self._chunk(rows, lines)
        self._book.close()

    def _chunk(self, rows: list[list[str | None]], lines: list[int]) -> RawChunk:
        self._rows_seen += len(rows)
        cols = list(zip(*rows))
        t = pa.table([pa.array(c, pa.string()) for c in cols], names=self.columns)
        return RawChunk(t, np.array(lines, dtype=np.int64))

    def finish(self) -> Finish:
        if not self._rows_seen:
            raise FileFormatError("the sheet has a header but no data rows", file=self.scan.name)
        return Finish()
