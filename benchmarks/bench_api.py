"""Benchmark: REST API throughput and latency of ``GET /v1/workspace`` (cached) vs ``/v1/health``.

Starts ``kpgrowth serve`` (uvicorn, one process, bound to 127.0.0.1 on a free
port) over a demo workspace (simulated, 20k users x 90 days, in a temporary
folder; or ``--workspace DIR``), creates a viewer key, then runs a load
generator on 127.0.0.1: ``--connections`` asyncio workers, each with one
keep-alive HTTP/1.1 connection, stopping after ``--requests`` requests or
``--seconds`` seconds, whichever comes first. ``/v1/health`` (no auth, no store)
is the baseline of the same run. Goal: >= 500 req/s and p99 <= 100 ms for
``/v1/workspace`` on 2 cores (workspace info is computed once and served from
the cache until the store changes). Prints a table and writes
``benchmarks/results/api.json``.

Usage::

    python benchmarks/bench_api.py --connections 16 --requests 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).parent / "results" / "api.json"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare(workspace: Path | None, users: int, days: int, tmp: Path) -> tuple[Path, str, float]:
    """The workspace to serve (simulated unless given), a viewer key, seconds spent building."""
    from kpgrowth.keys import create_key
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    t0 = time.perf_counter()
    if workspace is None:
        workspace = tmp / "ws"
        with Workspace.init(workspace) as ws:
            simulate(ws, users=users, days=days, seed=42)
    key = create_key(workspace, "viewer", name="bench_api").key
    return workspace, key, time.perf_counter() - t0


def start_server(root: Path, port: int, access_log: bool) -> subprocess.Popen:
    """``kpgrowth serve`` in a child process; returns once /v1/health answers (<= 60 s)."""
    cmd = [sys.executable, "-m", "kpgrowth", "serve", str(root), "--host", HOST,
           "--port", str(port), "--access-log" if access_log else "--no-access-log"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with status {proc.returncode}: {' '.join(cmd)}")
        try:
            if httpx.get(f"http://{HOST}:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("server did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server we started (SIGTERM, then SIGKILL after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


async def load(port: int, path: str, headers: dict[str, str], connections: int, requests: int,
               seconds: float) -> dict[str, Any]:
    """Send up to ``requests`` GETs over ``connections`` keep-alive connections, <= ``seconds``.

    A minimal HTTP/1.1 client on asyncio streams (fixed-length responses only):
    httpx's pool costs ~3 ms of client CPU per request, so with it the load
    generator, not the server, would be measured.
    """
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    raw = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{head}\r\n".encode()
    latencies: list[float] = []
    errors = started = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def worker() -> None:
        nonlocal errors, started
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while started < requests and time.perf_counter() < deadline:
                started += 1
                t = time.perf_counter()
                writer.write(raw)
                status, length = await _response_head(reader)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t)
                errors += status != 200
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(connections))),
                           timeout=seconds + 30)
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {"requests": len(latencies), "errors": errors, "seconds": round(wall, 3),
            "req_per_s": round(len(latencies) / wall, 1), "p50_ms": round(pct(0.50), 2),
            "p90_ms": round(pct(0.90), 2), "p99_ms": round(pct(0.99), 2),
            "max_ms": round(1000 * latencies[-1], 2)}


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Status code and Content-Length of the next response."""
    lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
    status = int(lines[0].split()[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value)
    raise RuntimeError("response without Content-Length")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, help="serve this workspace instead of a new demo")
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--requests", type=int, default=5_000, help="per route")
    ap.add_argument("--seconds", type=float, default=30.0, help="per route, at most")
    ap.add_argument("--access-log", action="store_true", help="let uvicorn log every request")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kpgrowth-bench-api-"))
    try:
        root, key, built = prepare(args.workspace, args.users, args.days, tmp)
        port = free_port()
        proc = start_server(root, port, args.access_log)
        try:
            base = f"http://{HOST}:{port}"
            auth = {"Authorization": f"Bearer {key}"}
            rows = []
            for route in ("/v1/health", "/v1/workspace"):
                first = time.perf_counter()
                assert httpx.get(base + route, headers=auth, timeout=60).status_code == 200
                first_ms = 1000 * (time.perf_counter() - first)  # /v1/workspace: fills the cache
                asyncio.run(load(port, route, auth, args.connections, 200, 10))  # warm-up
                res = asyncio.run(load(port, route, auth, args.connections, args.requests,
                                       args.seconds))
                rows.append({"route": route, "first_request_ms": round(first_ms, 1), **res})
        finally:
            stop_server(proc)
    finally:
        if args.workspace is not None:
            from kpgrowth.keys import revoke_key

            revoke_key(args.workspace, key.split("_")[1])
        shutil.rmtree(tmp, ignore_errors=True)

    head = f"{'route':<16}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>8}{'p90 ms':>8}" \
           f"{'p99 ms':>8}{'first ms':>10}"
    print(f"\nkpgrowth serve on {HOST}, {args.connections} connections, "
          f"workspace {'given' if args.workspace else f'{args.users} users x {args.days} days'}")
    print(head)
    for r in rows:
        print(f"{r['route']:<16}{r['requests']:>9}{r['errors']:>7}{r['req_per_s']:>9.0f}"
              f"{r['p50_ms']:>8.1f}{r['p90_ms']:>8.1f}{r['p99_ms']:>8.1f}"
              f"{r['first_request_ms']:>10.1f}")
    info = next(r for r in rows if r["route"] == "/v1/workspace")
    goal = info["req_per_s"] >= 500 and info["p99_ms"] <= 100 and not info["errors"]
    print(f"goal (>= 500 req/s, p99 <= 100 ms on /v1/workspace): {'met' if goal else 'NOT met'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "benchmark": "api", "connections": args.connections, "access_log": args.access_log,
        "workspace": str(args.workspace) if args.workspace else
        {"users": args.users, "days": args.days, "seed": 42, "build_seconds": round(built, 1)},
        "results": rows, "goal_met": goal,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()}}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
