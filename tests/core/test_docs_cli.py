"""The README and the CLI stay in step with the schema and the commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpgrowth.cli import app, main
from kpgrowth.config import SETTINGS
from kpgrowth.schema import TABLES
from tests.conftest import run_cli as _run

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_quick_start_commands():
    head = README.split("## What kpgrowth is")[0]
    assert head.startswith("# kpgrowth\n\n## Quick start")
    assert "make demo" in head and "make test" in head


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_is_documented(table):
    assert f"| `{table}` |" in README


def test_every_setting_is_documented():
    for s in SETTINGS:
        assert f"`{s.name}`" in README, s.name


def _commands():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups
              for c in g.typer_instance.registered_commands]
    return names


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_readme_and_has_an_example(command, capsys):
    assert f"`kpgrowth {command}" in README
    assert _run([*command.split(), "--help"]) == 0
    assert "Example:" in capsys.readouterr().out


def test_library_errors_become_one_line_and_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kpgrowth", "info", str(tmp_path / "missing")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "does not exist" in proc.stderr and "kpgrowth init" in proc.stderr


def test_init_then_info(tmp_path, capsys):
    main(["init", str(tmp_path / "w"), "--timezone", "UTC"])
    main(["info", str(tmp_path / "w")])
    text = capsys.readouterr().out
    assert "orders" in text and "quarantine: empty" in text
    assert _run(["init", str(tmp_path / "w2"), "--timezone", "Nowhere/City"]) == 2
    assert _run(["info"]) == 2  # usage error: missing argument
