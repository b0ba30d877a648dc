"""One pass over a file's bytes before reading it: format, hash, encoding, sanity.

:func:`scan` reads the file once in large blocks and returns a :class:`Scan`:
its sha256 (the idempotency key), its format (by magic bytes, then suffix),
and for text formats the encoding (UTF-8 first, then GB18030), the number of
newlines and of double quotes (used to check line numbers and spot an unclosed
quote). Anything that makes the whole file unreadable raises
:class:`~kpgrowth.errors.FileFormatError` with one clear line.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
>>> _ = p.write_bytes("order_id,title\\no1,入门课\\n".encode("gb18030"))
>>> s = scan(p)
>>> s.format, s.encoding, s.newlines
('csv', 'gb18030', 2)
>>> _ = p.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR")
>>> scan(p)
Traceback (most recent call last):
...
kpgrowth.errors.FileFormatError: ...orders.csv: not a text file: it is a PNG image (export the data as CSV, Excel .xlsx, Parquet or JSON Lines)
"""

from __future__ import annotations

import codecs
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kpgrowth.errors import FileFormatError

BLOCK = 8 << 20
ENCODINGS = ("utf-8", "gb18030")
"""Encodings tried for text files, in order."""

TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl",
                 ".ndjson": "jsonl", ".json": "jsonl"}
BINARY_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
_FIX = "export the data as CSV, Excel .xlsx, Parquet or JSON Lines"
_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or other OLE) file"),
    (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text"), (b"SQLite format 3", "a SQLite database"),
)


@dataclass(frozen=True)
class Scan:
    """What one pass over a file found.

    Attributes
    ----------
    path : Path
    name : str
        The file as the user named it (used in messages and quarantine rows).
    format : {"csv", "jsonl", "xlsx", "parquet"}
    sha256 : str
        Hex digest of the file's bytes.
    size : int
        Bytes.
    encoding : str or None
        ``utf-8`` or ``gb18030`` for text formats; ``None`` for binary ones.
    newlines, quotes : int
        Number of ``\\n`` and ``"`` bytes (text formats only).
    ends_with_newline : bool
    """

    path: Path
    name: str
    format: str
    sha256: str
    size: int
    encoding: str | None = None
    newlines: int = 0
    quotes: int = 0
    ends_with_newline: bool = True


def scan(path: str | Path) -> Scan:
    """Hash and check ``path``; see the module docstring."""
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise FileFormatError("file not found" if not p.exists() else "not a file", file=name)
    size = p.stat().st_size
    with p.open("rb") as fh:
        head = fh.read(1 << 16)
    fmt = _format(name, p, head)
    if fmt in ("xlsx", "parquet"):
        return Scan(p, name, fmt, _sha256(p), size)
    _check_text_head(name, head, size)
    sha, newlines, quotes, last, bad = _text_pass(p, "utf-8")
    encoding = "utf-8"
    if bad is not None:
        _, _, _, _, bad2 = _text_pass(p, "gb18030")
        if bad2 is not None:
            raise FileFormatError(
                f"cannot decode the file: not UTF-8 (bad byte {bad[1]} at offset {bad[0]}) "
                f"nor GB18030 (bad byte at offset {bad2[0]})", file=name,
                hint="save it as UTF-8 (Excel: 'CSV UTF-8'); encodings tried: "
                     + ", ".join(ENCODINGS))
        encoding = "gb18030"
    if size and head.lstrip(b"\xef\xbb\xbf \t\r\n") == b"" and size <= len(head):
        raise FileFormatError("the file is empty", file=name, hint="it has no header and no rows")
    return Scan(p, name, fmt, sha, size, encoding, newlines, quotes, last == b"\n")


def _format(name: str, p: Path, head: bytes) -> str:
    suffix = p.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        if suffix in TEXT_SUFFIXES or suffix == ".parquet":
            raise FileFormatError(f"the file is a zip archive, not {suffix}", file=name,
                                  hint="if it is an Excel workbook, name it .xlsx")
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if suffix in BINARY_SUFFIXES:
        kind = "an Excel workbook" if BINARY_SUFFIXES[suffix] == "xlsx" else "a Parquet file"
        raise FileFormatError(f"named {suffix} but it is not {kind}", file=name,
                              hint="the file is damaged or was renamed; " + _FIX)
    return TEXT_SUFFIXES.get(suffix, "csv")


def _check_text_head(name: str, head: bytes, size: int) -> None:
    if size == 0:
        raise FileFormatError("the file is empty", file=name, hint="it has no header and no rows")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise FileFormatError(f"not a text file: it is {what}", file=name, hint=_FIX)
    nul = head.find(b"\x00")
    if nul >= 0:
        raise FileFormatError(f"not a text file: binary data (NUL byte at offset {nul})",
                              file=name, hint=_FIX)


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
    return h.hexdigest()


def _text_pass(p: Path, encoding: str) -> tuple[str, int, int, bytes, tuple[int, str] | None]:
    """sha256, newline and quote counts, last byte and the first undecodable byte (offset, hex).

    The hash runs in a worker thread (hashlib releases the GIL) while this
    thread decodes, so the pass costs about one of the two.
    """
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder(encoding)()
    newlines = quotes = pos = 0
    last = b""
    bad: tuple[int, str] | None = None
    with p.open("rb") as fh, ThreadPoolExecutor(1) as pool:
        pending = None
        while block := fh.read(BLOCK):
            if pending is not None:
                pending.result()
            pending = pool.submit(h.update, block)
            if bad is None:
                held = len(dec.getstate()[0])
                try:
                    dec.decode(block)
                except UnicodeDecodeError as exc:
                    offset = pos - held + exc.start
                    bad = (offset, f"0x{exc.object[exc.start]:02x}")
            newlines += block.count(b"\n")
            quotes += block.count(b'"')
            last = block[-1:]
            pos += len(block)
        if bad is None:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                bad = (pos - len(exc.object) + exc.start, f"0x{exc.object[exc.start]:02x}")
        if pending is not None:
            pending.result()
    return h.hexdigest(), newlines, quotes, last, bad
