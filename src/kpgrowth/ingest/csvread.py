"""Streaming CSV/TSV reader with exact physical line numbers.

The file is parsed by :func:`pyarrow.csv.open_csv` in large blocks with every
column read as a string (vectorized and streaming). Line numbers are computed
per block from the embedded newlines of each record; at the end, a cheap check
against the newline count of the whole file (from :mod:`~kpgrowth.ingest.scan`)
proves them right. When it cannot (blank lines, records with the wrong number
of fields, a quote never closed), one Python pass with the :mod:`csv` module
recomputes exact lines — only such unusual files pay for it.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.ingest.scan import scan
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
>>> _ = p.write_text('id;text\\n1;"two\\nlines"\\n2;ok\\n', encoding="utf-8")
>>> src = CsvSource(scan(p))
>>> src.delimiter, src.columns
(';', ['id', 'text'])
>>> [c.lines.tolist() for c in src.chunks()]
[[2, 4]]
>>> src.finish().rejected
[]
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.errors import FileFormatError
from kpgrowth.ingest.scan import Scan

DELIMITERS = (",", "\t", ";", "|")
BLOCK_BYTES = 16 << 20
_SAMPLE = 1 << 18


class BlockTooSmall(Exception):
    """A record is larger than the parser's block; retry with a bigger ``block_size``."""


@dataclass
class RawChunk:
    """Rows as read: source column names, strings (typed for Parquet), 1-based lines."""

    table: pa.Table
    lines: np.ndarray


@dataclass
class Rejected:
    """A record the reader could not split into the header's columns."""

    line: int
    value: str
    row: dict[str, object]
    reason: str


@dataclass
class Finish:
    """What is known once every chunk was read.

    ``exact_lines`` (when not None) replaces the provisional line of record i.
    """

    rejected: list[Rejected] = field(default_factory=list)
    exact_lines: np.ndarray | None = None


def clean_names(names: list[str], file: str) -> list[str]:
    """Strip whitespace, BOM and zero-width characters from header names; refuse duplicates.

    >>> clean_names(["\\ufeff order_id ", "amount"], "o.csv")
    ['order_id', 'amount']
    """
    out = []
    for i, n in enumerate(names):
        c = str(n if n is not None else "").strip().strip("\ufeff\u200b").strip()
        out.append(c or f"column_{i + 1}")
    seen: set[str] = set()
    for c in out:
        if c in seen:
            raise FileFormatError(f"duplicate column {c!r} in the header", file=file,
                                  hint="give every column a different name")
        seen.add(c)
    return out


def sniff_delimiter(sample: str, prefer: str = ",") -> str:
    """The delimiter among , TAB ; | that splits ``sample`` into the most consistent columns.

    >>> sniff_delimiter("a|b|c\\n1|2|3\\n")
    '|'
    >>> sniff_delimiter("a,b;c\\n1,2;3\\n4,5;6\\n")
    ','
    """
    order = [prefer] + [d for d in DELIMITERS if d != prefer]
    best, best_score = prefer, (False, 0, 0.0, 0)
    for rank, d in enumerate(order):
        recs = [r for r in _records(sample, d, 40) if r]
        if not recs:
            continue
        k = len(recs[0])
        rest = recs[1:-1] if len(recs) > 2 else recs[1:]
        consistency = sum(len(r) == k for r in rest) / len(rest) if rest else 1.0
        ok = k > 1 and consistency >= 0.8
        score = (ok, k, consistency, -rank)
        if score > best_score:
            best, best_score = d, score
    return best


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    out = []
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            out.append(rec)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


