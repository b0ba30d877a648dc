"""The canonical data model: every table kpgrowth stores, declared once.

The store, ingestion, validation, the simulator, the docs and the API schemas
all read :data:`TABLES`. Times are stored in UTC (``timestamp('UTC')``), money
as ``decimal(18, 2)`` next to a ``currency`` code, JSON objects as text.

Examples
--------
>>> from kpgrowth.schema import TABLES, PLATFORMS
>>> TABLES["orders"].key
('order_id',)
>>> "douyin" in PLATFORMS
True
>>> TABLES["events"].column("type").allowed[:3]
('impression', 'view', 'like')
>>> str(TABLES["orders"].ibis_schema()["amount"])
'!decimal(18, 2)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.errors import SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.schema as sch
    import pyarrow as pa

PLATFORMS: tuple[str, ...] = (
    "wechat", "weibo", "douyin", "kuaishou", "xiaohongshu", "bilibili", "zhihu",
    "xiaoe", "tiktok", "instagram", "youtube", "linkedin", "x", "facebook",
    "kajabi", "website", "email", "other",
)
"""Platforms a seller publishes or sells on (``xiaoe`` = Xiaoe-tech 小鹅通)."""

EVENT_TYPES: tuple[str, ...] = (
    "impression", "view", "like", "comment", "share", "save", "follow", "unfollow",
    "click", "landing", "trailer_view", "signup", "add_to_cart", "coupon_claim",
    "purchase", "refund", "lesson_start", "lesson_complete", "community_join",
    "community_leave", "community_message", "referral_invite",
)
"""User actions recorded in ``events`` (see GLOSSARY.md for the 中文 names)."""

PRODUCT_KINDS: tuple[str, ...] = (
    "course", "live", "ebook", "membership", "community", "bundle", "column", "bootcamp",
)
"""课程, 直播课, 电子书, 会员, 社群, 套餐, 专栏, 训练营."""

POST_FORMATS: tuple[str, ...] = (
    "short_video", "video", "article", "image", "note", "live", "text", "audio", "other",
)
EDGE_KINDS: tuple[str, ...] = ("follow", "repost", "mention", "reply", "invite")
ORDER_STATUSES: tuple[str, ...] = ("paid", "refunded", "cancelled", "pending")
COMMUNITY_KINDS: tuple[str, ...] = (
    "wechat_group", "zsxq", "qq_group", "wecom_group", "discord", "telegram", "forum", "other",
)
"""微信群, 知识星球, QQ群, 企业微信群, …"""

CURRENCY_PATTERN = r"^[A-Z]{3}$"

DTYPES = ("string", "int64", "float64", "boolean", "date", "timestamp", "decimal")
MONEY = "decimal"


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Column name.
    dtype : {"string", "int64", "float64", "boolean", "date", "timestamp", "decimal"}
        Logical type. ``timestamp`` is UTC; ``decimal`` is money, ``decimal(18, 2)``.
    nullable : bool
        Whether the value may be missing.
    allowed : tuple of str, optional
        The only values a string column may take.
    min : float, optional
        Smallest allowed number (inclusive).
    max : float, optional
        Largest allowed number (inclusive).
    pattern : str, optional
        Regular expression a string value must match in full.
    doc : str
        What the column means.
    """

    name: str
    dtype: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise SchemaError(f"column {self.name!r}: unknown dtype {self.dtype!r}",
                              hint=f"use one of {', '.join(DTYPES)}")

    @property
    def ibis_type(self) -> str:
        """The ibis type string of this column."""
        return {"timestamp": "timestamp('UTC')", "decimal": "decimal(18, 2)"}.get(
            self.dtype, self.dtype)


@dataclass(frozen=True)
class Table:
    """A canonical table: columns, primary key and documentation.

    Parameters
    ----------
    name : str
        Table name in the store.
    columns : tuple of Column
        Columns in storage order.
    key : tuple of str
        Columns that identify a row; re-ingesting a row with the same key lands
        nothing (NULLs in nullable key columns compare equal).
    doc : str
        What one row means.
    time_column : str, optional
        The column that dates a row (used by ``info`` for date ranges).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    doc: str = ""
    time_column: str | None = None
    _index: dict[str, Column] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({c.name: c for c in self.columns})
        missing = [k for k in self.key if k not in self._index]
        if missing:
            raise SchemaError(f"table {self.name!r}: key columns {missing} are not columns")

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in storage order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns that must be present and non-null in every input row."""
        return tuple(c.name for c in self.columns if not c.nullable)

    def column(self, name: str) -> Column:
        """Return the column called ``name`` or raise :class:`SchemaError`."""
        try:
            return self._index[name]
        except KeyError:
            raise SchemaError(
                f"table {self.name!r} has no column {name!r}",
                hint=f"columns are: {', '.join(self.names)}") from None

    def ibis_schema(self) -> sch.Schema:
        """The table's schema as an :class:`ibis.Schema`."""
        import ibis

        return ibis.schema([(c.name, _nullable(c.ibis_type, c.nullable)) for c in self.columns])

    def arrow_schema(self) -> pa.Schema:
        """The table's schema as a :class:`pyarrow.Schema`."""
        import pyarrow as pa

        types: dict[str, Any] = {
            "string": pa.string(), "int64": pa.int64(), "float64": pa.float64(),
            "boolean": pa.bool_(), "date": pa.date32(),
            "timestamp": pa.timestamp("us", tz="UTC"), "decimal": pa.decimal128(18, 2),
        }
        return pa.schema([pa.field(c.name, types[c.dtype], nullable=c.nullable)
                          for c in self.columns])


