"""Funnel and retention vs a bare scan + group-by: DuckDB at 10M and 100M events, Spark at 10M.

Analyses (through the public API, on a :class:`~kpgrowth.store.Store`, so in UTC):

- funnel: ``funnel(store, ["impression", "click", "trailer_view", "purchase"],
  window="14d", breakdown="platform")``;
- retention: ``retention(store, period="week", periods=12)`` (first-event weekly cohorts).

Baselines, run on the same data with the same engine settings: the bare scan + group-by of
the columns each analysis reads, in raw SQL (the same text on DuckDB and Spark)::

    funnel:    SELECT platform, type, count(DISTINCT user_key), min(ts), max(ts) FROM events
               WHERE type IN (<the 4 steps>) AND user_key IS NOT NULL GROUP BY platform, type
    retention: SELECT week, count(*) FROM (SELECT user_key, date_trunc('week', ts) AS week
               FROM events WHERE user_key IS NOT NULL GROUP BY user_key, week) GROUP BY week

ratio = kpgrowth seconds / baseline seconds (goal: at most 3). Times are the best of
``--repeat`` runs. Every measurement runs in its own child process (store opened before the
clock starts), which reports its peak resident memory: the process's ``VmHWM`` on DuckDB
(imports included); on Spark the largest sum of the Python process and its JVM, sampled every
0.1 s. Growth: time at the largest DuckDB size / time at the smallest (linear = the data
ratio, about 10x).

Data. Simulating 100M events would take about 8 minutes and 12 GB on every run, so the
simulator runs once — a base business of ``--base-users`` people over ``--days`` days (seed
``--seed``; about 10M events with the defaults) — and the base workspace is cached under
``--cache`` (git-ignored; reused while its parameters are the same). A dataset of size S holds
``copies = round(S / base events)`` replicas of it, made inside DuckDB by one
``INSERT INTO events SELECT ... FROM base.events`` per copy: copy c suffixes ``~c`` to every
user key and event id (orders and users likewise), so the copies are disjoint people who keep
the simulator's realistic distributions (platform mix, conversion, timing, retention). Rows
are stored copy after copy. Consequences, checked and printed: funnel counts scale exactly
with the copies and retention rates are the same at every size. Only ``events``, ``orders``
(read by retention for the last observed period) and ``users`` are scaled. The Spark dataset
is the same DuckDB dataset exported to Parquet folders that kpgrowth's Spark store registers.

Usage::

    python benchmarks/bench_analytics.py --quick                  # 1M events, about 4 minutes
    python benchmarks/bench_analytics.py                          # 10M, 100M DuckDB; 10M Spark
    python benchmarks/bench_analytics.py --sizes 10M --skip-spark --repeat 2
    python benchmarks/bench_analytics.py --prepare-only           # only build the cache

The default run takes about 30-60 minutes on 2 cores (most of it the 100M funnel), plus
about 13 minutes and 4 GB of disk the first time, to simulate and build the cache.

Writes ``benchmarks/results/analytics.json`` (git-ignored) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

HERE = Path(__file__).resolve().parent
CACHE = HERE / "results" / "analytics-cache"
BUILD_VERSION = 1  # bump when the way datasets are built changes (invalidates the cache)
STEPS = ("impression", "click", "trailer_view", "purchase")
PERIODS = 12
SUFFIXED = {"events": ("event_id", "user_key"), "users": ("user_key",),
            "orders": ("order_id", "user_key", "referrer_user_key", "superior_user_key")}
_IN = ", ".join(f"'{s}'" for s in STEPS)
BASELINE_SQL = {
    "funnel": "SELECT platform, type, count(DISTINCT user_key) AS users, min(ts) AS first_ts, "
              f"max(ts) AS last_ts FROM events WHERE type IN ({_IN}) AND user_key IS NOT NULL "
              "GROUP BY platform, type",
    "retention": "SELECT week, count(*) AS users FROM (SELECT user_key, date_trunc('week', ts) "
                 "AS week FROM events WHERE user_key IS NOT NULL GROUP BY user_key, week) t "
                 "GROUP BY week",
}
ANALYSES = ("funnel", "retention")


def parse_size(text: str) -> int:
    """``"10M"`` -> 10_000_000; also ``k``/``G`` suffixes and plain integers."""
    text = text.strip().upper().replace("_", "")
    mult = {"K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def label(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 10**6 else f"{n / 1e3:.0f}k"


# -- data: simulate once, replicate inside DuckDB ------------------------------------------

def base_workspace(cache: Path, users: int, days: int, seed: int, memory_limit: str) -> dict:
    """Simulate (or reuse) the base workspace; return its metadata."""
    folder = cache / f"base-u{users}-d{days}-s{seed}"
    meta_path = folder.with_suffix(".json")
    if meta_path.exists() and (folder / "warehouse.duckdb").exists():
        meta = json.loads(meta_path.read_text())
        print(f"base: reusing {folder.name} ({meta['events']:,} events, simulated in "
              f"{meta['simulate_s']} s)", flush=True)
        return meta
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    shutil.rmtree(folder, ignore_errors=True)
    os.environ.setdefault("KPGROWTH_PSEUDONYM_KEY", "ab" * 32)
    print(f"base: simulating {users:,} users x {days} days (seed {seed}) ...", flush=True)
    ws = Workspace.init(folder, memory_limit=memory_limit or None)
    t0 = time.perf_counter()
    res = simulate(ws, users=users, days=days, seed=seed)
    wall = round(time.perf_counter() - t0, 1)
    ws.close()
    meta = {"users": users, "days": days, "seed": seed, "events": res.counts["events"],
            "orders": res.counts["orders"], "simulate_s": wall,
            "db": str(folder / "warehouse.duckdb")}
    meta_path.write_text(json.dumps(meta, indent=1))
    print(f"base: {meta['events']:,} events in {wall} s", flush=True)
    return meta


def dataset(cache: Path, base: dict, copies: int, memory_limit: str) -> dict:
    """Build (or reuse) the DuckDB store holding ``copies`` replicas of the base tables."""
    from kpgrowth.schema import TABLES
    from kpgrowth.store import connect

    key = {"base": base["db"], "base_events": base["events"], "copies": copies,
           "version": BUILD_VERSION}
    db = cache / f"u{base['users']}-d{base['days']}-s{base['seed']}-x{copies}.duckdb"
    meta_path = db.with_suffix(".json")
    if db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key:
            print(f"data x{copies}: reusing {db.name} ({meta['events']:,} events)", flush=True)
            return meta
    for p in (db, Path(f"{db}.wal"), meta_path):
        p.unlink(missing_ok=True)
    print(f"data x{copies}: building {db.name} ...", flush=True)
    t0 = time.perf_counter()
    store = connect(f"duckdb://{db}", memory_limit=memory_limit)
    raw = store.raw
    raw.execute(f"ATTACH '{base['db']}' AS base (READ_ONLY)")
    for c in range(copies):
        for table, cols in SUFFIXED.items():
            names = TABLES[table].names
            select = ", ".join(f"{n} || '~{c}'" if n in cols else n for n in names)
            raw.execute(f"INSERT INTO {table} ({', '.join(names)}) "
                        f"SELECT {select} FROM base.{table}")
        print(f"  copy {c + 1}/{copies} ({time.perf_counter() - t0:.0f} s)", flush=True)
    raw.execute("DETACH base")
    raw.execute("CHECKPOINT")
    counts = {t: int(raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in SUFFIXED}
    store.close()
    meta = {"key": key, "db": str(db), "copies": copies, "events": counts["events"],
            "counts": counts, "build_s": round(time.perf_counter() - t0, 1),
            "db_mb": round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20)}
    meta_path.write_text(json.dumps(meta, indent=1))
    print(f"data x{copies}: {meta['events']:,} events, {meta['db_mb']:,} MB, "
          f"{meta['build_s']} s", flush=True)
    return meta


def spark_dataset(data: dict) -> str:
    """Export a DuckDB dataset's tables to Parquet folders for the Spark store; return its root."""
    import duckdb

    from kpgrowth.schema import TABLES

    root = Path(data["db"]).with_suffix(".spark")
    done = root / "exported.json"
    if done.exists() and json.loads(done.read_text()) == data["key"]:
        print(f"spark data: reusing {root.name}", flush=True)
        return str(root)
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    con = duckdb.connect(data["db"], read_only=True)
    for table in SUFFIXED:
        folder = root / "spark-warehouse" / table
        folder.mkdir(parents=True)
        cols = ", ".join(f"CAST({c.name} AS DECIMAL(18,2)) AS {c.name}" if c.dtype == "decimal"
                         else c.name for c in TABLES[table].columns)
        con.execute(f"COPY (SELECT {cols} FROM {table}) TO '{folder / 'part-0.parquet'}' "
                    "(FORMAT parquet)")
    con.close()
    done.write_text(json.dumps(data["key"]))
    print(f"spark data: exported to Parquet in {time.perf_counter() - t0:.0f} s", flush=True)
    return str(root)


