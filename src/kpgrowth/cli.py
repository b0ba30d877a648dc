"""The ``kpgrowth`` command line: thin commands over library functions.

Each command opens the workspace, calls one public function and renders its
Result with rich. A :class:`~kpgrowth.errors.KpgrowthError` becomes one line on
stderr and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from kpgrowth.errors import KpgrowthError

app = typer.Typer(
    name="kpgrowth",
    help="Growth engine for sellers of knowledge products (知识付费). "
         "Start with `kpgrowth demo demo/` or `kpgrowth init shop/`.",
    no_args_is_help=True, add_completion=False, rich_markup_mode="markdown")
quarantine_app = typer.Typer(help="Rejected input rows: list them or export them for fixing.",
                             no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")
keys_app = typer.Typer(help="API keys for the REST API and the dashboard: create, list, revoke.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")

out = Console()
err = Console(stderr=True)

DirArg = Annotated[Path, typer.Argument(help="Workspace folder.")]


def _open(root: Path) -> Any:
    from kpgrowth.workspace import Workspace

    return Workspace.open(root)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> RichTable:
    t = RichTable(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c in ("rows", "landed", "duplicates", "quarantined",
                                                  "read", "count", "value") else "left")
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    return t


@app.command()
def init(
    root: DirArg,
    timezone: Annotated[Optional[str], typer.Option(help="Time zone of naive timestamps in your exports.")] = None,
    currency: Annotated[Optional[str], typer.Option(help="Default currency (ISO 4217).")] = None,
    locale: Annotated[Optional[str], typer.Option(help="zh or en.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="Store URL, e.g. pyspark://local[2].")] = None,
) -> None:
    """Create a workspace: `kpgrowth.toml`, the store and a secret pseudonymization key.

    Example: `kpgrowth init shop/ --timezone Asia/Shanghai --currency CNY`
    """
    from kpgrowth.workspace import Workspace

    with Workspace.init(root, timezone=timezone, currency=currency, locale=locale,
                        backend=backend) as ws:
        out.print(f"created workspace [bold]{ws.root}[/] ({ws.settings.backend}); "
                  f"key file {ws.settings.key_file} (mode 0600 — back it up, keep it out of git)")


@app.command()
def ingest(
    root: DirArg,
    table: Annotated[str, typer.Argument(help="Target table, e.g. orders, events, post_metrics.")],
    files: Annotated[list[Path], typer.Argument(help="CSV/TSV, .xlsx, Parquet or JSON Lines files.")],
    mapping: Annotated[Optional[str], typer.Option(
        "--mapping", "-m", help="Built-in mapping name (see `kpgrowth mappings`) or a YAML file.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Validate files and append their good rows; bad rows go to quarantine.

    Re-ingesting a file lands nothing twice; each file lands completely or not at all.

    Example: `kpgrowth ingest shop/ orders xiaoe_orders.csv --mapping xiaoe_orders`
    """
    from kpgrowth.ingest import ingest as run

    with _open(root) as ws:
        res = run(ws, table, files, mapping=mapping, progress=progress)
    _print_ingest(res)


def _print_ingest(res: Any) -> None:
    d = res.to_dict()
    rows = [[f.get("file"), f.get("encoding") or "", f.get("rows_read"), f.get("landed"),
             f.get("duplicates"), f.get("quarantined"),
             "already ingested" if f.get("skipped_as_already_ingested") else ""]
            for f in d.get("files", [])]
    out.print(_table(f"ingest into {d.get('table')}",
                     ["file", "encoding", "read", "landed", "duplicates", "quarantined", "note"],
                     rows))
    out.print(f"read {d.get('rows_read', 0)} · landed {d.get('landed', 0)} · "
              f"duplicate {d.get('duplicates', 0)} · quarantined {d.get('quarantined', 0)}")
    reasons = d.get("top_reasons") or []
    if reasons:
        out.print(_table("top quarantine reasons", ["reason", "count", "example"],
                         [[r.get("reason"), r.get("count"), r.get("example")] for r in reasons]))
        out.print("see them with: kpgrowth quarantine list DIR")


@app.command()
def simulate(
    root: DirArg,
    users: Annotated[int, typer.Option(min=10, help="Number of users.")] = 20_000,
    days: Annotated[int, typer.Option(min=1, help="Number of days.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same business).")] = 0,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = "2026-01-01",
    overwrite: Annotated[bool, typer.Option(help="Replace data already in the workspace.")] = False,
) -> None:
    """Write a simulated knowledge business and its ground truth (`truth_*` tables).

    Example: `kpgrowth simulate shop/ --users 20000 --days 90 --seed 7`
    """
    from kpgrowth.simulate import simulate as run

    with _open(root) as ws:
        res = run(ws, users=users, days=days, seed=seed, start=start, overwrite=overwrite,
                  progress=True)
    d = res.to_dict()
    counts = d.get("counts", {})
    out.print(_table("simulated", ["table", "rows"], [[k, v] for k, v in counts.items()]))
    out.print(f"{d.get('elapsed_seconds', d.get('seconds', '?'))} s, "
              f"{d.get('events_per_second', '?')} events/s")