def _nullable(type_: str, nullable: bool) -> str:
    return type_ if nullable else "!" + type_


def C(name: str, dtype: str = "string", doc: str = "", **kw: Any) -> Column:  # noqa: N802
    """Shorthand for a nullable :class:`Column`."""
    return Column(name, dtype, doc=doc, **kw)


def R(name: str, dtype: str = "string", doc: str = "", **kw: Any) -> Column:  # noqa: N802
    """Shorthand for a required (non-null) :class:`Column`."""
    return Column(name, dtype, nullable=False, doc=doc, **kw)


def _platform(nullable: bool = True) -> Column:
    return Column("platform", "string", nullable=nullable, allowed=PLATFORMS,
                  doc="platform, one of PLATFORMS")


def _currency() -> Column:
    return Column("currency", "string", nullable=False, pattern=CURRENCY_PATTERN,
                  doc="ISO 4217 code, e.g. CNY, USD")


_tables: list[Table] = [
    Table("users", (
        R("user_key", doc="pseudonymous user id (keyed HMAC of an external id)"),
        C("first_seen", "timestamp", "first time the user was seen (UTC)"),
        C("first_channel", doc="acquisition channel: organic, paid, referral, community, kol, search, direct, email…"),
        Column("first_platform", "string", allowed=PLATFORMS, doc="platform of first contact"),
        C("region", doc="province / country as reported"),
        C("attributes", doc="JSON object of further attributes"),
    ), key=("user_key",), doc="one row per person", time_column="first_seen"),
    Table("identities", (
        R("user_key"),
        _platform(nullable=False),
        R("external_id", doc="the platform's raw id (openid, uid, email…); erasable"),
        C("link_kind", doc="kind of cross-platform link key, e.g. wechat_unionid, phone_hash"),
        C("link_hash", doc="keyed hash of the link value (raw link values are never stored)"),
        C("first_seen", "timestamp"),
    ), key=("platform", "external_id"),
       doc="external ids per platform; the only table with raw ids", time_column="first_seen"),
    Table("products", (
        R("product_id"),
        Column("kind", "string", nullable=False, allowed=PRODUCT_KINDS, doc="product kind"),
        R("title"),
        C("title_en", doc="English title, if any"),
        C("description"),
        C("tags", doc="comma-separated tags"),
        C("category"),
        C("components", doc="comma-separated product_ids of a bundle"),
        Column("price", "decimal", nullable=False, min=0, doc="list price"),
        _currency(),
        C("created_at", "timestamp"),
    ), key=("product_id",), doc="courses, live classes, e-books, memberships, communities, bundles",
       time_column="created_at"),
    Table("posts", (
        R("post_id"),
        _platform(nullable=False),
        C("account", doc="publishing account (creator or KOL handle)"),
        C("author_user_key", doc="user_key of the author, if known"),
        C("posted_at", "timestamp"),
        Column("format", "string", allowed=POST_FORMATS, doc="content format"),
        C("title"), C("text"), C("tags", doc="comma-separated tags"),
        C("product_id", doc="product the post promotes"),
        C("url"),
    ), key=("platform", "post_id"), doc="content published on a platform", time_column="posted_at"),
    Table("post_metrics", (
        R("post_id"), _platform(nullable=False),
        R("date", "date", "day the metrics cover (platform-local date)"),
        C("impressions", "int64", min=0), C("views", "int64", min=0, doc="plays / reads (次数)"),
        C("viewers", "int64", min=0, doc="unique readers/viewers (人数)"),
        C("likes", "int64", min=0), C("comments", "int64", min=0), C("shares", "int64", min=0),
        C("saves", "int64", min=0), C("follows", "int64", min=0, doc="new followers from the post"),
        C("completion_rate", "float64", min=0, max=1, doc="完播率 / 阅读完成率, 0..1"),
        C("avg_watch_seconds", "float64", min=0),
    ), key=("platform", "post_id", "date"),
       doc="daily aggregate metrics per post, as platform analytics exports give them",
       time_column="date"),
    Table("events", (
        R("event_id"),
        R("ts", "timestamp"),
        C("user_key"),
        Column("type", "string", nullable=False, allowed=EVENT_TYPES, doc="event type"),
        _platform(),
        C("post_id"), C("product_id"), C("community_id"), C("campaign_id"),
        C("value", "float64", doc="amount, duration or progress, by type"),
        C("properties", doc="JSON object"),
    ), key=("event_id",), doc="one user action", time_column="ts"),
    Table("orders", (
        R("order_id"),
        R("ts", "timestamp"),
        C("user_key"),
        R("product_id"),
        Column("amount", "decimal", nullable=False,
               doc="amount paid; >= 0 unless status is refunded (then may be negative)"),
        _currency(),
        C("channel", doc="sales channel: organic, paid, referral, community, kol…"),
        _platform(),
        C("campaign_id"),
        C("coupon_id"),
        C("referrer_user_key", doc="分销 promoter (推广员) who referred the order"),
        C("superior_user_key", doc="the promoter's superior (上级), second tier"),
        Column("commission", "decimal", min=0, doc="commission paid to promoters"),
        Column("status", "string", nullable=False, allowed=ORDER_STATUSES, doc="order status"),
    ), key=("order_id",), doc="one purchase (or refund)", time_column="ts"),
    Table("comments", (
        R("comment_id"), R("ts", "timestamp"), C("user_key"), C("post_id"), _platform(),
        R("text"), C("parent_id", doc="comment replied to"), C("likes", "int64", min=0),
    ), key=("comment_id",), doc="a comment on a post", time_column="ts"),
    Table("edges", (
        R("src", doc="user_key of the source (follower, reposter, inviter…)"),
        R("dst", doc="user_key of the target (followed, original author, invitee…)"),
        Column("kind", "string", nullable=False, allowed=EDGE_KINDS, doc="edge kind"),
        _platform(),
        C("post_id", doc="post a repost/mention/reply is about"),
        C("ts", "timestamp"),
        C("weight", "float64", min=0),
    ), key=("src", "dst", "kind", "platform", "post_id"),
       doc="follow, repost, mention, reply and invite relations", time_column="ts"),
    Table("communities", (
        R("community_id"), _platform(),
        Column("kind", "string", allowed=COMMUNITY_KINDS, doc="community kind"),
        C("name"), C("product_id", doc="product the community belongs to (paid community)"),
        C("owner_user_key"), C("created_at", "timestamp"),
    ), key=("community_id",), doc="a community (社群): WeChat group, 知识星球…",
       time_column="created_at"),
    Table("memberships", (
        R("community_id"), R("user_key"), R("joined_at", "timestamp"),
        C("left_at", "timestamp"), C("role", doc="member, admin, owner"),
    ), key=("community_id", "user_key", "joined_at"), doc="a stay of a user in a community",
       time_column="joined_at"),
    Table("campaigns", (
        R("campaign_id"), C("name"), C("channel", doc="paid, kol, search, feed…"),
        _platform(), C("objective"), C("product_id"),
        C("start_date", "date"), C("end_date", "date"),
        Column("budget", "decimal", min=0), Column("currency", "string", pattern=CURRENCY_PATTERN),
    ), key=("campaign_id",), doc="an ad or promotion campaign", time_column="start_date"),
    Table("spend", (
        R("campaign_id"), R("date", "date"), _platform(), C("channel"),
        C("variant", doc="creative variant (A/B)"),
        Column("spend", "decimal", nullable=False, min=0), _currency(),
        C("impressions", "int64", min=0), C("clicks", "int64", min=0),
        C("conversions", "int64", min=0), Column("revenue", "decimal", min=0),
    ), key=("campaign_id", "date", "variant"), doc="daily spend and delivery per campaign",
       time_column="date"),
    Table("quarantine", (
        R("batch_id"), R("table_name"), C("file"), C("line", "int64"), C("column_name"),
        C("value"), R("reason"), C("row", doc="the rejected row as a JSON object"),
        R("quarantined_at", "timestamp"),
    ), key=("batch_id", "line", "column_name"),
       doc="every rejected input row with where and why", time_column="quarantined_at"),
]

