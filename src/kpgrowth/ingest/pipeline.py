"""The ingestion pipeline: read → map → validate → quarantine → idempotent append.

One file is one batch is one ``with ws.store.batch()`` (a DuckDB transaction):
its good rows, the identities its mapping derives, its quarantine rows and its
``_batches`` record land together or not at all. The batch id is the sha256 of
the table, the file's bytes and the mapping, so the same file ingested again is
recognised and skipped; a batch that was interrupted left nothing behind and
runs again in full.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> ws = Workspace.init(root / "ws")
>>> csv = root / "orders.csv"
>>> _ = csv.write_text("order_id,ts,product_id,amount,status\\n"
...                    "o1,2024-03-05 10:00,c1,99,paid\\n"
...                    "o2,2024/03/05 11:00,c1,-5,paid\\n"
...                    "o1,2024-03-05 10:00,c1,99,paid\\n", encoding="utf-8")
>>> r = ingest(ws, "orders", [csv])
>>> f = r.files[0]
>>> f.rows_read, f.landed, f.duplicates, f.quarantined
(3, 1, 1, 1)
>>> r.top_reasons[0].reason, r.top_reasons[0].example.endswith("orders.csv:3")
('must be >= 0 unless status is refunded', True)
>>> ingest(ws, "orders", [csv]).files[0].skipped_as_already_ingested
True
>>> ingest_rows(ws, "orders", [{"order_id": "o9", "ts": "2024-03-06", "product_id": "c1",
...                             "amount": 10, "status": "paid"}]).totals["landed"]
1
>>> ws.close()
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from kpgrowth.errors import InputError, SchemaError
from kpgrowth.ingest.csvread import BLOCK_BYTES, BlockTooSmall, Finish, RawChunk
from kpgrowth.ingest.identities import resolve_known
from kpgrowth.ingest.readers import CHUNK_ROWS, Source, open_source, rows_to_table
from kpgrowth.ingest.result import FileResult, IngestResult, Reason
from kpgrowth.ingest.scan import Scan
from kpgrowth.ingest.validate import check_columns, validate
from kpgrowth.schema import INGESTIBLE, TABLES, Table, get_table

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

MARKER_ENV = "KPGROWTH_TEST_INGEST_MARKER"
"""Tests only: a file to append a line to after each chunk is written (inside the batch)."""
SLEEP_ENV = "KPGROWTH_TEST_INGEST_SLEEP"
"""Tests only: seconds to pause after each chunk (to kill a process mid-batch)."""
MAX_BLOCK = 1 << 30
TOP_REASONS = 10


def ingest(ws: Workspace, table: str, files: Sequence[str | Path] | str | Path, *,
           mapping: str | Path | None = None, progress: bool = False) -> IngestResult:
    """Ingest export files into ``table``, one atomic, idempotent batch per file.

    Parameters
    ----------
    ws : Workspace
        The workspace to write to.
    table : str
        A canonical table (see :data:`kpgrowth.schema.INGESTIBLE`).
    files : sequence of path
        CSV/TSV (UTF-8, UTF-8 with BOM or GB18030), Excel .xlsx, Parquet or JSON
        Lines files. Without a mapping their headers use canonical column names.
    mapping : str or path, optional
        A built-in mapping name (e.g. ``douyin_video``) or a YAML mapping file.
    progress : bool
        Show a progress bar on the terminal.

    Returns
    -------
    IngestResult

    Raises
    ------
    FileFormatError, MissingColumnsError
        A file cannot be read as a whole; that file writes nothing. Every file's
        header is checked before the first one is written.
    """
    tdef = _target(table)
    files = [files] if isinstance(files, (str, Path)) else list(files)
    mapper, mapping_id = _load_mapping(mapping, tdef)
    plans = []
    for f in files:  # check every file before writing any
        src = open_source(f)
        ignored = _check_header(ws, tdef, src, mapper)
        plans.append((src, _batch_id(tdef.name, src.scan.sha256, mapping_id), ignored))
    results: list[FileResult] = []
    entries: list[dict[str, Any]] = []
    with _Progress(progress, sum(p[0].scan.size for p in plans)) as bar:
        for src, batch_id, ignored in plans:
            if _already(ws, batch_id):
                results.append(FileResult(src.scan.name, batch_id, src.scan.encoding,
                                          src.scan.format, skipped_as_already_ingested=True))
                bar.advance_file(src.scan.size)
                continue
            res, quarantined = _run(ws, tdef, src, batch_id, mapper, mapping_id, bar)
            res.ignored_columns = ignored
            results.append(res)
            entries.extend(quarantined)
    return IngestResult(tdef.name, results, _top(entries))


def ingest_rows(ws: Workspace, table: str, rows: list[dict[str, Any]], *,
                source: str = "api") -> IngestResult:
    """Ingest a JSON batch (a list of row objects) with the same rules as a file.

    ``source`` stands in for the file name; line numbers are 1-based positions
    in ``rows``. The same batch sent twice lands once.
    """
    tdef = _target(table)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError("rows must be a list of JSON objects", file=source)
    if not rows:
        raise InputError("no rows to ingest", file=source)
    body = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    src = RowsSource(rows, Scan(Path(source), source, "json", hashlib.sha256(body).hexdigest(),
                                len(body)))
    ignored = check_columns(tdef, src.columns, source)
    batch_id = _batch_id(tdef.name, src.scan.sha256, "")
    if _already(ws, batch_id):
        return IngestResult(tdef.name, [FileResult(source, batch_id, None, "json",
                                                   skipped_as_already_ingested=True)])
    res, entries = _run(ws, tdef, src, batch_id, None, "", _Progress(False, 0))
    res.ignored_columns = ignored
    return IngestResult(tdef.name, [res], _top(entries))


class RowsSource:
    """Rows given in memory (the REST API's JSON batches)."""

    def __init__(self, rows: list[dict[str, Any]], sc: Scan) -> None:
        self.scan = sc
        self.position = 0
        self._rows = rows
        self.columns = list(dict.fromkeys(k for r in rows for k in r))

    def chunks(self) -> Iterator[RawChunk]:
        for start in range(0, len(self._rows), CHUNK_ROWS):
            part = self._rows[start:start + CHUNK_ROWS]
            yield RawChunk(rows_to_table(part, self.columns),
                           np.arange(start + 1, start + 1 + len(part), dtype=np.int64))

    def finish(self) -> Finish:
        return Finish()


# -- one batch --------------------------------------------------------------------------
def _run(ws: Workspace, tdef: Table, src: Source, batch_id: str, mapper: Any,
         mapping_id: str, bar: _Progress) -> tuple[FileResult, list[dict[str, Any]]]:
    """Ingest one source in one batch, retrying with bigger blocks for huge records."""
    while True:
        try:
            return _batch(ws, tdef, src, batch_id, mapper, mapping_id, bar)
        except BlockTooSmall:
            block = getattr(src, "block_size", BLOCK_BYTES) * 8
            if block > MAX_BLOCK:
                raise InputError("a record is larger than 1 GB", file=src.scan.name) from None
            bar.restart()
            src = type(src)(src.scan, block)  # type: ignore[call-arg]


def _batch(ws: Workspace, tdef: Table, src: Source, batch_id: str, mapper: Any,
           mapping_id: str, bar: _Progress) -> tuple[FileResult, list[dict[str, Any]]]:
    from kpgrowth.store.base import utcnow

    t0, started = time.perf_counter(), utcnow()
    sc = src.scan
    res = FileResult(sc.name, batch_id, sc.encoding, sc.format)
    q = _Quarantine(batch_id, tdef.name, sc.name)
    settings, tz, cur = ws.settings, ws.settings.timezone, ws.settings.currency
    with ws.store.batch() as b:
        for chunk in src.chunks():
            raw, data, pre, ids, sources = chunk.table, chunk.table, [], None, None
            if mapper is not None:
                mapped = mapper.apply(raw, key=ws.pseudonym_key, settings=settings)
                data, ids = mapped.table, mapped.identities
                pre = [(e.row, e.column, e.value, e.reason) for e in mapped.errors]
                sources = mapped.sources
                if ids is not None and ids.num_rows:
                    data, ids = resolve_known(ws.store, data, ids,
                                              [i.column for i in mapper.identities])
            checked = validate(data, tdef, tz=tz, currency=cur, errors=pre, sources=sources)
            if checked.good.num_rows:
                landed, dups = b.append_new(tdef.name, _small_batches(checked.good))
                res.landed += landed
                res.duplicates += dups
            if ids is not None and ids.num_rows:
                b.append_new("identities", ids)
            q.add(raw, chunk.lines, res.rows_read, checked.problems, checked.bad_rows)
            res.rows_read += raw.num_rows
            res.quarantined += len(checked.bad_rows)
            bar.update(src.position)
            _test_hook()
        fin = src.finish()
        q.reject(fin.rejected)
        res.rows_read += len(fin.rejected)
        res.quarantined += len(fin.rejected)
        if fin.exact_lines is not None:
            q.relocate(fin.exact_lines)
        qt = q.table(utcnow())
        res.problems = qt.num_rows
        if qt.num_rows:
            b.append_new("quarantine", qt)
        res.seconds = time.perf_counter() - t0
        b.append("_batches", pa.table({
            "batch_id": [batch_id], "table_name": [tdef.name], "file": [sc.name],
            "sha256": [sc.sha256], "mapping": [mapping_id or None], "started_at": [started],
            "finished_at": [utcnow()], "rows_read": [res.rows_read], "landed": [res.landed],
            "duplicates": [res.duplicates], "quarantined": [res.quarantined]}))
    bar.advance_file(sc.size)
    return res, q.entries


class _Quarantine:
    """Collects quarantine entries of one batch (lines may be corrected at the end)."""

    def __init__(self, batch_id: str, table: str, file: str) -> None:
        self.batch_id, self.table_name, self.file = batch_id, table, file
        self.entries: list[dict[str, Any]] = []
        self._record: list[int] = []  # record index of each entry (-1: rejected record)

    def add(self, raw: pa.Table, lines: np.ndarray, base: int, problems: list[Any],
            bad_rows: np.ndarray) -> None:
        if not problems:
            return
        rows = raw.take(pa.array(bad_rows, pa.int64())).to_pylist()
        as_json = {int(i): json.dumps(r, ensure_ascii=False, default=str)
                   for i, r in zip(bad_rows, rows)}
        for row, column, value, reason in problems:
            self.entries.append({"file": self.file, "line": int(lines[row]), "column_name": column,
                                 "value": value, "reason": reason, "row": as_json[row]})
            self._record.append(base + row)

    def reject(self, rejected: list[Any]) -> None:
        for r in rejected:
            self.entries.append({"file": self.file, "line": r.line, "column_name": None,
                                 "value": r.value[:1000],
                                 "reason": r.reason,
                                 "row": json.dumps(r.row, ensure_ascii=False, default=str)})
            self._record.append(-1)

    def relocate(self, exact: np.ndarray) -> None:
        for e, rec in zip(self.entries, self._record):
            if rec >= 0:
                e["line"] = int(exact[rec])

    def table(self, now: Any) -> pa.Table:
        n = len(self.entries)
        cols = {k: [e[k] for e in self.entries] for k in ("line", "column_name", "value",
                                                           "reason", "row")}
        return pa.table({"batch_id": [self.batch_id] * n, "table_name": [self.table_name] * n,
                         "file": [self.file] * n, "line": pa.array(cols["line"], pa.int64()),
                         "column_name": pa.array(cols["column_name"], pa.string()),
                         "value": pa.array(cols["value"], pa.string()),
                         "reason": pa.array(cols["reason"], pa.string()),
                         "row": pa.array(cols["row"], pa.string()),
                         "quarantined_at": pa.array([now] * n, pa.timestamp("us", "UTC"))})


# -- helpers ------------------------------------------------------------------------------
def _target(table: str) -> Table:
    tdef = get_table(table)
    if tdef.name not in INGESTIBLE:
        raise SchemaError(f"table {table!r} cannot be ingested into",
                          hint=f"tables are: {', '.join(INGESTIBLE)}")
    return TABLES[tdef.name]


def _batch_id(table: str, sha: str, mapping_id: str) -> str:
    return hashlib.sha256(f"{table}\x1f{sha}\x1f{mapping_id}".encode()).hexdigest()


def _already(ws: Workspace, batch_id: str) -> bool:
    t = ws.store.table("_batches")
    return bool(t.filter(t.batch_id == batch_id).count().execute())


def _check_header(ws: Workspace, tdef: Table, src: Source, mapper: Any) -> list[str]:
    if mapper is None:
        return check_columns(tdef, src.columns, src.scan.name)
    empty = pa.table({c: pa.array([], pa.string()) for c in src.columns})
    mapped = mapper.apply(empty, key=ws.pseudonym_key, settings=ws.settings)
    check_columns(tdef, mapped.table.column_names, src.scan.name)
    return []


def _load_mapping(mapping: str | Path | None, tdef: Table) -> tuple[Any, str]:
    """The mapping object and its identity for the batch id (content hash when a file)."""
    if mapping is None:
        return None, ""
    from kpgrowth.ingest.mapping import load_mapping

    m = load_mapping(mapping)
    if m.table != tdef.name:
        raise InputError(f"mapping {str(mapping)!r} is for table {m.table!r}, not {tdef.name!r}",
                         hint=f"ingest into {m.table!r} or choose another mapping")
    path = Path(mapping)
    if not path.is_file():
        path = Path(__file__).parent / "mappings" / f"{mapping}.yaml"
    ident = f"name:{mapping}"
    if path.is_file():
        ident = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return m, ident


def _top(entries: list[dict[str, Any]]) -> list[Reason]:
    counts = Counter(e["reason"] for e in entries)
    first: dict[str, str] = {}
    for e in entries:
        first.setdefault(e["reason"], f"{e['file']}:{e['line']}")
    return [Reason(r, c, first[r]) for r, c in counts.most_common(TOP_REASONS)]


def _small_batches(table: pa.Table) -> pa.Table:
    """The same rows in record batches of 8192 (zero-copy); DuckDB scans those in parallel,
    several times faster than one large batch."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=8192), schema=table.schema)


def _test_hook() -> None:
    marker = os.environ.get(MARKER_ENV)
    if marker:
        with open(marker, "a") as fh:
            fh.write("chunk\n")
    pause = os.environ.get(SLEEP_ENV)
    if pause:
        time.sleep(float(pause))


class _Progress:
    """A rich progress bar over bytes (a no-op when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self.done = enabled, total, 0
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress("[progress.description]{task.description}", BarColumn(),
                                 DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                                 transient=True)
            self._bar.start()
            self._task = self._bar.add_task("ingest", total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, position: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done + position)

    def advance_file(self, size: int) -> None:
        self.done += size
        self.update(0)

    def restart(self) -> None:
        self.update(0)
