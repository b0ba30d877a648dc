"""TEMPORARY stand-in for :mod:`kpgrowth.ingest.mapping` (delete when it lands).

Supports only YAML files of the form ``{table: NAME, columns: {canonical: source}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from kpgrowth.errors import MappingError


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class MappedChunk:
    table: pa.Table
    errors: list[RowError] = field(default_factory=list)
    identities: pa.Table | None = None


@dataclass
class Mapping:
    table: str
    columns: dict[str, str]

    def apply(self, raw: pa.Table, *, key: bytes, settings: Any) -> MappedChunk:
        cols = {dst: raw.column(src) for dst, src in self.columns.items()
                if src in raw.column_names}
        return MappedChunk(pa.table(cols) if cols else pa.table({}))


def load_mapping(name_or_path: str | Path) -> Mapping:
    import yaml

    path = Path(name_or_path)
    if not path.is_file():
        raise MappingError(f"no mapping {str(name_or_path)!r} (built-in mappings are not available yet)")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Mapping(spec["table"], dict(spec["columns"]))