TABLES: dict[str, Table] = {t.name: t for t in _tables}
"""Every canonical table by name."""

INGESTIBLE: tuple[str, ...] = tuple(n for n in TABLES if n != "quarantine")
"""Tables a user may ingest into (all but ``quarantine``)."""


def get_table(name: str) -> Table:
    """Return the canonical table ``name`` or raise a :class:`SchemaError` that suggests one.

    Examples
    --------
    >>> get_table("order").name
    Traceback (most recent call last):
    ...
    kpgrowth.errors.SchemaError: unknown table 'order' (did you mean 'orders'?)
    """
    try:
        return TABLES[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, TABLES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"tables are: {', '.join(TABLES)}"
        raise SchemaError(f"unknown table {name!r}", hint=hint) from None


INTERNAL: dict[str, Table] = {t.name: t for t in (
    Table("_migrations", (
        Column("version", "int64", nullable=False), R("name"), R("applied_at", "timestamp"),
    ), key=("version",), doc="schema migrations applied to this store"),
    Table("_batches", (
        R("batch_id", doc="sha256 of table, file content and mapping: the same input is one batch"),
        R("table_name"), C("file"), C("sha256", doc="sha256 of the file's bytes"),
        C("mapping"), R("started_at", "timestamp"), C("finished_at", "timestamp"),
        C("rows_read", "int64"), C("landed", "int64"), C("duplicates", "int64"),
        C("quarantined", "int64"),
    ), key=("batch_id",), doc="one committed ingest batch (written in the same transaction)",
       time_column="started_at"),
)}
"""Bookkeeping tables of the store (names start with ``_``)."""
