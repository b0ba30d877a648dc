"""YAML mappings: how the columns of a platform's export become a canonical table.

A mapping names its target table and gives one *rule* per canonical column:
where the value comes from (one of several alternative source headers, a
constant, a workspace setting, or derived from other columns), how to parse it
(dtype, time format, time zone, scale, percent, value map) and which source
columns carry user ids (hashed into ``user_key`` columns; raw ids go only into
the returned identities rows, never into the table). The format is documented
in ``docs/mappings.md``; a short example::

    name: xiaoe_orders
    table: orders
    columns:
      order_id: [订单号, order_id]            # alternatives: the first present wins
      ts: {from: [支付时间, pay_time], format: "%Y-%m-%d %H:%M:%S"}
      amount: {from: [实付金额, price], scale: 0.01}      # fen -> yuan
      status: {from: 订单状态, values: {已支付: paid, 已退款: refunded}}
      currency: {const: CNY}
    identity:
      - {column: user_key, id: [用户ID, user_id], platform: xiaoe,
         link: {kind: wechat_unionid, from: [unionid]}}

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.config import Settings
>>> from kpgrowth.ingest.mapping import load_mapping
>>> m = load_mapping("xiaoe_orders")
>>> m.table
'orders'
>>> raw = pa.table({"订单号": ["o1"], "用户ID": ["u_1"], "商品ID": ["p1"], "实付金额": ["12345"],
...                 "订单状态": ["已支付"], "支付时间": ["2024-03-05 10:00:00"]})
>>> chunk = m.apply(raw, key=bytes(32), settings=Settings.defaults())
>>> row = chunk.table.to_pylist()[0]
>>> row["amount"], row["status"], row["currency"], row["ts"].isoformat()
(Decimal('123.45'), 'paid', 'CNY', '2024-03-05T02:00:00+00:00')
>>> row["user_key"].startswith("u_"), "u_1" in str(row)
(True, False)
>>> chunk.identities.column("external_id").to_pylist()
['u_1']
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.errors import MappingError, MissingColumnsError
from kpgrowth.ingest.parse import NUMBER_FORMATS, parse_column
from kpgrowth.schema import DTYPES, PLATFORMS, TABLES, Table

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.config import Settings

__all__ = [
    "MappedChunk",
    "Mapping",
    "RowError",
    "detect_mapping",
    "list_builtin_mappings",
    "load_mapping",
    "normalize_header",
]

PARSE_KEYS = ("dtype", "format", "timezone", "scale", "percent", "abbreviations")
RULE_KEYS = ("from", "const", "setting", "derive", "of", "sep", "prefix", "length",
             "values", "unmapped", "default", "optional", "doc", *PARSE_KEYS)
IDENTITY_KEYS = ("column", "id", "platform", "normalize", "link", "optional", "doc")
LINK_KEYS = ("kind", "from", "normalize")
TOP_KEYS = ("name", "table", "description", "sources", "timezone", "columns", "identity")
NORMALIZERS = ("none", "strip", "lower", "email", "phone")
UNMAPPED = ("error", "keep", "null")
UNMAPPED_REASON = "value not in mapping"


# -- results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    """A value of one row that could not be mapped or parsed.

    ``row`` is the 0-based index into the raw table; ``column`` the *source* header.
    """

    row: int
    column: str
    value: str
    reason: str


@dataclass
class MappedChunk:
    """The result of :meth:`Mapping.apply` on one raw chunk.

    Attributes
    ----------
    table : pyarrow.Table
        Canonical column names, typed; rows in the order of the raw chunk.
    errors : list of RowError
        Values that failed (their canonical cell is null).
    identities : pyarrow.Table or None
        Rows for the ``identities`` table (user_key, platform, external_id,
        link_kind, link_hash, first_seen), one per distinct (platform,
        external_id); None when the mapping has no identity rules.
    sources : dict
        Canonical column -> the source header it was read from (for messages).
    """

    table: pa.Table
    errors: list[RowError]
    identities: pa.Table | None
    sources: dict[str, str] = field(default_factory=dict)


# -- rules ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One alternative source header, with parse options that apply only to it."""

    header: str
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Rule:
    """How one canonical column is filled."""

    target: str
    dtype: str
    sources: tuple[Source, ...] = ()
    const: Any = None
    setting: str | None = None
    derive: str | None = None
    of: tuple[tuple[tuple[str, ...], str | None], ...] = ()
    sep: str = "|"
    prefix: str = ""
    length: int = 16
    values: tuple[tuple[str, str], ...] | None = None
    unmapped: str = "error"
    default: str | None = None
    optional: bool = False
    options: tuple[tuple[str, Any], ...] = ()

    def describe(self) -> str:
        if self.const is not None:
            how = f"= {self.const!r}"
        elif self.setting:
            how = f"= setting {self.setting}"
        elif self.derive:
            parts = ", ".join("/".join(p) for p, _ in self.of)
            how = f"= {self.derive}({parts})"
        else:
            how = "<- " + " | ".join(s.header for s in self.sources)
        extra = [f"{k}={v}" for k, v in self.options]
        if self.values:
            extra.append(f"values: {len(self.values)} mapped")
        if self.optional:
            extra.append("optional")
        return f"{self.target} {how}" + (f"  [{', '.join(extra)}]" if extra else "")


