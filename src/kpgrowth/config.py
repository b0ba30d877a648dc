"""Workspace settings: one declarative registry feeding the toml file, the CLI and the docs.

Examples
--------
>>> from kpgrowth.config import SETTINGS, Settings
>>> s = Settings.defaults()
>>> s.backend, s.timezone, s.currency
('duckdb://warehouse.duckdb', 'Asia/Shanghai', 'CNY')
>>> Settings.from_dict({"currency": "usd"}).currency
Traceback (most recent call last):
...
kpgrowth.errors.ConfigError: setting 'currency' value 'usd': must be a 3-letter upper-case ISO 4217 code (e.g. CNY)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kpgrowth.errors import ConfigError

CONFIG_FILE = "kpgrowth.toml"
KEY_ENV = "KPGROWTH_PSEUDONYM_KEY"


@dataclass(frozen=True)
class Setting:
    """One setting: name, default, help and a check returning an error message or None."""

    name: str
    default: str
    help: str
    check: Callable[[str], str | None] = lambda v: None


def _check_tz(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "must be an IANA time zone such as Asia/Shanghai or UTC"
    return None


def _check_backend(value: str) -> str | None:
    if "://" not in value:
        return "must be a URL such as duckdb://warehouse.duckdb or pyspark://local[2]"
    return None


SETTINGS: tuple[Setting, ...] = (
    Setting("backend", "duckdb://warehouse.duckdb",
            "Store URL: duckdb://FILE (relative to the workspace), pyspark://MASTER, "
            "or any Ibis backend URL.", _check_backend),
    Setting("timezone", "Asia/Shanghai",
            "Time zone of naive timestamps in your exports; stored times are UTC.", _check_tz),
    Setting("currency", "CNY", "Default currency (ISO 4217) when an export has none.",
            lambda v: None if re.fullmatch(r"[A-Z]{3}", v)
            else "must be a 3-letter upper-case ISO 4217 code (e.g. CNY)"),
    Setting("locale", "zh", "Language of reports and the dashboard: zh or en.",
            lambda v: None if v in ("zh", "en") else "must be zh or en"),
    Setting("key_file", ".secret/pseudonym.key",
            f"File with the pseudonymization key (mode 0600), relative to the workspace; "
            f"the environment variable {KEY_ENV} overrides it. Never put the key in this toml."),
    Setting("memory_limit", "", "DuckDB memory limit, e.g. 4GB (empty: DuckDB's default)."),
)


@dataclass(frozen=True)
class Settings:
    """The settings of one workspace (see :data:`SETTINGS` for meanings)."""

    backend: str
    timezone: str
    currency: str
    locale: str
    key_file: str
    memory_limit: str

    @classmethod
    def defaults(cls) -> Settings:
        """Settings with every default."""
        return cls(**{s.name: s.default for s in SETTINGS})

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "settings") -> Settings:
        """Validate ``data`` over the defaults; unknown names and bad values raise ConfigError."""
        known = {s.name: s for s in SETTINGS}
        values = {s.name: s.default for s in SETTINGS}
        for name, value in data.items():
            if name not in known:
                import difflib

                close = difflib.get_close_matches(name, known, n=1)
                raise ConfigError(f"{source}: unknown setting {name!r}",
                                  hint=f"did you mean {close[0]!r}?" if close
                                  else f"settings are: {', '.join(known)}")
            if "key" in name and name != "key_file":
                raise ConfigError(f"{source}: secrets do not belong in {CONFIG_FILE}")
            problem = known[name].check(str(value))
            if problem:
                raise _bad(name, value, problem)
            values[name] = str(value)
        return cls(**values)

    @classmethod
    def read(cls, root: Path) -> Settings:
        """Read ``kpgrowth.toml`` in ``root``."""
        path = Path(root) / CONFIG_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            from kpgrowth.errors import WorkspaceError

            raise WorkspaceError(f"{root} is not a kpgrowth workspace (no {CONFIG_FILE})",
                                 hint=f"create one with: kpgrowth init {root}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}", file=str(path)) from None
        return cls.from_dict(data.get("workspace", data), source=str(path))

    def write(self, root: Path) -> Path:
        """Write the settings as ``kpgrowth.toml`` in ``root`` with a comment per setting."""
        lines = ["# kpgrowth workspace settings (see `kpgrowth init --help`)", "[workspace]"]
        helps = {s.name: s.help for s in SETTINGS}
        for f in fields(self):
            lines.append(f"# {helps[f.name]}")
            lines.append(f"{f.name} = {_toml_str(getattr(self, f.name))}")
        path = Path(root) / CONFIG_FILE
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def to_dict(self) -> dict[str, str]:
        """The settings as a plain dict."""
        return asdict(self)


def _bad(name: str, value: Any, problem: str) -> ConfigError:
    err = ConfigError(problem)
    err.message = f"setting {name!r} value {value!r}: {problem}"
    return err


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
