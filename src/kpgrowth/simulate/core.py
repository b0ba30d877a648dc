"""``simulate``: build a complete synthetic knowledge business and its ground truth in a workspace.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "shop")
>>> res = simulate(ws, users=300, days=3, seed=1)
>>> res.counts["users"], res.counts["events"] > 0
(300, True)
>>> simulate(ws, users=300, days=3)
Traceback (most recent call last):
...
kpgrowth.errors.WorkspaceError: the workspace already has data in users, identities, products, posts, post_metrics, events, orders, comments, edges, communities, memberships, campaigns, spend (pass overwrite=True, or `kpgrowth demo --force`, to replace it)
>>> ws.close()
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from kpgrowth.errors import InputError, WorkspaceError
from kpgrowth.schema import TABLES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from kpgrowth.workspace import Workspace

CANONICAL: tuple[str, ...] = tuple(n for n in TABLES if n != "quarantine")
"""The canonical tables the simulator fills."""


@dataclass
class SimulationResult:
    """What :func:`simulate` wrote.

    Attributes
    ----------
    counts : dict
        Rows written per table (canonical and ``truth_*``).
    elapsed : float
        Wall time in seconds, including writing to the store.
    events_per_second : float
        Events written per second of wall time.
    seed : int
        The seed.
    params : dict
        The parameters (users, days, start, time zone…).
    daily : list of dict
        Events per local day and type (``date``, ``type``, ``events``).
    """

    counts: dict[str, int]
    elapsed: float
    events_per_second: float
    seed: int
    params: dict[str, Any]
    daily: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (``elapsed_seconds`` rounds ``elapsed``)."""
        d = asdict(self)
        d["elapsed_seconds"] = round(self.elapsed, 2)
        d["events_per_second"] = round(self.events_per_second)
        return d

    def to_frame(self) -> pd.DataFrame:
        """Rows per table as a DataFrame (``table``, ``rows``, ``kind``)."""
        import pandas as pd

        return pd.DataFrame([{"table": k, "rows": v, "kind": "truth" if k.startswith("truth_") else "canonical"}
                             for k, v in self.counts.items()])

    def figure(self) -> Any:
        """A Plotly figure of daily events by type (plotly is imported here)."""
        import pandas as pd
        import plotly.express as px

        df = pd.DataFrame(self.daily or [{"date": None, "type": None, "events": 0}])
        return px.area(df, x="date", y="events", color="type",
                       title=f"Simulated events per day (seed {self.seed}, {self.params['users']:,} users)")


def _check(users: int, days: int, seed: int, start: str) -> None:
    if not isinstance(users, (int, np.integer)) or isinstance(users, bool) or users < 10:
        raise InputError(f"The 'users' parameter of simulate must be an int >= 10. Got {users!r} instead.")
    if not isinstance(days, (int, np.integer)) or isinstance(days, bool) or not 1 <= days <= 3660:
        raise InputError(f"The 'days' parameter of simulate must be an int in 1..3660. Got {days!r} instead.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"The 'seed' parameter of simulate must be an int >= 0. Got {seed!r} instead.")
    try:
        date.fromisoformat(start)
    except (TypeError, ValueError):
        raise InputError(f"The 'start' parameter of simulate must be a date YYYY-MM-DD. Got {start!r} instead.") from None


def simulate(ws: Workspace, *, users: int = 20_000, days: int = 90, seed: int = 0,
             start: str = "2026-01-01", overwrite: bool = False, progress: bool = False) -> SimulationResult:
    """Simulate a knowledge business into ``ws``: every canonical table plus ``truth_*`` tables.

    Parameters
    ----------
    ws : Workspace
        The workspace to fill.
    users : int
        Number of people (including a few percent of bots).
    days : int
        Number of simulated local days.
    seed : int
        Random seed; the same seed (and pseudonymization key) gives identical tables.
    start : str
        First local day, ``YYYY-MM-DD`` (in the workspace time zone).
    overwrite : bool
        Replace existing data; without it a workspace with data is refused.
    progress : bool
        Print a progress line per simulated week to stderr.

    Returns
    -------
    SimulationResult

    Raises
    ------
    WorkspaceError
        If the canonical tables already hold rows and ``overwrite`` is false.
    InputError
        If a parameter is out of range.
    """
    _check(users, days, seed, start)
    from kpgrowth.simulate import build

    store = ws.store
    filled = [n for n in CANONICAL if store.has_table(n) and store.count(n) > 0]
    if filled and not overwrite:
        raise WorkspaceError(f"the workspace already has data in {', '.join(filled)}",
                             hint="pass overwrite=True, or `kpgrowth demo --force`, to replace it")
    t0 = time.perf_counter()
    say = (lambda msg: print(f"[simulate] {msg}", file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    counts: dict[str, int] = {}
    with store.batch() as batch:
        world = build.run(batch, ws, users=int(users), days=int(days), seed=int(seed), start=start,
                          counts=counts, say=say)
    elapsed = time.perf_counter() - t0
    daily = [{"date": str(world.clock.date(d)), "type": t, "events": k}
             for (d, t), k in sorted(world.sink.by_day_type.items())]
    params = {"users": int(users), "days": int(days), "seed": int(seed), "start": start,
              "timezone": ws.settings.timezone, "backend": ws.settings.backend}
    ev = counts.get("events", 0)
    say(f"done: {ev:,} events in {elapsed:.1f} s")
    return SimulationResult(counts, elapsed, ev / elapsed if elapsed > 0 else 0.0, int(seed), params, daily)
