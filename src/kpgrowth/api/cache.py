"""One gate to the store per app: serialized access, and results cached until the store changes.

A DuckDB connection must not be used by two threads at once, and FastAPI runs
sync routes in a thread pool; so every route reaches the store through
:class:`StoreGate`, which holds a lock. Results that only depend on the stored
data (workspace info, the table list) are cached and reused while the store's
*fingerprint* is unchanged: a generation counter bumped by every write made
through the gate, plus the size and mtime of the DuckDB file and its WAL (which
also catch writes made by other code in the process, e.g. a dashboard upload).
Stores without a local file (Spark) are re-read every :data:`TTL_SECONDS`.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> from kpgrowth.ingest import ingest_rows
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> gate, calls = StoreGate(ws), []
>>> def count() -> int:
...     calls.append(1)
...     return ws.store.count("products")
>>> gate.cached("n", count), gate.cached("n", count), len(calls)
(0, 0, 1)
>>> _ = gate.write(ingest_rows, ws, "products",
...                [{"product_id": "c1", "kind": "course", "title": "t", "price": "9"}])
>>> gate.cached("n", count), len(calls)
(1, 2)
>>> ws.close()
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

T = TypeVar("T")
TTL_SECONDS = 5.0


class StoreGate:
    """Serializes store access for one app and caches results per store fingerprint.

    Parameters
    ----------
    ws : Workspace
        The workspace the app serves.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.lock = threading.RLock()
        self.generation = 0
        self._cache: dict[str, tuple[tuple[Any, ...], Any]] = {}
        self._files: list[Path] | None = None

    def _paths(self) -> list[Path]:
        if self._files is None:
            path = getattr(self.ws.store, "path", None)
            self._files = ([Path(path), Path(str(path) + ".wal")]
                           if path and path != ":memory:" else [])
        return self._files

    def fingerprint(self) -> tuple[Any, ...]:
        """What identifies the stored data now (cheap: two ``stat`` calls)."""
        files = self._paths()
        if not files:
            return (self.generation, int(time.monotonic() // TTL_SECONDS))
        parts: list[Any] = [self.generation]
        for f in files:
            try:
                st = os.stat(f)
                parts += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                parts += [None, None]
        return tuple(parts)

    def peek(self, name: str) -> Any | None:
        """The cached value of ``name`` if still valid, else None (never touches the store)."""
        hit = self._cache.get(name)
        return hit[1] if hit is not None and hit[0] == self.fingerprint() else None

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``'s value, reused until the store changes."""
        hit = self.peek(name)
        if hit is not None:
            return hit
        with self.lock:
            hit = self.peek(name)  # another thread may have computed it meanwhile
            if hit is not None:
                return hit
            stamp = self.fingerprint()
            value = compute()
            self._cache[name] = (stamp, value)
            return value

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` while holding the store."""
        with self.lock:
            return fn(*args, **kwargs)

    def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` while holding the store, then drop every cached result."""
        with self.lock:
            try:
                return fn(*args, **kwargs)
            finally:
                self.invalidate()

    def invalidate(self) -> None:
        """Forget cached results (call after writing to the store outside the gate)."""
        self.generation += 1
        self._cache.clear()
