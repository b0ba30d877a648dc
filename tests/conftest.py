"""Shared fixtures: workspaces, and the Spark gate (skip with a reason; required when CI=true)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kpgrowth.workspace import Workspace

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def spark_unavailable() -> str | None:
    """Why Spark tests cannot run here, or None when they can."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (Spark needs a JVM): apt-get install openjdk-17-jre-headless"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'kpgrowth[spark]'"
    return None


@pytest.fixture(scope="session")
def spark_ok() -> None:
    """Skip (with the reason printed) when Spark cannot run; fail instead under CI=true."""
    reason = spark_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but Spark tests cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    """A fresh DuckDB workspace in a temporary folder."""
    w = Workspace.init(tmp_path / "ws")
    yield w
    w.close()


CHROMIUM = "/usr/bin/chromium"


def browser_unavailable() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed: apt-get install chromium fonts-wqy-zenhei"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install 'kpgrowth[browser-tests]'"
    return None


@pytest.fixture(scope="session")
def browser_ok() -> None:
    """Skip (with the reason printed) when Chromium cannot run; fail instead under CI=true."""
    reason = browser_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but browser tests cannot run: {reason}")
        pytest.skip(reason)


def run_cli(argv: list[str]) -> int:
    """Run the ``kpgrowth`` CLI in-process and return its exit status."""
    from kpgrowth.cli import main

    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
