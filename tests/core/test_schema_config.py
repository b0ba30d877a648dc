from __future__ import annotations

import os
import stat

import pytest

from kpgrowth.config import Settings
from kpgrowth.errors import ConfigError, InputError, KpgrowthError, SchemaError, WorkspaceError
from kpgrowth.identity import load_key, user_key
from kpgrowth.schema import EVENT_TYPES, INTERNAL, PLATFORMS, PRODUCT_KINDS, TABLES, get_table
from kpgrowth.workspace import Workspace

DESIGN_TABLES = {"users", "identities", "products", "posts", "events", "orders", "comments",
                 "edges", "communities", "memberships", "campaigns", "spend", "quarantine"}


def test_every_design_table_is_declared_with_key_columns():
    assert DESIGN_TABLES <= set(TABLES)
    for t in [*TABLES.values(), *INTERNAL.values()]:
        assert t.key and all(k in t.names for k in t.key), t.name
        assert t.doc, f"{t.name} is undocumented"
        for c in t.columns:
            assert c.name.isidentifier()


def test_enums_cover_the_issue():
    for p in ("wechat weibo douyin kuaishou xiaohongshu bilibili zhihu xiaoe tiktok instagram "
              "youtube linkedin x facebook other").split():
        assert p in PLATFORMS
    for e in ("impression view like comment share follow click trailer_view signup add_to_cart "
              "purchase refund lesson_start lesson_complete community_join community_leave "
              "community_message referral_invite").split():
        assert e in EVENT_TYPES
    assert {"course", "live", "ebook", "membership", "community", "bundle"} <= set(PRODUCT_KINDS)


def test_unknown_table_suggests_closest():
    with pytest.raises(SchemaError, match="did you mean 'events'"):
        get_table("event")


def test_errors_share_one_root_and_input_errors_are_value_errors():
    err = InputError("bad", file="a.csv", line=2, column="x", value="y")
    assert isinstance(err, KpgrowthError) and isinstance(err, ValueError)
    assert str(err) == "a.csv:2: column 'x' value 'y': bad"


def test_settings_reject_unknown_and_bad_values():
    with pytest.raises(ConfigError, match="did you mean 'timezone'"):
        Settings.from_dict({"timezon": "UTC"})
    with pytest.raises(ConfigError, match="IANA time zone"):
        Settings.from_dict({"timezone": "Mars/Olympus"})


def test_settings_round_trip_through_toml(tmp_path):
    s = Settings.from_dict({"timezone": "UTC", "currency": "USD", "locale": "en"})
    s.write(tmp_path)
    assert Settings.read(tmp_path) == s


def test_init_refuses_existing_and_non_empty(tmp_path):
    Workspace.init(tmp_path / "a").close()
    with pytest.raises(WorkspaceError, match="already"):
        Workspace.init(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("x")
    with pytest.raises(WorkspaceError, match="not empty"):
        Workspace.init(tmp_path / "b")
    with pytest.raises(WorkspaceError, match="kpgrowth init"):
        Workspace.open(tmp_path / "nope")


def test_key_lives_outside_toml_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("KPGROWTH_PSEUDONYM_KEY", raising=False)
    ws = Workspace.init(tmp_path / "w")
    key_file = ws.root / ws.settings.key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text().strip()
    assert key_hex not in (ws.root / "kpgrowth.toml").read_text()
    assert ws.pseudonym_key == bytes.fromhex(key_hex)
    os.chmod(key_file, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key(key_file)
    monkeypatch.setenv("KPGROWTH_PSEUDONYM_KEY", "ab" * 32)
    assert load_key(key_file) == bytes.fromhex("ab" * 32)


def test_user_key_is_keyed_and_links_platforms():
    k1, k2 = b"1" * 32, b"2" * 32
    assert user_key(k1, "douyin", "42") != user_key(k2, "douyin", "42")
    assert user_key(k1, "douyin", "42") != user_key(k1, "weibo", "42")
    link = ("wechat_unionid", "oU_1")
    assert user_key(k1, "wechat", "a", link=link) == user_key(k1, "xiaoe", "b", link=link)
    assert "42" not in user_key(k1, "douyin", "42")