# -- one measurement (child process) --------------------------------------------------------

class PeakSampler:
    """Largest RSS of this process plus its children (the Spark JVM), sampled in a thread."""

    def __init__(self, every: float = 0.1) -> None:
        import psutil

        self.proc, self.every, self.peak = psutil.Process(), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def summary(what: str, result: object) -> dict:
    """A few numbers of a kpgrowth result, to check the data scaling (counts x copies)."""
    if what == "funnel":
        return {"counts": [r["count"] for r in result.overall],  # type: ignore[attr-defined]
                "groups": len({r["breakdown"] for r in result.by})}  # type: ignore[attr-defined]
    return {"cohort_users": sum(c["size"] for c in result.cohorts),  # type: ignore[attr-defined]
            "rates": [None if p["rate"] is None else round(p["rate"], 6)
                      for p in result.curve]}  # type: ignore[attr-defined]


def run_kpgrowth(store: object, what: str) -> object:
    from kpgrowth.analytics.funnel import funnel
    from kpgrowth.analytics.retention import retention

    if what == "funnel":
        return funnel(store, list(STEPS), window="14d", breakdown="platform")
    return retention(store, period="week", periods=PERIODS)


def peak_rss_self(field: str = "VmHWM") -> int:
    """Peak resident bytes of this process since it started (``VmHWM``; unlike ``ru_maxrss``
    it does not carry over the parent's peak through fork and exec); ``VmRSS``: current."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux


def timed(call: Callable[[], object], repeat: int, times: list[float]) -> object:
    """Run ``call`` ``repeat`` times, appending each wall time to ``times`` and printing it
    (so a parent that has to stop this process still has the runs done so far)."""
    res = None
    for i in range(repeat):
        t0 = time.perf_counter()
        res = call()
        times.append(time.perf_counter() - t0)
        print(f"#run {i + 1} {times[-1]:.3f}", flush=True)
    return res


def child(spec: dict) -> dict:
    """Do one task of the benchmark in this process: prepare data, or time one (engine,
    analysis, implementation) ``spec["repeat"]`` times."""
    task = spec.get("task", "measure")
    if task == "base":
        return base_workspace(Path(spec["cache"]), spec["users"], spec["days"], spec["seed"],
                              spec["memory_limit"])
    if task == "data":
        return dataset(Path(spec["cache"]), spec["base"], spec["copies"], spec["memory_limit"])
    if task == "spark_data":
        return {"root": spark_dataset(spec["data"])}
    what, impl, repeat = spec["analysis"], spec["impl"], spec["repeat"]
    times: list[float] = []
    out: dict = {}
    if spec["engine"] == "duckdb":
        import duckdb

        if impl == "baseline":
            con = duckdb.connect(spec["db"], read_only=True)
            con.execute("SET TimeZone = 'UTC'")
            if spec["memory_limit"]:
                con.execute(f"SET memory_limit = '{spec['memory_limit']}'")
            call = lambda: con.execute(BASELINE_SQL[what]).fetchall()
        else:
            from kpgrowth.store import connect

            store = connect(f"duckdb://{spec['db']}", memory_limit=spec["memory_limit"])
            call = lambda: run_kpgrowth(store, what)
        out["ready_rss_mb"] = round(peak_rss_self("VmRSS") / 2**20)  # before the first run
        res = timed(call, repeat, times)
        peak = peak_rss_self()
    else:
        from pyspark.sql import SparkSession

        # created before kpgrowth's store, so kpgrowth's getOrCreate() reuses these settings
        (SparkSession.builder.master(spec["master"]).appName("kpgrowth-bench")
         .config("spark.driver.memory", spec["driver_memory"])
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.warehouse.dir", spec["tmp"])
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
        from kpgrowth.store import connect

        store = connect(f"pyspark://{spec['master']}", spec["root"])
        spark = store.spark  # type: ignore[attr-defined]
        if impl == "baseline":
            call = lambda: spark.sql(BASELINE_SQL[what]).collect()
        else:
            call = lambda: run_kpgrowth(store, what)
        with PeakSampler() as sampler:
            res = timed(call, repeat, times)
        peak = max(sampler.peak, peak_rss_self())
        out["spark_conf"] = {k: spark.conf.get(k) for k in
                             ("spark.driver.memory", "spark.sql.shuffle.partitions")}
    if impl == "kpgrowth":
        out["summary"] = summary(what, res)
    else:
        out["rows"] = len(res)
    return {**out, "times": [round(t, 3) for t in times], "best_s": round(min(times), 3),
            "peak_rss_mb": round(peak / 2**20)}


def in_child(spec: dict, timeout: float | None = None, indent: str = "  ") -> dict:
    """Run :func:`child` in a fresh Python process, echoing its progress lines; return its
    JSON result, or ``{"error": ..., "times": [runs done]}`` when it fails or is stopped
    after ``timeout`` seconds."""
    import tempfile

    runs: list[float] = []
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, __file__, "--child", json.dumps(spec)],
                                stdout=subprocess.PIPE, stderr=err, text=True)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        result = None
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                result = json.loads(line)
            elif line.startswith("#run "):
                runs.append(float(line.split()[2]))
            else:
                print(indent + line.rstrip(), flush=True)
        rc = proc.wait()
        stopped = timer is not None and not timer.is_alive() and rc < 0
        if timer:
            timer.cancel()
        err.seek(0)
        tail = "\n".join(err.read().strip().splitlines()[-15:])
    if rc or result is None:
        why = f"stopped after {timeout:.0f} s" if stopped else f"exit {rc}: {tail[-500:]}"
        print(f"FAILED ({why}); runs done: {runs}", file=sys.stderr, flush=True)
        return {"error": why, "times": runs}
    return result


# -- orchestration ------------------------------------------------------------------------

def bench(engine: str, data: dict, args: argparse.Namespace, root: str = "") -> list[dict]:
    rows = []
    for what in ANALYSES:
        row: dict = {"engine": engine, "events": data["events"], "copies": data["copies"],
                     "analysis": what}
        for impl in ("baseline", "kpgrowth"):
            spec = {"engine": engine, "analysis": what, "impl": impl, "repeat": args.repeat,
                    "db": data["db"], "memory_limit": args.memory_limit}
            if engine == "spark":
                tmp = Path(root) / "_tmp"
                tmp.mkdir(exist_ok=True)
                spec.update(master=args.spark_master, root=root, tmp=str(tmp),
                            driver_memory=args.driver_memory)
            print(f"  {engine} {label(data['events'])} {what} {impl} ...", end=" ", flush=True)
            got = in_child(spec, args.timeout * args.repeat + 600)
            row[impl] = got
            if "error" not in got:
                print(f"{got['best_s']:.2f} s (runs {got['times']}), "
                      f"peak {got['peak_rss_mb']:,} MB", flush=True)
            elif got["times"]:  # stopped part-way: keep the best of the runs done
                got["best_s"] = min(got["times"])
        b, k = row["baseline"].get("best_s"), row["kpgrowth"].get("best_s")
        row["ratio"] = round(k / b, 2) if b and k else None
        rows.append(row)
    return rows


def cell(x: object, fmt: str = "{:.2f}") -> str:
    return "error" if x is None else fmt.format(x)


def secs(m: dict) -> str:
    """Best seconds of a measurement; "(partial)" when it was stopped after some runs."""
    return cell(m.get("best_s")) + (" (partial)" if "error" in m and m.get("best_s") else "")


def report(rows: list[dict], base: dict, args: argparse.Namespace) -> list[dict]:
    print(f"\nbase: {base['users']:,} simulated users x {base['days']} days = "
          f"{base['events']:,} events; larger sizes are copies with suffixed keys. "
          f"Best of {args.repeat}; DuckDB memory_limit {args.memory_limit or 'default'}, "
          f"{os.cpu_count()} CPUs; Spark {args.spark_master}, driver {args.driver_memory}.")
    print("\n| engine | events | analysis | baseline s | kpgrowth s | ratio (goal <= 3) "
          "| baseline peak RSS MB | kpgrowth peak RSS MB |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        b, k = r["baseline"], r["kpgrowth"]
        flag = " **>3**" if r["ratio"] and r["ratio"] > 3 else ""
        print(f"| {r['engine']} | {r['events']:,} | {r['analysis']} | {secs(b)} | {secs(k)} | "
              f"{cell(r['ratio'])}{flag} | "
              f"{cell(b.get('peak_rss_mb'), '{:,}')} | {cell(k.get('peak_rss_mb'), '{:,}')} |")
    growth = []
    duck = sorted((r for r in rows if r["engine"] == "duckdb"), key=lambda r: r["events"])
    for what in ANALYSES:
        rs = [r for r in duck if r["analysis"] == what]
        if len(rs) < 2:
            continue
        lo, hi = rs[0], rs[-1]
        g = {"analysis": what, "from_events": lo["events"], "to_events": hi["events"],
             "data_x": round(hi["events"] / lo["events"], 2)}
        for impl in ("baseline", "kpgrowth"):
            a, z = lo[impl].get("best_s"), hi[impl].get("best_s")
            g[f"{impl}_x"] = round(z / a, 2) if a and z else None
            g[f"{impl}_exponent"] = (round(math.log(z / a) / math.log(g["data_x"]), 2)
                                     if a and z and g["data_x"] > 1 else None)
        growth.append(g)
    if growth:
        print("\nGrowth (DuckDB, time at the largest size / time at the smallest; "
              "linear = data x):")
        for g in growth:
            print(f"- {g['analysis']}: {label(g['from_events'])} -> {label(g['to_events'])} events "
                  f"(x{g['data_x']}): kpgrowth x{cell(g['kpgrowth_x'])} "
                  f"(time ~ n^{cell(g['kpgrowth_exponent'])}), baseline x{cell(g['baseline_x'])}")
    checks = []
    for what in ANALYSES:
        rs = [r for r in rows if r["analysis"] == what and "summary" in r["kpgrowth"]]
        if len(rs) < 2:
            continue
        ref = min(rs, key=lambda r: r["copies"])
        for r in rs:
            s, s0 = r["kpgrowth"]["summary"], ref["kpgrowth"]["summary"]
            f = r["copies"] // ref["copies"]
            ok = (s["counts"] == [c * f for c in s0["counts"]] if what == "funnel"
                  else s["cohort_users"] == f * s0["cohort_users"] and s["rates"] == s0["rates"])
            checks.append(ok)
    if checks:
        print(f"\nScaling check (funnel counts = copies x base counts, retention rates equal, "
              f"on every engine): {'ok' if all(checks) else 'MISMATCH'}")
    return growth


def code_version() -> dict:
    """The commit of the checkout and the source files changed since (read-only git calls)."""
    def git(*a: str) -> str:
        proc = subprocess.run(["git", *a], cwd=HERE.parent, capture_output=True, text=True,
                              check=False)
        return proc.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "changed": git("status", "--porcelain", "--", "src").splitlines()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--sizes", default="10M,100M", help="DuckDB dataset sizes in events")
    ap.add_argument("--spark-size", default="10M", help="Spark dataset size in events")
    ap.add_argument("--skip-spark", action="store_true", help="DuckDB only")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 1M events (18k users), DuckDB and Spark, one run each")
    ap.add_argument("--base-users", type=int, default=165_000,
                    help="people in the simulated base business (165k x 90 days ~ 10M events)")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    ap.add_argument("--memory-limit", default="8GB",
                    help="DuckDB memory limit, baseline and kpgrowth alike ('' = DuckDB's default)")
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--driver-memory", default="8g", help="Spark driver memory")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds per run; a measurement is stopped after repeat x this + 600 s")
    ap.add_argument("--cache", type=Path, default=CACHE,
                    help="folder for the base workspace and the datasets (reused)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "analytics.json")
    ap.add_argument("--prepare-only", action="store_true",
                    help="simulate and build the cached datasets, then stop")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if args.quick:
        args.sizes, args.spark_size, args.base_users, args.repeat = "1M", "1M", 18_000, 1
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    spark_size = None if args.skip_spark or not args.spark_size else parse_size(args.spark_size)
    args.cache.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    code = code_version()
    print(f"kpgrowth at {code['commit']}"
          + (f", {len(code['changed'])} changed source files" if code["changed"] else ""))
    common = {"cache": str(args.cache), "memory_limit": args.memory_limit}
    # data preparation runs in child processes too, so this process stays small
    base = in_child({**common, "task": "base", "users": args.base_users, "days": args.days,
                     "seed": args.seed}, indent="")
    if "error" in base:
        return 1

    def copies(size: int) -> int:
        return max(1, round(size / base["events"]))

    def prepare(n: int) -> dict:
        data = in_child({**common, "task": "data", "base": base, "copies": n}, indent="")
        if "error" in data:
            raise SystemExit(1)
        return data

    datasets = [prepare(n) for n in sorted({copies(s) for s in sizes})]
    spark_data = prepare(copies(spark_size)) if spark_size else None
    spark_root = ""
    if spark_data:
        got = in_child({"task": "spark_data", "data": spark_data}, indent="")
        if "error" in got:
            return 1
        spark_root = got["root"]
    if args.prepare_only:
        print("data ready (--prepare-only)")
        return 0
    rows: list[dict] = []
    for data in datasets:
        print(f"duckdb, {data['events']:,} events:", flush=True)
        rows += bench("duckdb", data, args)
    if spark_data:
        print(f"spark, {spark_data['events']:,} events:", flush=True)
        rows += bench("spark", spark_data, args, spark_root)
    growth = report(rows, base, args)
    end = code_version()
    if end != code:
        print(f"\nWARNING: the source changed during the run ({code['commit']} -> "
              f"{end['commit']}, changed: {end['changed']}); measurements may mix versions.")
    print("\nTimes are wall-clock on a shared machine: compare ratios within this run, "
          "not absolute seconds across runs.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "benchmark": "analytics", "goal_ratio": 3, "repeat": args.repeat,
        "memory_limit": args.memory_limit, "spark": {"master": args.spark_master,
                                                     "driver_memory": args.driver_memory},
        "base": base, "baseline_sql": BASELINE_SQL, "steps": STEPS, "periods": PERIODS,
        "results": rows, "growth": growth, "wall_s": round(time.perf_counter() - t_start, 1),
        "code": {"start": code, "end": end},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()}}, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 1 if any("error" in r["baseline"] or "error" in r["kpgrowth"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