@app.command()
def info(
    root: DirArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Tables, row counts, date ranges and quarantine counts by reason.

    Example: `kpgrowth info shop/`
    """
    from kpgrowth.info import workspace_info

    with _open(root) as ws:
        res = workspace_info(ws)
    if as_json:
        out.print_json(json.dumps(res.to_dict(), ensure_ascii=False))
        return
    _print_info(res)


def _print_info(res: Any) -> None:
    stamp = lambda v: "" if v is None else str(v)[:16]  # noqa: E731
    out.print(_table(f"workspace {res.root} ({res.backend})", ["table", "rows", "first", "last"],
                     [[t["table"], f"{t['rows']:,}", stamp(t["first"]), stamp(t["last"])]
                      for t in res.tables]))
    if res.quarantine:
        out.print(_table("quarantine", ["table", "reason", "rows"],
                         [[q["table"], q["reason"], q["rows"]] for q in res.quarantine]))
    else:
        out.print("quarantine: empty")
    out.print(f"ingest batches: {res.batches}")


@app.command()
def demo(
    root: Annotated[Path, typer.Argument(help="Folder for the demo workspace.")] = Path("demo"),
    users: Annotated[int, typer.Option(min=10)] = 20_000,
    days: Annotated[int, typer.Option(min=1)] = 90,
    seed: Annotated[int, typer.Option()] = 42,
    force: Annotated[bool, typer.Option(help="Rebuild if the demo workspace exists.")] = False,
    lang: Annotated[Optional[str], typer.Option(help="Report language: zh or en.")] = None,
) -> None:
    """Build a demo workspace from the simulator, print a summary, write an HTML overview.

    Example: `kpgrowth demo demo/ --force --lang en`
    """
    from kpgrowth.demo import build_demo
    from kpgrowth.report.i18n import fmt_money

    res = build_demo(root, users=users, days=days, seed=seed, force=force, lang=lang,
                     progress=True)
    _print_info(res.info)
    k = res.overview.kpis
    out.print(_table("headline", ["metric", "value"], [
        ["users", f"{k['users']:,}"], ["active users", f"{k['active_users']:,}"],
        ["buyers", f"{k['buyers']:,}"], ["orders", f"{k['orders']:,}"],
        ["revenue", fmt_money(k["revenue"], res.overview.currency, "en")],
        ["net revenue", fmt_money(k["net_revenue"], res.overview.currency, "en")],
        ["conversion", f"{100 * k['conversion']:.1f}%"]]))
    out.print(f"demo built in {res.seconds:.1f} s → open [bold]{res.report}[/]")


@app.command()
def report(
    root: DirArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    lang: Annotated[Optional[str], typer.Option(help="zh or en (default: workspace locale).")] = None,
    start: Annotated[Optional[str], typer.Option(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[Optional[str], typer.Option(help="Last day, YYYY-MM-DD.")] = None,
) -> None:
    """Write a self-contained HTML overview (plotly.js inlined) to send to a colleague.

    Example: `kpgrowth report shop/ -o overview.html --lang zh`
    """
    from kpgrowth.report.overview import write_overview

    with _open(root) as ws:
        path = write_overview(ws, output, lang=lang, start=start, end=end)
    out.print(f"wrote {path}")


@app.command()
def mappings(
    name: Annotated[Optional[str], typer.Argument(help="Show one mapping in full.")] = None,
) -> None:
    """List the built-in mappings for platform exports, or describe one.

    Example: `kpgrowth mappings douyin_video`
    """
    from kpgrowth.ingest.mapping import list_builtin_mappings, load_mapping

    if name:
        out.print(load_mapping(name).describe())
        return
    out.print(_table("built-in mappings", ["name", "table"],
                     [[n, load_mapping(n).table] for n in list_builtin_mappings()]))


@quarantine_app.command("list")
def quarantine_list(
    root: DirArg,
    table: Annotated[Optional[str], typer.Option(help="Only rows rejected for this table.")] = None,
    batch: Annotated[Optional[str], typer.Option(help="Only this ingest batch.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """Show rejected rows with file, line, column, value and reason.

    Example: `kpgrowth quarantine list shop/ --table orders --limit 20`
    """
    from kpgrowth.ingest.quarantine import list_quarantine

    with _open(root) as ws:
        rows = list_quarantine(ws, table=table, batch_id=batch, limit=limit, offset=offset)
    out.print(_table("quarantine", ["table", "file", "line", "column", "value", "reason"],
                     [[r["table_name"], r["file"], r["line"], r["column_name"],
                       (r["value"] or "")[:40], r["reason"]] for r in rows.to_pylist()]))


@quarantine_app.command("export")
def quarantine_export(
    root: DirArg,
    output: Annotated[Path, typer.Argument(help="File to write: .csv (Excel-friendly), .jsonl or .parquet.")],
    table: Annotated[Optional[str], typer.Option(help="Only rows rejected for this table.")] = None,
    batch: Annotated[Optional[str], typer.Option(help="Only this ingest batch.")] = None,
) -> None:
    """Export rejected rows to fix them and ingest them again.

    Example: `kpgrowth quarantine export shop/ rejected.csv --table orders`
    """
    from kpgrowth.ingest.quarantine import export_quarantine

    with _open(root) as ws:
        n = export_quarantine(ws, output, table=table, batch_id=batch)
    out.print(f"wrote {n} rows to {output}")


@keys_app.command("create")
def keys_create(
    root: DirArg,
    role: Annotated[str, typer.Option(help="viewer (reads), analyst (also ingests and runs "
                                           "analyses) or admin (also manages keys).")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "",
) -> None:
    """Create an API key; it is printed once (only its hash is stored).

    Example: `kpgrowth keys create shop/ --role analyst --name etl`
    """
    from kpgrowth.keys import create_key

    _open(root)  # a workspace, not any folder
    k = create_key(root, role, name=name)
    err.print(f"created {k.role} key {k.key_id}; store it now, it is not shown again:")
    print(k.key)


@keys_app.command("list")
def keys_list(root: DirArg) -> None:
    """List API keys (ids, roles, names, revocation; never the secrets).

    Example: `kpgrowth keys list shop/`
    """
    from kpgrowth.keys import list_keys

    _open(root)
    out.print(_table("API keys", ["key_id", "role", "name", "created_at", "revoked_at"],
                     [[k.key_id, k.role, k.name, k.created_at, k.revoked_at or ""]
                      for k in list_keys(root)]))


@keys_app.command("revoke")
def keys_revoke(
    root: DirArg,
    key_id: Annotated[str, typer.Argument(help="The key's id, as `kpgrowth keys list` shows.")],
) -> None:
    """Revoke an API key: it and the dashboard sessions opened with it stop working at once.

    Example: `kpgrowth keys revoke shop/ 3f9a1c2e`
    """
    from kpgrowth.keys import revoke_key

    _open(root)
    k = revoke_key(root, key_id)
    out.print(f"revoked {k.role} key {k.key_id} at {k.revoked_at}")


@app.command()
def serve(
    root: DirArg,
    host: Annotated[str, typer.Option(help="Address to bind (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the REST API (`/v1`, OpenAPI at `/openapi.json`) and the dashboard with uvicorn.

    Example: `kpgrowth serve shop/ --port 8000`, then `curl -H "Authorization: Bearer $KEY"
    http://127.0.0.1:8000/v1/workspace`
    """
    import uvicorn

    from kpgrowth.api.app import create_app

    web_app = create_app(root)
    out.print(f"serving {root} on http://{host}:{port} (API docs: /docs; stop with Ctrl+C)")
    uvicorn.run(web_app, host=host, port=port, access_log=access_log, log_level="info")


def _json_data(data: str) -> Any:
    """``--data`` as JSON: the text itself, or the file named after ``@``."""
    from kpgrowth.errors import InputError

    source = data[1:] if data.startswith("@") else None
    try:
        text = Path(source).read_text(encoding="utf-8") if source else data
        return json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read --data file: {exc.strerror}", file=source) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"--data is not valid JSON: {exc}", file=source,
                         hint="pass a JSON document or @file.json") from None