class CsvSource:
    """A CSV/TSV file read in blocks (see the module docstring).

    Parameters
    ----------
    scan : Scan
        The file's scan (encoding, newline and quote counts).
    block_size : int
        Bytes per parser block; must exceed the longest record.
    """

    def __init__(self, scan: Scan, block_size: int = BLOCK_BYTES) -> None:
        self.scan = scan
        self.block_size = block_size
        with scan.path.open("rb") as fh:
            head = fh.read(_SAMPLE)
        whole = len(head) >= scan.size
        text = head.decode(scan.encoding or "utf-8", errors="replace").lstrip("\ufeff")
        if not whole:
            text = text[: max(text.rfind("\n"), 0)]
        prefer = "\t" if scan.path.suffix.lower() == ".tsv" else ","
        self.delimiter = sniff_delimiter(text, prefer)
        recs = _records(text, self.delimiter, 3)
        if not recs or not any(x.strip() for x in recs[0]):
            raise FileFormatError("the file is empty", file=scan.name,
                                  hint="it has no header and no rows")
        self.raw_names = recs[0]
        self.columns = clean_names(self.raw_names, scan.name)
        if whole and len([r for r in recs if r]) == 1:
            raise FileFormatError("the file has a header but no data rows", file=scan.name)
        self.header_lines = 1 + sum(x.count("\n") for x in recs[0])
        self.rows = 0
        self.position = 0
        self._next_line = 1 + self.header_lines
        self._invalid = 0

    def _on_invalid(self, row: object) -> str:
        self._invalid += 1
        return "skip"

    def chunks(self) -> Iterator[RawChunk]:
        """Yield the records in blocks as :class:`RawChunk` (all columns strings)."""
        import pyarrow.csv as pcsv

        enc = self.scan.encoding or "utf-8"
        ropts = pcsv.ReadOptions(block_size=self.block_size, use_threads=True,
                                 encoding="utf8" if enc == "utf-8" else enc)
        popts = pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True,
                                  invalid_row_handler=self._on_invalid)
        copts = pcsv.ConvertOptions(column_types={n: pa.string() for n in self.raw_names},
                                    strings_can_be_null=True, null_values=[""],
                                    quoted_strings_can_be_null=True)
        with self.scan.path.open("rb") as raw:
            fh = _Throttled(raw, 2 * self.block_size)
            try:
                reader = pcsv.open_csv(pa.PythonFile(fh, mode="r"), read_options=ropts,
                                       parse_options=popts, convert_options=copts)
                for batch in reader:
                    self.position = fh.position
                    fh.release()
                    if batch.num_rows:
                        yield self._chunk(batch)
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) or "block" in str(exc):
                    raise BlockTooSmall(str(exc)) from None
                raise FileFormatError(f"cannot parse the file: {exc}", file=self.scan.name,
                                      hint="check the quoting and the delimiter") from None

    def _chunk(self, batch: pa.RecordBatch) -> RawChunk:
        table = pa.Table.from_batches([batch])
        if table.schema.names != self.raw_names:  # pragma: no cover - header parsed differently
            raise FileFormatError("cannot read the header consistently", file=self.scan.name)
        cols = [c if c.type == pa.string() else c.cast(pa.string()) for c in table.columns]
        table = pa.table(cols, names=self.columns)
        row_lines = np.ones(table.num_rows, dtype=np.int64)
        for col in table.columns:
            counts = pc.count_substring(col, "\n")
            if pc.max(counts).as_py():
                row_lines += pc.fill_null(counts, 0).to_numpy(zero_copy_only=False)
        ends = np.cumsum(row_lines) + (self._next_line - 1)
        self._next_line = int(ends[-1]) + 1
        self.rows += table.num_rows
        return RawChunk(table, ends - row_lines + 1)

    def finish(self) -> Finish:
        """Check the line numbers; find rejected records; refuse a truncated last record."""
        s = self.scan
        physical = s.newlines + (0 if s.ends_with_newline else 1)
        if self._invalid == 0 and s.quotes % 2 == 0 and physical == self._next_line - 1:
            if self.rows == 0:
                raise FileFormatError("the file has a header but no data rows", file=s.name)
            return Finish()
        return self._exact()

    def _exact(self) -> Finish:
        """One Python pass: exact start line of every record and the rejected ones."""
        csv.field_size_limit(sys.maxsize)
        s, k = self.scan, len(self.columns)
        good: list[int] = []
        rejected: list[tuple[int, list[str]]] = []
        consumed: list[str] = []

        with s.path.open("r", encoding=s.encoding or "utf-8", newline="") as fh:
            def lines() -> Iterator[str]:
                for ln in fh:
                    consumed.append(ln)
                    yield ln

            reader = csv.reader(lines(), delimiter=self.delimiter)
            end = 0
            last: tuple[int, list[str], str] | None = None
            first = True
            for rec in reader:
                start, end = end + 1, reader.line_num
                text = "".join(consumed)
                consumed.clear()
                if first:
                    first = False
                    continue
                if not rec:
                    continue
                last = (start, rec, text)
                if len(rec) == k:
                    good.append(start)
                else:
                    rejected.append((start, rec))
        if last is not None and s.quotes % 2 and _unclosed(last[2], self.delimiter):
            raise FileFormatError("the last record has a quote that is never closed",
                                  file=s.name, line=last[0],
                                  hint="the file looks cut off; export it again")
        if last is not None and rejected and rejected[-1][0] == last[0] and len(last[1]) < k:
            raise FileFormatError(
                f"truncated last line: expected {k} fields, found {len(last[1])}",
                file=s.name, line=last[0], hint="the file looks cut off; export it again")
        if not good and not rejected:
            raise FileFormatError("the file has a header but no data rows", file=s.name)
        out = Finish(exact_lines=np.array(good, dtype=np.int64) if len(good) == self.rows
                     else None)
        for line, rec in rejected:
            row: dict[str, object] = dict(zip(self.columns, rec))
            if len(rec) > k:
                row["_extra"] = rec[k:]
            out.rejected.append(Rejected(line, self.delimiter.join(rec), row,
                                         "wrong number of fields"))
        return out


class _Throttled(io.RawIOBase):
    """A file whose reads wait while they are more than ``window`` bytes ahead of the consumer.

    Arrow's streaming CSV reader reads up to 32 blocks ahead in a background
    thread; with a slower consumer (validation, inserts) it would buffer the
    whole file. The reader's thread waits here instead (at most ``patience``
    seconds per read, so a slow consumer can never deadlock it).
    """

    def __init__(self, raw: io.BufferedReader, window: int, patience: float = 2.0) -> None:
        import threading

        super().__init__()
        self._raw, self._window, self._patience = raw, window, patience
        self._cond = threading.Condition()
        self.position = 0
        self._limit = window

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self.position < self._limit, timeout=self._patience)
        data = self._raw.read(n)
        self.position += len(data)
        return data

    def readinto(self, b: bytearray) -> int:  # pragma: no cover - Arrow calls read()
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def release(self) -> None:
        """The consumer took a batch: allow reading ``window`` bytes past the current position."""
        with self._cond:
            self._limit = self.position + self._window
            self._cond.notify_all()


def _unclosed(text: str, delimiter: str) -> bool:
    try:
        list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False
