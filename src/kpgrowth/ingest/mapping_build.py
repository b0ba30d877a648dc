"""Validation of a mapping's YAML document into a :class:`~kpgrowth.ingest.mapping.Mapping`.

Every problem raises :class:`~kpgrowth.errors.MappingError` naming the file, the
line and the key, with the closest valid key or value as a hint.

Examples
--------
>>> from kpgrowth.ingest.mapping import Mapping
>>> Mapping.from_dict({"name": "m", "table": "order", "columns": {}})
Traceback (most recent call last):
...
kpgrowth.errors.MappingError: <mapping>: column 'table' value 'order': unknown table 'order' (did you mean 'orders'?)
"""

from __future__ import annotations

import difflib
from typing import Any

import pyarrow as pa

from kpgrowth.errors import MappingError
from kpgrowth.ingest.mapping import (
    IDENTITY_KEYS,
    LINK_KEYS,
    NORMALIZERS,
    PARSE_KEYS,
    RULE_KEYS,
    TOP_KEYS,
    UNMAPPED,
    Identity,
    Mapping,
    Rule,
    Source,
    normalize_header,
)
from kpgrowth.ingest.parse import parse_column
from kpgrowth.schema import DTYPES, PLATFORMS, TABLES, Table


class Builder:
    """Turns a parsed YAML document into a :class:`Mapping`, one clear error at a time."""

    def __init__(self, data: Any, path: str, lines: dict[tuple[str, ...], int]) -> None:
        self.data = data
        self.path = path
        self.lines = lines

    def fail(self, at: tuple[str, ...], message: str, hint: str | None = None,
             value: Any = None) -> MappingError:
        line = None
        for i in range(len(at), -1, -1):
            if at[:i] in self.lines:
                line = self.lines[at[:i]]
                break
        key = ".".join(at) if at else None
        return MappingError(message, file=self.path, line=line, column=key, value=value,
                            hint=hint)

    def mapping(self, value: Any, at: tuple[str, ...], allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(at, f"must be a mapping of keys to values, not {type(value).__name__}")
        for k in value:
            if str(k) not in allowed:
                close = difflib.get_close_matches(str(k), allowed, n=1)
                raise self.fail((*at, str(k)), f"unknown key {str(k)!r}",
                                hint=f"did you mean {close[0]!r}?" if close
                                else f"keys are: {', '.join(allowed)}")
        return {str(k): v for k, v in value.items()}

    def headers(self, value: Any, at: tuple[str, ...]) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, (str, int)) and str(v).strip() for v in items):
            raise self.fail(at, "must be a source header or a list of alternative headers")
        return tuple(str(v).strip() for v in items)

    def build(self) -> Mapping:
        top = self.mapping(self.data, (), TOP_KEYS)
        for req in ("name", "table", "columns"):
            if req not in top:
                raise self.fail((), f"missing required key {req!r}")
        name = str(top["name"])
        table_name = str(top["table"])
        if table_name not in TABLES or table_name == "quarantine":
            close = difflib.get_close_matches(table_name, TABLES, n=1)
            raise self.fail(("table",), f"unknown table {table_name!r}", value=table_name,
                            hint=f"did you mean {close[0]!r}?" if close
                            else f"tables are: {', '.join(TABLES)}")
        table = TABLES[table_name]
        tz = top.get("timezone")
        if tz is not None:
            self.check_tz(str(tz), ("timezone",))
        columns = self.mapping(top["columns"], ("columns",), table.names)
        rules = tuple(self.rule(table, target, spec, ("columns", target))
                      for target, spec in columns.items())
        ident_spec = top.get("identity") or []
        if isinstance(ident_spec, dict):
            ident_spec = [ident_spec]
        if not isinstance(ident_spec, list):
            raise self.fail(("identity",), "must be a list of identity rules")
        idents = tuple(self.identity(table, spec, ("identity", str(i)))
                       for i, spec in enumerate(ident_spec))
        targets = [r.target for r in rules] + [i.column for i in idents]
        dup = sorted({t for t in targets if targets.count(t) > 1})
        if dup:
            raise self.fail(("columns",), f"column {dup[0]!r} is filled twice "
                            "(by a column rule and an identity rule, or two identity rules)")
        self.check_privacy(rules, idents)
        sources = top.get("sources") or ()
        return Mapping(name=name, table=table_name, rules=rules, identities=idents,
                       description=str(top.get("description") or ""),
                       doc_sources=tuple(str(s) for s in (
                           sources if isinstance(sources, list) else [sources])),
                       timezone=str(tz) if tz is not None else None, path=self.path)

    def check_tz(self, tz: str, at: tuple[str, ...]) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(at, f"unknown time zone {tz!r}", value=tz,
                            hint="use an IANA name such as Asia/Shanghai or UTC") from None

    def options(self, spec: dict, at: tuple[str, ...], dtype: str) -> tuple[tuple[str, Any], ...]:
        out: dict[str, Any] = {}
        for k in PARSE_KEYS:
            if k not in spec:
                continue
            v = spec[k]
            where = (*at, k)
            if k == "dtype" and v not in DTYPES:
                raise self.fail(where, f"unknown dtype {v!r}", value=v,
                                hint=f"use one of {', '.join(DTYPES)}")
            if k == "scale" and (isinstance(v, bool) or not isinstance(v, (int, float))
                                 or v == 0):
                raise self.fail(where, "scale must be a non-zero number, e.g. 0.01 for fen",
                                value=v)
            if k in ("percent", "abbreviations") and not isinstance(v, bool):
                raise self.fail(where, f"{k} must be true or false", value=v)
            if k == "timezone":
                self.check_tz(str(v), where)
            if k == "format" and not isinstance(v, str):
                raise self.fail(where, "format must be a string such as '%Y年%m月%d日', "
                                "'excel', 'epoch_s' or 'epoch_ms'", value=v)
            out[k] = v
        eff = out.get("dtype", dtype)
        if "format" in out and eff not in ("date", "timestamp"):
            raise self.fail((*at, "format"), f"format applies to date/timestamp columns, "
                            f"not {eff}")
        if ("percent" in out or "abbreviations" in out or "scale" in out) \
                and eff not in ("int64", "float64", "decimal"):
            raise self.fail(at, f"percent/abbreviations/scale apply to numbers, not {eff}")
        return tuple(sorted(out.items()))

    def rule(self, table: Table, target: str, spec: Any, at: tuple[str, ...]) -> Rule:
        dtype = table.column(target).dtype
        if isinstance(spec, (str, int, list)):
            spec = {"from": spec}
        spec = self.mapping(spec, at, RULE_KEYS)
        kinds = [k for k in ("from", "const", "setting", "derive") if k in spec]
        if len(kinds) != 1:
            raise self.fail(at, "give exactly one of from, const, setting or derive"
                            + (f" (got {', '.join(kinds)})" if kinds else ""))
        options = self.options(spec, at, dtype)
        eff_dtype = dict(options).get("dtype", dtype)
        kw: dict[str, Any] = {"target": target, "dtype": eff_dtype, "options": options,
                              "optional": bool(spec.get("optional", False))}
        if "from" in spec:
            kw["sources"] = self.sources(spec["from"], (*at, "from"), eff_dtype)
        elif "const" in spec:
            kw["const"] = self.const(table, target, spec["const"], (*at, "const"), eff_dtype)
        elif "setting" in spec:
            from kpgrowth.config import SETTINGS

            names = [s.name for s in SETTINGS]
            if spec["setting"] not in names:
                raise self.fail((*at, "setting"), f"unknown setting {spec['setting']!r}",
                                hint=f"settings are: {', '.join(names)}")
            kw["setting"] = spec["setting"]
        else:
            if spec["derive"] not in ("hash", "concat"):
                raise self.fail((*at, "derive"), "derive must be 'hash' or 'concat'",
                                value=spec["derive"])
            if "of" not in spec or not isinstance(spec["of"], list) or not spec["of"]:
                raise self.fail(at, "derive needs 'of': a list of source headers "
                                "(each a header or a list of alternatives)")
            kw["derive"] = spec["derive"]
            kw["of"] = tuple(self.part(p, (*at, "of", str(i)))
                             for i, p in enumerate(spec["of"]))
            kw["sep"] = str(spec.get("sep", "|"))
            kw["prefix"] = str(spec.get("prefix", ""))
            length = spec.get("length", 16)
            if not isinstance(length, int) or not 8 <= length <= 64:
                raise self.fail((*at, "length"), "length must be an integer from 8 to 64")
            kw["length"] = length
        for k in ("of", "sep", "prefix", "length"):
            if k in spec and "derive" not in spec:
                raise self.fail((*at, k), f"{k!r} only applies with derive")
        if "values" in spec:
            vmap = spec["values"]
            if not isinstance(vmap, dict) or not vmap:
                raise self.fail((*at, "values"), "values must map source values to "
                                "canonical values, e.g. {已支付: paid}")
            col = table.column(target)
            for v in vmap.values():
                if v is not None and col.allowed and str(v) not in col.allowed:
                    raise self.fail((*at, "values"), f"{v!r} is not allowed in {target}",
                                    value=v, hint=f"allowed: {', '.join(col.allowed)}")
            kw["values"] = tuple((_key(k), None if v is None else _key(v))
                                 for k, v in vmap.items())
            unmapped = spec.get("unmapped", "error")
            if unmapped not in UNMAPPED:
                raise self.fail((*at, "unmapped"), f"unmapped must be one of "
                                f"{', '.join(UNMAPPED)}", value=unmapped)
            kw["unmapped"] = unmapped
        elif "unmapped" in spec:
            raise self.fail((*at, "unmapped"), "'unmapped' only applies with values")
        if "default" in spec:
            kw["default"] = _key(spec["default"])
        return Rule(**kw)

    def part(self, value: Any, at: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
        if isinstance(value, dict):
            spec = self.mapping(value, at, ("from", "dtype"))
            if "from" not in spec:
                raise self.fail(at, "a derive part given as a mapping needs 'from'")
            dtype = spec.get("dtype")
            if dtype not in (None, "string", "date", "timestamp"):
                raise self.fail((*at, "dtype"), "a derive part's dtype must be string, date "
                                "or timestamp (it normalizes the value before hashing)")
            return self.headers(spec["from"], (*at, "from")), dtype
        return self.headers(value, at), None

    def sources(self, value: Any, at: tuple[str, ...], dtype: str) -> tuple[Source, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            where = (*at, str(i)) if isinstance(value, list) else at
            if isinstance(item, dict):
                spec = self.mapping(item, where, ("header", *PARSE_KEYS))
                if "header" not in spec:
                    raise self.fail(where, "an alternative given as a mapping needs 'header'")
                header = self.headers(spec.pop("header"), (*where, "header"))[0]
                out.append(Source(header, self.options(spec, where, dtype)))
            else:
                out.append(Source(self.headers(item, where)[0]))
        if not out:
            raise self.fail(at, "must name at least one source header")
        return tuple(out)

    def const(self, table: Table, target: str, value: Any, at: tuple[str, ...],
              dtype: str) -> str:
        text = _key(value)
        col = table.column(target)
        if col.allowed and text not in col.allowed:
            close = difflib.get_close_matches(text, col.allowed, n=1)
            raise self.fail(at, f"{text!r} is not allowed in {target}", value=text,
                            hint=f"did you mean {close[0]!r}?" if close
                            else f"allowed: {', '.join(col.allowed)}")
        _, errors = parse_column(pa.array([text]), dtype)
        if errors:
            raise self.fail(at, f"constant is {errors[0][1]} ({dtype})", value=text)
        return text

    def identity(self, table: Table, spec: Any, at: tuple[str, ...]) -> Identity:
        spec = self.mapping(spec, at, IDENTITY_KEYS)
        for req in ("column", "id", "platform"):
            if req not in spec:
                raise self.fail(at, f"identity rule needs {req!r}")
        column = str(spec["column"])
        if column not in table.names:
            close = difflib.get_close_matches(column, table.names, n=1)
            raise self.fail((*at, "column"), f"table {table.name!r} has no column {column!r}",
                            hint=f"did you mean {close[0]!r}?" if close else None)
        if table.column(column).dtype != "string":
            raise self.fail((*at, "column"), f"{column} is not a string column")
        platform = str(spec["platform"])
        if platform not in PLATFORMS:
            close = difflib.get_close_matches(platform, PLATFORMS, n=1)
            raise self.fail((*at, "platform"), f"unknown platform {platform!r}",
                            hint=f"did you mean {close[0]!r}?" if close
                            else f"platforms are: {', '.join(PLATFORMS)}")
        kw: dict[str, Any] = {"column": column, "platform": platform,
                              "ids": self.headers(spec["id"], (*at, "id")),
                              "optional": bool(spec.get("optional", False)),
                              "normalize": self.normalizer(spec.get("normalize", "strip"),
                                                           (*at, "normalize"))}
        if "link" in spec:
            link = self.mapping(spec["link"], (*at, "link"), LINK_KEYS)
            if "kind" not in link or "from" not in link:
                raise self.fail((*at, "link"), "link needs 'kind' (e.g. wechat_unionid, "
                                "phone) and 'from' (the source header)")
            kw["link_kind"] = str(link["kind"])
            kw["link_from"] = self.headers(link["from"], (*at, "link", "from"))
            kw["link_normalize"] = self.normalizer(link.get("normalize", "strip"),
                                                   (*at, "link", "normalize"))
        return Identity(**kw)

    def normalizer(self, value: Any, at: tuple[str, ...]) -> str:
        if value not in NORMALIZERS:
            raise self.fail(at, f"normalize must be one of {', '.join(NORMALIZERS)}",
                            value=value)
        return str(value)

    def check_privacy(self, rules: tuple[Rule, ...], idents: tuple[Identity, ...]) -> None:
        private = {normalize_header(h) for i in idents for h in (*i.ids, *i.link_from)}
        for r in rules:
            used = [s.header for s in r.sources]
            if r.derive == "concat":  # a keyed hash does not leak; a concatenation does
                used += [h for p, _ in r.of for h in p]
            leak = [h for h in used if normalize_header(h) in private]
            if leak:
                raise self.fail(("columns", r.target),
                                f"source {leak[0]!r} is a user id or link column; copying "
                                "or hashing it into the table would leak raw ids",
                                hint="use an identity rule, which stores only user_key")


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


# -- applying -------------------------------------------------------------------------------