@app.command("api")
def api_request(
    root: DirArg,
    method: Annotated[str, typer.Argument(help="GET, POST or DELETE.")],
    path: Annotated[str, typer.Argument(help="Path with query, e.g. /v1/tables/orders/rows?limit=5.")],
    data: Annotated[Optional[str], typer.Option(
        help="JSON body, or @file.json to read it from a file.")] = None,
    key: Annotated[Optional[str], typer.Option(
        envvar="KPGROWTH_API_KEY", help="API key (default: env KPGROWTH_API_KEY; without one "
                                        "the request runs as a local admin).")] = None,
) -> None:
    """Run one REST API request in-process (no server) and print the JSON body.

    Without `--key` the request runs as a local admin: this command opens the
    workspace folder itself, so whoever can run it can already read and write it.
    Exits 1 when the response status is 4xx or 5xx.

    Example: `kpgrowth api shop/ GET /v1/tables/orders/rows?limit=5`
    """
    from kpgrowth.api.client import call

    body = None if data is None else _json_data(data)
    status, payload = call(root, method, path, json_body=body, key=key)
    print(json.dumps(payload, ensure_ascii=False, indent=1))
    if status >= 400:
        sys.exit(1)


from kpgrowth import cli_analytics  # noqa: E402,F401  (registers the analytics commands)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; library errors become one line on stderr and exit status 2."""
    try:
        app(args=argv, standalone_mode=False)
    except KpgrowthError as exc:
        err.print(f"[red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # usage errors from typer's click layer
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Exit" and hasattr(exc, "exit_code"):
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
