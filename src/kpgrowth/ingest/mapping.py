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
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from kpgrowth.errors import MappingError
from kpgrowth.schema import TABLES, Table

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
        from kpgrowth.ingest.mapping_build import Builder

        return Builder(data, path or "<mapping>", lines or {}).build()

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
        from kpgrowth.ingest.mapping_apply import apply_mapping

        return apply_mapping(self, raw, key, settings)

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
