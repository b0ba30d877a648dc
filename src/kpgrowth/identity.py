"""Pseudonymous user keys: keyed HMAC of external ids, with cross-platform links.

Raw external ids live only in the ``identities`` table; every other table uses
``user_key``. The key is a secret kept outside ``kpgrowth.toml``: in the file
named by the ``key_file`` setting (created with mode 0600 by ``kpgrowth init``)
or in the environment variable ``KPGROWTH_PSEUDONYM_KEY`` (hex), which wins.

A person seen on several platforms is one ``user_key`` when their rows carry
the same *link* value (e.g. a WeChat unionid or a phone number): the key is
then derived from the link, not from the per-platform id.

Examples
--------
>>> key = bytes(32)
>>> user_key(key, "douyin", "12345")
'u_3b205eb6cc075dd52926e0693fb049ed'
>>> user_key(key, "douyin", "12345") == user_key(key, "weibo", "12345")
False
>>> a = user_key(key, "wechat", "o6_bmjrPTl", link=("wechat_unionid", "uX1"))
>>> b = user_key(key, "xiaoe", "u_778", link=("wechat_unionid", "uX1"))
>>> a == b
True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kpgrowth.config import KEY_ENV
from kpgrowth.errors import ConfigError

KEY_BYTES = 32


def _digest(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def user_key(key: bytes, platform: str, external_id: str,
             link: tuple[str, str] | None = None) -> str:
    """The pseudonymous ``user_key`` of an external id (or of its link value, if given)."""
    if link is not None and link[1]:
        return "u_" + _digest(key, f"link\x1f{link[0]}\x1f{link[1]}")
    return "u_" + _digest(key, f"id\x1f{platform}\x1f{external_id}")


def link_hash(key: bytes, kind: str, value: str) -> str:
    """Keyed hash of a link value (raw link values such as phone numbers are never stored)."""
    return _digest(key, f"linkhash\x1f{kind}\x1f{value}")


def create_key_file(path: Path) -> Path:
    """Write a new random key to ``path`` with mode 0600 (refuses to overwrite)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


def load_key(path: Path) -> bytes:
    """Load the pseudonymization key: ``$KPGROWTH_PSEUDONYM_KEY`` or the key file.

    Raises
    ------
    ConfigError
        When neither is available, the value is not 64 hex digits, or the file is
        readable by others.
    """
    text = os.environ.get(KEY_ENV)
    source = f"${KEY_ENV}"
    if not text:
        if not path.exists():
            raise ConfigError(f"no pseudonymization key: {path} does not exist and ${KEY_ENV} is unset",
                              hint=f"restore the key file, or set {KEY_ENV}; a new key would "
                                   "give every user a different user_key")
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"key file {path} is readable by other users",
                              hint=f"run: chmod 600 {path}")
        text, source = path.read_text().strip(), str(path)
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError(f"pseudonymization key in {source} must be at least 32 hex digits",
                          hint="generate one with: python -c 'import secrets;print(secrets.token_hex(32))'")
    return key
