"""A small simulated workspace shared by the simulator tests (built once per session)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpgrowth.workspace import Workspace

KEY = "11" * 32
SMALL = {"users": 3000, "days": 45, "seed": 7}


def build(root, **kw) -> tuple[Workspace, object]:
    """A fresh workspace at ``root`` filled by the simulator (fixed pseudonymization key)."""
    from kpgrowth.simulate import simulate

    ws = Workspace.init(root)
    return ws, simulate(ws, **kw)


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    """(workspace, result) of one small simulation, with a fixed pseudonymization key."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPGROWTH_PSEUDONYM_KEY", KEY)
        ws, res = build(tmp_path_factory.mktemp("sim") / "shop", **SMALL)
        yield ws, res
        ws.close()


@pytest.fixture(scope="session")
def frames(sim):
    """Lazy dict-like access to tables of the shared simulation as pandas DataFrames."""
    ws, _ = sim
    cache: dict[str, pd.DataFrame] = {}

    class Frames:
        def __getitem__(self, name: str) -> pd.DataFrame:
            if name not in cache:
                cache[name] = ws.store.to_pyarrow(name).to_pandas()
            return cache[name]

    return Frames()
