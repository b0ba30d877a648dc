"""A workspace: a folder with settings, a store, models, reports and quarantine.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> root = pathlib.Path(tempfile.mkdtemp()) / "shop"
>>> ws = Workspace.init(root)
>>> sorted(p.name for p in root.iterdir() if not p.name.endswith(".wal"))
['.secret', 'kpgrowth.toml', 'models', 'reports', 'warehouse.duckdb']
>>> ws.store.count("orders")
0
>>> ws.close()
>>> Workspace.open(root).settings.timezone
'Asia/Shanghai'
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpgrowth.config import CONFIG_FILE, Settings
from kpgrowth.errors import WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    import ibis

    from kpgrowth.store.base import Store


class Workspace:
    """An opened workspace folder.

    Use :meth:`init` to create one and :meth:`open` to open an existing one.

    Parameters
    ----------
    root : path
        The workspace folder.
    settings : Settings
        Its settings (read from ``kpgrowth.toml``).
    """

    def __init__(self, root: str | Path, settings: Settings) -> None:
        self.root = Path(root)
        self.settings = settings

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def init(cls, root: str | Path, *, exist_ok: bool = False, **settings: Any) -> Workspace:
        """Create a workspace in ``root`` (settings override the defaults) and open it.

        Raises
        ------
        WorkspaceError
            If ``root`` already holds a workspace and ``exist_ok`` is false, or is a
            non-empty folder that is not a workspace.
        """
        root = Path(root)
        if (root / CONFIG_FILE).exists():
            if exist_ok:
                return cls.open(root)
            raise WorkspaceError(f"{root} is already a kpgrowth workspace",
                                 hint="open it, or choose another folder")
        if root.exists() and any(root.iterdir()):
            raise WorkspaceError(f"{root} is not empty and not a workspace",
                                 hint="choose a new or empty folder")
        parsed = Settings.from_dict({k: v for k, v in settings.items() if v is not None})
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("models", "reports"):
            (root / sub).mkdir(exist_ok=True)
        from kpgrowth.identity import create_key_file

        key_path = root / parsed.key_file
        if not key_path.exists():
            create_key_file(key_path)
        parsed.write(root)
        ws = cls(root, parsed)
        _ = ws.store  # create the store and apply migrations now
        return ws

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open the existing workspace in ``root``."""
        root = Path(root)
        if not root.is_dir():
            raise WorkspaceError(f"workspace folder {root} does not exist",
                                 hint=f"create it with: kpgrowth init {root}")
        return cls(root, Settings.read(root))

    def close(self) -> None:
        """Close the store (the workspace can be reopened)."""
        if "store" in self.__dict__:
            self.__dict__.pop("store").close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -------------------------------------------------------------
    @cached_property
    def store(self) -> Store:
        """The workspace's store (opened on first use; migrations applied)."""
        from kpgrowth.store import connect

        return connect(self.settings.backend, self.root, memory_limit=self.settings.memory_limit)

    def table(self, name: str) -> ibis.Table:
        """The Ibis expression for table ``name``."""
        return self.store.table(name)

    @cached_property
    def pseudonym_key(self) -> bytes:
        """The secret key for :func:`kpgrowth.identity.user_key`."""
        from kpgrowth.identity import load_key

        return load_key(self.root / self.settings.key_file)

    @property
    def models_dir(self) -> Path:
        """Folder of fitted model artifacts."""
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        """Folder of written reports."""
        return self.root / "reports"

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r}, backend={self.settings.backend!r})"
