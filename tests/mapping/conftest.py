"""Fixtures for mapping tests: a tiny reader that gives raw tables as the pipeline does.

The pipeline's readers live in kpgrowth.ingest (owned elsewhere); these tests read the
fixture files themselves so they only exercise parsing and mapping.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from kpgrowth.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"
KEY = bytes(range(32))


def read_csv(name: str, encoding: str = "utf-8") -> pa.Table:
    """Read a fixture CSV with every column as a string (headers stripped, BOM removed)."""
    import pyarrow.csv as pacsv

    path = FIXTURES / name
    with open(path, encoding=encoding, newline="") as fh:
        header = fh.readline()
    names = [h.strip().lstrip("\ufeff") for h in header.rstrip("\r\n").split(",")]
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False),
    )


def read_xlsx(path: Path) -> pa.Table:
    """Read the first sheet of an .xlsx with every cell as a string."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    names = [str(h).strip() for h in rows[0]]
    cols = {n: [None if r[i] is None else str(r[i]) for r in rows[1:]]
            for i, n in enumerate(names)}
    return pa.table({n: pa.array(v, pa.string()) for n, v in cols.items()})


@pytest.fixture()
def settings() -> Settings:
    return Settings.defaults()
