"""The Spark store (``pyspark://MASTER``): the scale backend, read through Ibis.

Tables are Parquet folders under ``<workspace>/spark-warehouse/<table>``,
registered in the session catalog on connect, so a workspace keeps its data
across Spark sessions. Appends are written by Spark from Arrow (Ibis's pandas
path mishandles null decimals). Each append commits through Spark's file-output
commit protocol; a batch spanning several tables is not atomic on Spark (it is
on DuckDB) — ingest into DuckDB and export when that matters.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kpgrowth._deps import require
from kpgrowth.errors import KpgrowthError
from kpgrowth.schema import Table
from kpgrowth.store.base import ArrowData, Batch, Store, conform, table_def

_SPARK_TYPES = {"string": "STRING", "int64": "BIGINT", "float64": "DOUBLE",
                "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
                "decimal": "DECIMAL(18,2)"}


def spark_session(master: str = "local[2]", warehouse: str | None = None) -> Any:
    """Get or create a SparkSession set up for kpgrowth (UTC, no UI, temp warehouse)."""
    require("pyspark", extra="spark")
    from pyspark.sql import SparkSession

    warehouse = warehouse or tempfile.mkdtemp(prefix="kpgrowth-spark-")
    return (SparkSession.builder.master(master)
            .appName("kpgrowth")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "2g")
            .getOrCreate())


class SparkBatch(Batch):
    """Appends through Spark; each append is committed on its own."""

    def __init__(self, store: SparkStore) -> None:
        self.store = store

    def _frame(self, name: str, data: ArrowData) -> Any:
        import pyarrow as pa

        if isinstance(data, pa.RecordBatchReader):
            data = data.read_all()
        elif not isinstance(data, pa.Table):
            data = pa.table(data)
        arrow = conform(table_def(name), data)
        return self.store.spark.createDataFrame(arrow) if arrow.num_rows else None

    def append(self, name: str, data: ArrowData) -> int:
        frame = self._frame(name, data)
        if frame is None:
            return 0
        n = frame.count()
        frame.write.insertInto(name)
        return n

    def append_new(self, name: str, data: ArrowData) -> tuple[int, int]:
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        frame = self._frame(name, data)
        if frame is None:
            return 0, 0
        keys = list(table_def(name).key)
        total = frame.count()
        w = Window.partitionBy(*keys).orderBy("_kp_ord")
        first = (frame.withColumn("_kp_ord", F.monotonically_increasing_id())
                 .withColumn("_kp_rn", F.row_number().over(w))
                 .where("_kp_rn = 1").drop("_kp_ord", "_kp_rn"))
        existing = self.store.spark.table(name).select(*keys)
        cond = [first[k].eqNullSafe(existing[k]) for k in keys]
        new = first.join(existing, on=cond, how="left_anti").cache()
        landed = new.count()
        if landed:
            new.write.insertInto(name)
        new.unpersist()
        return landed, total - landed


class SparkStore(Store):
    """A store on a Spark session, tables as Parquet folders under ``root``.

    A Spark session serves one workspace at a time: opening a store rebinds the
    session's tables to this store's folders.

    Parameters
    ----------
    master : str
        Spark master, e.g. ``local[2]`` or ``spark://host:7077``.
    root : str or Path
        Folder holding one Parquet folder per table.
    """

    def __init__(self, master: str, root: str | Path) -> None:
        require("ibis.backends.pyspark", extra="spark", package="pyspark")
        import ibis

        self.root = Path(root).resolve()  # Spark resolves relative locations under its own warehouse
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = f"pyspark://{master}"
        self.spark = spark_session(master, str(self.root / "_warehouse"))
        self.spark.sparkContext.setLogLevel("ERROR")
        self.con = ibis.pyspark.connect(self.spark)
        # one workspace per Spark session at a time: unbind tables of a previous store
        # (they are external Parquet tables, so dropping them keeps their files)
        for t in self.spark.catalog.listTables():
            if not t.isTemporary:
                self.spark.sql(f"DROP TABLE IF EXISTS `{t.name}`")
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and not folder.name.startswith("_warehouse"):
                self._bind(folder.name)

    def _bind(self, name: str) -> None:
        """Register the Parquet folder ``root/name`` as table ``name``."""
        location = (self.root / name).as_posix()
        try:
            table = table_def(name)
        except KpgrowthError:  # an undeclared table: let Spark read the Parquet schema
            if any((self.root / name).glob("*.parquet")):
                self.spark.sql(f"CREATE TABLE IF NOT EXISTS `{name}` "
                               f"USING parquet LOCATION '{location}'")
            return
        cols = ", ".join(f"`{c.name}` {_SPARK_TYPES[c.dtype]}" for c in table.columns)
        self.spark.sql(f"CREATE TABLE IF NOT EXISTS `{name}` ({cols}) "
                       f"USING parquet LOCATION '{location}'")

    def tables(self) -> list[str]:
        return sorted(t.name for t in self.spark.catalog.listTables())

    def has_table(self, name: str) -> bool:
        return self.spark.catalog.tableExists(name)

    def _create(self, table: Table, *, overwrite: bool) -> None:
        if overwrite:
            self.drop(table.name)
        (self.root / table.name).mkdir(parents=True, exist_ok=True)
        self._bind(table.name)

    def drop(self, name: str) -> None:
        """Drop table ``name`` and delete its files."""
        import shutil

        self.spark.sql(f"DROP TABLE IF EXISTS `{name}`")
        shutil.rmtree(self.root / name, ignore_errors=True)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        yield SparkBatch(self)

    def close(self) -> None:
        """Leave the shared SparkSession running (other stores may use it)."""
