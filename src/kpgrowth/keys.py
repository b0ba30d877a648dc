"""API keys for the REST API and the dashboard: created once, stored hashed, revocable.

Keys live in ``.secret/api_keys.json`` (mode 0600) next to the pseudonymization
key, not in the store, so the CLI can manage them while a server holds the
store open. A key looks like ``kp_<id>_<secret>``; only ``sha256(secret)`` is
kept, so a key is shown exactly once, when it is created.

Roles are ordered: ``viewer`` reads, ``analyst`` also runs analyses and
ingests, ``admin`` also manages keys and erasure.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> created = create_key(root, "analyst", name="ci")
>>> created.key.startswith("kp_"), created.role
(True, 'analyst')
>>> verify_key(root, created.key).role
'analyst'
>>> allows("analyst", "viewer"), allows("viewer", "analyst")
(True, False)
>>> revoke_key(root, created.key_id).revoked
True
>>> verify_key(root, created.key) is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from kpgrowth.errors import InputError

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
KEYS_FILE = ".secret/api_keys.json"


@dataclass(frozen=True)
class KeyInfo:
    """A stored key's public facts (never the secret)."""

    key_id: str
    role: str
    name: str
    created_at: str
    revoked: bool = False
    revoked_at: str | None = None


@dataclass(frozen=True)
class CreatedKey(KeyInfo):
    """A newly created key, with the one-time ``key`` to hand to its user."""

    key: str = ""


def allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (admin ⊇ analyst ⊇ viewer)."""
    return ROLES.index(role) >= ROLES.index(needed)


def _path(root: Path) -> Path:
    return Path(root) / KEYS_FILE


def _load(root: Path) -> dict[str, dict]:
    path = _path(root)
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _save(root: Path, data: dict[str, dict]) -> None:
    path = _path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".api_keys.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)  # atomic: readers see the old or the new file


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def create_key(root: str | Path, role: str, *, name: str = "") -> CreatedKey:
    """Create a key with ``role`` in the workspace at ``root``; the secret is returned once."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    data = _load(Path(root))
    key_id = secrets.token_hex(4)
    while key_id in data:  # pragma: no cover - 2**32 ids
        key_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    info = KeyInfo(key_id, role, name, _now())
    data[key_id] = {**asdict(info), "sha256": _digest(secret)}
    _save(Path(root), data)
    return CreatedKey(**asdict(info), key=f"kp_{key_id}_{secret}")


def list_keys(root: str | Path) -> list[KeyInfo]:
    """Every key of the workspace (revoked ones included), oldest first."""
    rows = sorted(_load(Path(root)).values(), key=lambda r: r["created_at"])
    return [KeyInfo(**{k: v for k, v in r.items() if k != "sha256"}) for r in rows]


def revoke_key(root: str | Path, key_id: str) -> KeyInfo:
    """Revoke key ``key_id`` (it stops working at once)."""
    data = _load(Path(root))
    if key_id not in data:
        raise InputError(f"no API key with id {key_id!r}", hint="see `kpgrowth keys list DIR`")
    data[key_id].update(revoked=True, revoked_at=_now())
    _save(Path(root), data)
    row = data[key_id]
    return KeyInfo(**{k: v for k, v in row.items() if k != "sha256"})


def verify_key(root: str | Path, key: str) -> KeyInfo | None:
    """The key's info if ``key`` is valid and not revoked, else None."""
    parts = key.split("_", 2) if key else []
    if len(parts) != 3 or parts[0] != "kp":
        return None
    row = _load(Path(root)).get(parts[1])
    if not row or row.get("revoked"):
        return None
    if not hmac.compare_digest(row["sha256"], _digest(parts[2])):
        return None
    return KeyInfo(**{k: v for k, v in row.items() if k != "sha256"})
