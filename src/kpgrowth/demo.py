"""The demo: a workspace built from the simulator, summarized, with an HTML overview.

Examples
--------
>>> import tempfile, pathlib
>>> res = build_demo(pathlib.Path(tempfile.mkdtemp()) / "demo", users=300, days=14, seed=1)
>>> res.report.name, res.info.rows("orders") > 0
('overview.html', True)
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpgrowth.config import CONFIG_FILE
from kpgrowth.errors import WorkspaceError
from kpgrowth.result import Result


@dataclass
class DemoResult(Result):
    """What ``kpgrowth demo`` built: the workspace, its summary and the report path."""

    root: Path
    simulation: Any
    info: Any
    overview: Any
    report: Path
    seconds: float

    def to_frame(self) -> Any:
        return self.info.to_frame()

    def to_dict(self) -> dict[str, Any]:
        return {"root": str(self.root), "report": str(self.report), "seconds": self.seconds,
                "simulation": self.simulation.to_dict(), "info": self.info.to_dict(),
                "kpis": self.overview.kpis}

    def figure(self) -> Any:
        return self.overview.figure()


def build_demo(root: str | Path, *, users: int = 20_000, days: int = 90, seed: int = 42,
               force: bool = False, lang: str | None = None, progress: bool = False) -> DemoResult:
    """Create a workspace at ``root``, fill it from the simulator, write ``reports/overview.html``.

    Parameters
    ----------
    root : path
        Folder for the demo workspace.
    users, days, seed : int
        Simulator size and seed.
    force : bool
        Replace ``root`` if it already is a kpgrowth workspace (never deletes other folders).
    lang : {"zh", "en"}, optional
        Report language (default: the workspace locale, ``zh``).
    """
    from kpgrowth.analytics.overview import overview
    from kpgrowth.info import workspace_info
    from kpgrowth.report.overview import write_overview
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    t0 = time.perf_counter()
    root = Path(root)
    if root.exists():
        if not force:
            raise WorkspaceError(f"{root} already exists", hint="pass --force to rebuild the demo")
        if not (root / CONFIG_FILE).exists() and any(root.iterdir()):
            raise WorkspaceError(f"{root} is not a kpgrowth workspace; refusing to delete it",
                                 hint="choose another folder for the demo")
        shutil.rmtree(root)
    with Workspace.init(root) as ws:
        sim = simulate(ws, users=users, days=days, seed=seed, progress=progress)
        info = workspace_info(ws)
        ov = overview(ws)
        report = write_overview(ws, ws.reports_dir / "overview.html", lang=lang)
    return DemoResult(root, sim, info, ov, report, round(time.perf_counter() - t0, 2))
