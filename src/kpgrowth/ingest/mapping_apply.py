"""Applying a :class:`~kpgrowth.ingest.mapping.Mapping` to a chunk of raw export rows.

Vectorized over Arrow: each rule picks its source column (or constant, setting,
derived value), parses it, maps values; identity rules hash external ids into
``user_key`` and return the ``identities`` rows separately, so raw ids never
reach the canonical table.

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.config import Settings
>>> from kpgrowth.ingest.mapping import load_mapping
>>> chunk = apply_mapping(load_mapping("douyin_video"),
...     pa.table({"item_id": ["v1"], "p_date": ["20240305"], "new_play": ["1.2万"]}),
...     bytes(32), Settings.defaults())
>>> chunk.table.column("views").to_pylist()
[12000]
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.errors import MissingColumnsError
from kpgrowth.ingest.mapping import (
    UNMAPPED_REASON,
    Identity,
    MappedChunk,
    Mapping,
    RowError,
    Rule,
    _HeaderIndex,
)
from kpgrowth.ingest.parse import NUMBER_FORMATS, parse_column
from kpgrowth.schema import TABLES

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.config import Settings


def apply_mapping(m: Mapping, raw: pa.Table, key: bytes, settings: Settings) -> MappedChunk:
    index = _HeaderIndex(raw.column_names)
    missing = []
    for alts in m._required_inputs():
        if index.find(alts) is None:
            missing.append(alts)
    if missing:
        parts = []
        hints = []
        for alts in missing:
            parts.append(" / ".join(repr(a) for a in alts))
            close = index.suggest(alts)
            if close is not None:
                hints.append(f"for {alts[0]!r} did you mean {close!r}?")
        err = MissingColumnsError(
            f"mapping {m.name!r}: missing column{'s' if len(missing) > 1 else ''} "
            + "; ".join(parts),
            column=missing[0][0],
            hint="; ".join(hints) if hints else
            f"the file's columns are: {', '.join(raw.column_names[:20])}")
        err.missing = [a[0] for a in missing]  # type: ignore[attr-defined]
        raise err
    n = raw.num_rows
    tz = m.timezone or settings.timezone
    out: dict[str, pa.Array] = {}
    used: dict[str, str] = {}
    errors: list[RowError] = []
    for rule in m.rules:
        arr, errs, header = _apply_rule(rule, raw, index, n, tz, settings, key)
        if arr is None:
            continue
        out[rule.target] = arr
        if header is not None:
            used[rule.target] = header
            col = raw.column(header)
            for row, reason in errs:
                value = col[row].as_py()
                errors.append(RowError(row, header, "" if value is None else str(value), reason))
    idents: list[pa.Table] = []
    time_col = m.canonical.time_column
    first_seen = out.get(time_col) if time_col else None
    if first_seen is not None and not pa.types.is_timestamp(first_seen.type):
        first_seen = None
    for ident in m.identities:
        header = index.find(ident.ids)
        if header is None:
            continue
        link_header = index.find(ident.link_from) if ident.link_kind else None
        keys, rows = _identity(ident, raw.column(header),
                               raw.column(link_header) if link_header else None,
                               key, first_seen)
        out[ident.column] = keys
        used[ident.column] = header
        idents.append(rows)
    ordered = [c for c in m.canonical.names if c in out]
    table = pa.table({c: out[c] for c in ordered}) if ordered else pa.table({})
    identities = None
    if m.identities:
        identities = _dedupe_identities(pa.concat_tables(idents) if idents else _empty_ids())
    errors.sort(key=lambda e: (e.row, e.column))
    return MappedChunk(table=table, errors=errors, identities=identities, sources=used)


def _apply_rule(rule: Rule, raw: pa.Table, index: _HeaderIndex, n: int, tz: str,
                settings: Settings, key: bytes) -> tuple[pa.Array | None, list[tuple[int, str]], str | None]:
    options = dict(rule.options)
    absent = rule.sources and all(index.find((s.header,)) is None for s in rule.sources)
    if rule.const is not None or rule.setting is not None or (absent and rule.default):
        value = rule.const if rule.const is not None else (
            getattr(settings, rule.setting) if rule.setting else rule.default)
        arr, _ = parse_column(pa.array([value], pa.string()), rule.dtype, tz=tz)
        return pa.repeat(arr[0], n) if n else arr.slice(0, 0), [], None
    if rule.derive:
        parts = []
        for alts, part_dtype in rule.of:
            header = index.find(alts)
            if header is None:
                return None, [], None
            part = _string_array(raw.column(header))
            if part_dtype in ("date", "timestamp"):  # same instant, same id, whatever layout
                part = parse_column(part, part_dtype, tz=tz)[0].cast(pa.string())
            parts.append(part)
        return _derive(rule, parts, key), [], None
    header = None
    source = None
    for s in rule.sources:
        header = index.find((s.header,))
        if header is not None:
            source = s
            break
    if header is None or source is None:
        return None, [], None
    options.update(dict(source.options))
    values = _string_array(raw.column(header))
    pre_errors: list[tuple[int, str]] = []
    if rule.values is not None:
        values, pre_errors = _map_values(values, rule)
    if rule.default is not None:
        values = pc.if_else(pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(values), ""),
                                         False), values, rule.default)
    dtype = options.get("dtype", rule.dtype)
    fmt = options.get("format")
    if dtype in ("int64", "float64", "decimal"):
        fmt = "percent" if options.get("percent") else (
            "plain" if options.get("abbreviations") is False else None)
        assert fmt is None or fmt in NUMBER_FORMATS
    arr, errs = parse_column(values, dtype, fmt=fmt, tz=options.get("timezone", tz),
                             scale=options.get("scale"))
    if dtype != rule.dtype:  # dtype override: parsed as asked, stored as the canonical type
        arr = arr if rule.dtype != "string" else arr.cast(pa.string())
    bad = {r for r, _ in pre_errors}
    errs = pre_errors + [(r, reason) for r, reason in errs if r not in bad]
    return arr, sorted(errs), header


def _string_array(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if not pa.types.is_string(col.type):
        col = col.cast(pa.string())
    return col


def _map_values(values: pa.Array, rule: Rule) -> tuple[pa.Array, list[tuple[int, str]]]:
    table = dict(rule.values or ())
    loose = {unicodedata.normalize("NFKC", k).casefold(): v for k, v in table.items()}
    trimmed = pc.utf8_trim_whitespace(values)
    uniq = pc.unique(trimmed).to_pylist()
    lookup: dict[str, str | None] = {}
    unknown: set[str] = set()
    for u in uniq:
        if u is None or u == "":
            continue
        if u in table:
            lookup[u] = table[u]
        elif (k := unicodedata.normalize("NFKC", u).casefold()) in loose:
            lookup[u] = loose[k]
        elif rule.unmapped == "keep":
            lookup[u] = u
        elif rule.unmapped == "null":
            lookup[u] = None
        else:
            unknown.add(u)
            lookup[u] = None
    keys = pa.array(list(lookup), pa.string())
    vals = pa.array(list(lookup.values()), pa.string())
    pos = pc.index_in(trimmed, value_set=keys)
    mapped = pc.take(vals, pos)
    errors: list[tuple[int, str]] = []
    if unknown:
        is_bad = pc.fill_null(pc.is_in(trimmed, value_set=pa.array(sorted(unknown))), False)
        shown = ", ".join(list(table)[:6])
        reason = f"{UNMAPPED_REASON} (expected one of: {shown})"
        errors = [(int(i), reason) for i in np.flatnonzero(is_bad.to_numpy(zero_copy_only=False))]
    return mapped, errors


def _derive(rule: Rule, parts: list[pa.Array], key: bytes) -> pa.Array:
    """``concat``: the parts joined by ``sep``; ``hash``: a keyed HMAC-SHA256 of them
    (keyed with the workspace's pseudonymization key, so ids built from personal data
    cannot be reversed by guessing)."""

    trimmed = [pc.utf8_trim_whitespace(p) for p in parts]
    joined = pc.binary_join_element_wise(*trimmed, rule.sep, null_handling="replace",
                                         null_replacement="")
    empty = pc.equal(joined, rule.sep * (len(parts) - 1))
    joined = pc.if_else(empty, pa.scalar(None, pa.string()), joined)
    if rule.derive == "concat":
        return pc.binary_join_element_wise(pa.scalar(rule.prefix), joined, "") \
            if rule.prefix else joined
    enc = joined.dictionary_encode()
    hashed = [None if d is None else
              rule.prefix + hmac.new(key, d.encode("utf-8"), hashlib.sha256
                                     ).hexdigest()[: rule.length]
              for d in enc.dictionary.to_pylist()]
    return pc.take(pa.array(hashed, pa.string()), enc.indices)


def _normalize(values: pa.Array, how: str) -> pa.Array:
    out = pc.utf8_trim_whitespace(values)
    out = pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
    if how in ("lower", "email"):
        out = pc.utf8_lower(out)
    elif how == "phone":
        digits = pc.replace_substring_regex(out, r"[^0-9]", "")
        out = pc.replace_substring_regex(digits, r"^(?:0086|86)(1\d{10})$", r"\1")
        out = pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
    return out


def _identity(ident: Identity, ids: Any, links: Any, key: bytes,
              first_seen: pa.Array | None) -> tuple[pa.Array, pa.Table]:
    """user_key per row and identities rows for one identity rule.

    An external id seen with a link value on any row of the chunk uses that link on
    every row, so the same person gets one user_key within a chunk.
    """
    from kpgrowth.identity import link_hash, user_key

    ext = _normalize(_string_array(ids), ident.normalize)
    n = len(ext)
    enc = pc.dictionary_encode(ext)
    uniq = enc.dictionary.to_pylist()
    link_of: dict[str, str] = {}
    if links is not None and ident.link_kind:
        lnk = _normalize(_string_array(links), ident.link_normalize)
        both = pa.table({"e": ext, "l": lnk}).filter(pc.and_(pc.is_valid(ext), pc.is_valid(lnk)))
        if both.num_rows:
            firsts = both.group_by("e", use_threads=False).aggregate([("l", "min")])
            link_of = dict(zip(firsts.column("e").to_pylist(),
                               firsts.column("l_min").to_pylist(), strict=True))
    keys_u, kinds_u, hashes_u = [], [], []
    for e in uniq:
        link = link_of.get(e)
        pair = (ident.link_kind, link) if ident.link_kind and link else None
        keys_u.append(user_key(key, ident.platform, e, link=pair))
        kinds_u.append(ident.link_kind if pair else None)
        hashes_u.append(link_hash(key, pair[0], pair[1]) if pair else None)
    idx = enc.indices
    keys = pc.take(pa.array(keys_u, pa.string()), idx)
    ts = first_seen if first_seen is not None else pa.nulls(n, pa.timestamp("us", "UTC"))
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks()
    rows = pa.table({
        "user_key": keys,
        "platform": pa.array([ident.platform] * n, pa.string()),
        "external_id": ext,
        "link_kind": pc.take(pa.array(kinds_u, pa.string()), idx),
        "link_hash": pc.take(pa.array(hashes_u, pa.string()), idx),
        "first_seen": ts.cast(pa.timestamp("us", "UTC")),
    })
    return keys, rows.filter(pc.is_valid(rows.column("external_id")))


def _empty_ids() -> pa.Table:
    from kpgrowth.store.base import storage_schema

    return storage_schema(TABLES["identities"]).empty_table()


def _dedupe_identities(rows: pa.Table) -> pa.Table:
    """One row per (platform, external_id): the earliest first_seen, a link if any row had one."""
    from kpgrowth.store.base import conform

    if rows.num_rows == 0:
        return _empty_ids()
    grouped = rows.group_by(["platform", "external_id"], use_threads=False).aggregate([
        ("user_key", "first"), ("link_kind", "max"), ("link_hash", "max"),
        ("first_seen", "min")])
    grouped = grouped.rename_columns(
        [c.rsplit("_", 1)[0] if c.endswith(("_first", "_max", "_min")) else c
         for c in grouped.column_names])
    return conform(TABLES["identities"], grouped)