@dataclass(frozen=True)
class Identity:
    """A source column holding a platform's user id, hashed into a ``user_key`` column."""

    column: str
    ids: tuple[str, ...]
    platform: str
    normalize: str = "strip"
    link_kind: str | None = None
    link_from: tuple[str, ...] = ()
    link_normalize: str = "strip"
    optional: bool = False


# -- the mapping ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """A validated mapping from one export layout to one canonical table.

    Build one with :func:`load_mapping` (or :meth:`from_dict`).
    """

    name: str
    table: str
    rules: tuple[Rule, ...]
    identities: tuple[Identity, ...] = ()
    description: str = ""
    doc_sources: tuple[str, ...] = ()
    timezone: str | None = None
    path: str | None = None

    # -- construction --------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any, *, path: str | None = None,
                  lines: dict[tuple[str, ...], int] | None = None) -> Mapping:
        """Validate a parsed YAML document; raise :class:`MappingError` on the first problem."""
        return _Builder(data, path or "<mapping>", lines or {}).build()

    # -- interface -------------------------------------------------------------------------
    @property
    def canonical(self) -> Table:
        """The target canonical :class:`~kpgrowth.schema.Table`."""
        return TABLES[self.table]

    @property
    def source_columns(self) -> tuple[str, ...]:
        """Required source headers (the first alternative of each required input)."""
        out: list[str] = []
        for alts in self._required_inputs():
            if alts[0] not in out:
                out.append(alts[0])
        return tuple(out)

    def _required_inputs(self) -> list[tuple[str, ...]]:
        needs: list[tuple[str, ...]] = []
        for r in self.rules:
            if r.optional:
                continue
            if r.sources:
                needs.append(tuple(s.header for s in r.sources))
            needs.extend(p for p, _ in r.of)
        needs.extend(i.ids for i in self.identities if not i.optional)
        return needs

    def describe(self) -> str:
        """A readable summary: target table, one line per column and identity."""
        lines = [f"{self.name} -> {self.table}"]
        if self.description:
            lines.append(f"  {self.description.strip()}")
        width = max((len(r.target) for r in self.rules), default=0)
        for r in self.rules:
            text = r.describe()
            lines.append(f"  {r.target.ljust(width)}{text[len(r.target):]}")
        for i in self.identities:
            link = f", linked by {i.link_kind} <- {' | '.join(i.link_from)}" if i.link_kind else ""
            lines.append(f"  {i.column} = user_key({i.platform}: {' | '.join(i.ids)}{link})")
        return "\n".join(lines)

    def matches(self, headers: list[str] | tuple[str, ...]) -> bool:
        """Whether every required source column is among ``headers``."""
        index = _HeaderIndex(headers)
        return all(index.find(alts) is not None for alts in self._required_inputs())

    def apply(self, raw: pa.Table, *, key: bytes, settings: Settings) -> MappedChunk:
        """Map ``raw`` (every source column a string) onto the canonical table.

        Raises
        ------
        MissingColumnsError
            When required source columns are absent (names the closest headers).
        """
        return _apply(self, raw, key, settings)

    def __repr__(self) -> str:
        return f"Mapping({self.name!r} -> {self.table!r})"


# -- loading --------------------------------------------------------------------------------
def _builtin_dir() -> Any:
    return resources.files("kpgrowth.ingest").joinpath("mappings")


def list_builtin_mappings() -> list[str]:
    """Names of the mappings shipped with kpgrowth.

    Examples
    --------
    >>> "wechat_article" in list_builtin_mappings()
    True
    """
    return sorted(p.name[:-5] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a built-in mapping by name, or a mapping from a YAML file.

    Raises
    ------
    MappingError
        When the name is unknown (with a suggestion), the file is missing or the
        YAML is malformed (naming the file, line and key).

    Examples
    --------
    >>> load_mapping("douyin_video").table
    'post_metrics'
    >>> load_mapping("xiaoe_order")
    Traceback (most recent call last):
    ...
    kpgrowth.errors.MappingError: unknown mapping 'xiaoe_order' (did you mean 'xiaoe_orders'?)
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith((".yaml", ".yml")) or "/" in text \
            or "\\" in text:
        path = Path(name_or_path)
        try:
            content = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MappingError(f"mapping file {path} does not exist", file=str(path),
                               hint=f"built-in mappings are: {', '.join(list_builtin_mappings())}"
                               ) from None
        except UnicodeDecodeError:
            raise MappingError(f"mapping file {path} is not UTF-8 text", file=str(path)) from None
        return _parse_yaml(content, str(path))
    return _load_builtin(text)


@cache
def _load_builtin(name: str) -> Mapping:
    names = list_builtin_mappings()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        raise MappingError(f"unknown mapping {name!r}",
                           hint=f"did you mean {close[0]!r}?" if close
                           else f"built-in mappings are: {', '.join(names)}; or give a .yaml path")
    res = _builtin_dir().joinpath(f"{name}.yaml")
    return _parse_yaml(res.read_text(encoding="utf-8"), f"{name}.yaml")


def _parse_yaml(content: str, path: str) -> Mapping:
    import yaml

    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"not valid YAML: {problem}", file=path, line=line) from None
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return Mapping.from_dict(data, path=path, lines=lines)


def _index_lines(node: Any, at: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> None:
    import yaml

    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = str(k.value)
            lines[(*at, key)] = k.start_mark.line + 1
            _index_lines(v, (*at, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _index_lines(v, (*at, str(i)), lines)


def detect_mapping(headers: list[str] | tuple[str, ...]) -> str | None:
    """The built-in mapping whose required columns all appear in ``headers`` (most specific first).

    Examples
    --------
    >>> detect_mapping(["item_id", "p_date", "new_play", "new_like"])
    'douyin_video'
    >>> detect_mapping(["foo"]) is None
    True
    """
    best: tuple[int, str] | None = None
    for name in list_builtin_mappings():
        m = _load_builtin(name)
        if m.matches(headers):
            score = len(m._required_inputs())
            if best is None or score > best[0]:
                best = (score, name)
    return best[1] if best else None


# -- validation -----------------------------------------------------------------------------
class _Builder:
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
def normalize_header(header: str) -> str:
    """Header as compared when matching: NFKC, case-folded, no whitespace, BOM or quotes.

    Examples
    --------
    >>> normalize_header(" 实付金额（元） ") == normalize_header("实付金额(元)")
    True
    """
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "")
    return "".join(text.split()).strip("\"'").casefold()


class _HeaderIndex:
    def __init__(self, headers: Any) -> None:
        self.headers = list(headers)
        self.exact = {h: h for h in self.headers}
        self.loose: dict[str, str] = {}
        for h in self.headers:
            self.loose.setdefault(normalize_header(h), h)

    def find(self, alternatives: tuple[str, ...]) -> str | None:
        for a in alternatives:
            if a in self.exact:
                return a
        for a in alternatives:
            hit = self.loose.get(normalize_header(a))
            if hit is not None:
                return hit
        return None

    def suggest(self, alternatives: tuple[str, ...]) -> str | None:
        pool = {normalize_header(h): h for h in self.headers}
        for a in alternatives:
            close = difflib.get_close_matches(normalize_header(a), pool, n=1, cutoff=0.5)
            if close:
                return pool[close[0]]
        return None


def _apply(m: Mapping, raw: pa.Table, key: bytes, settings: Settings) -> MappedChunk:
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
    import hmac

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
