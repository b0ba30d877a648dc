"""The YAML mapping format: validation messages, missing columns, value maps, identities."""

from __future__ import annotations

import textwrap

import pyarrow as pa
import pytest

from kpgrowth.errors import InputError, MappingError, MissingColumnsError
from kpgrowth.ingest.mapping import Mapping, load_mapping

from .conftest import KEY

BASE = """
name: t
table: orders
columns:
  order_id: 订单号
  ts: 时间
  product_id: 商品
  amount: {from: 金额, scale: 0.01}
  currency: {setting: currency}
  status:
    from: 状态
    values: {已支付: paid, 已退款: refunded}
"""


def write(tmp_path, text, name="m.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def raw(**cols):
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})


def good_raw():
    return raw(订单号=["a", "b"], 时间=["2024-03-05 10:00", "2024-03-05 11:00"],
               商品=["p", "p"], 金额=["100", "250"], 状态=["已支付", "已退款"])


def test_loads_from_path_and_applies(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE))
    assert isinstance(m, Mapping) and m.table == "orders"
    assert m.source_columns == ("订单号", "时间", "商品", "金额", "状态")
    chunk = m.apply(good_raw(), key=KEY, settings=settings)
    assert chunk.table.column_names == ["order_id", "ts", "product_id", "amount", "currency",
                                        "status"]
    assert chunk.table.column("currency").to_pylist() == ["CNY", "CNY"]
    assert chunk.table.column("status").to_pylist() == ["paid", "refunded"]
    assert chunk.identities is None and chunk.errors == []


def test_string_path_is_accepted(tmp_path):
    assert load_mapping(str(write(tmp_path, BASE))).name == "t"


def test_headers_match_loosely(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE.replace("商品", "商品 名称（元）")))
    r = raw(订单号=["a"], 时间=["2024-03-05"], **{"商品名称(元)": ["p"]}, 金额=["1"], 状态=["已支付"])
    assert m.apply(r, key=KEY, settings=settings).table.column("product_id").to_pylist() == ["p"]


def test_missing_columns_name_them_and_suggest(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE))
    r = good_raw().drop_columns(["订单号", "金额"]).append_column("订单号码", pa.array(["a", "b"]))
    with pytest.raises(MissingColumnsError) as info:
        m.apply(r, key=KEY, settings=settings)
    err = info.value
    assert isinstance(err, InputError) and isinstance(err, ValueError)
    assert "'订单号'" in str(err) and "'金额'" in str(err)
    assert "did you mean '订单号码'" in str(err)
    assert err.missing == ["订单号", "金额"]


def test_alternatives_first_present_wins_with_own_options(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE.replace(
        "amount: {from: 金额, scale: 0.01}",
        "amount: {from: [{header: 金额(元)}, {header: 金额, scale: 0.01}]}")))
    r = good_raw()
    assert m.apply(r, key=KEY, settings=settings).table.column("amount").to_pylist()[0] == 1
    r2 = r.rename_columns([c if c != "金额" else "金额(元)" for c in r.column_names])
    assert m.apply(r2, key=KEY, settings=settings).table.column("amount").to_pylist()[0] == 100


def test_unmapped_values(tmp_path, settings):
    r = good_raw().set_column(4, "状态", pa.array(["已支付", "处理中"]))
    chunk = load_mapping(write(tmp_path, BASE)).apply(r, key=KEY, settings=settings)
    assert chunk.table.column("status").to_pylist() == ["paid", None]
    (err,) = chunk.errors
    assert (err.row, err.column, err.value) == (1, "状态", "处理中")
    assert err.reason.startswith("value not in mapping")
    keep = load_mapping(write(tmp_path, BASE.replace(
        "values: {已支付: paid, 已退款: refunded}",
        "values: {已支付: paid, 已退款: refunded}\n    unmapped: keep"), "k.yaml"))
    chunk = keep.apply(r, key=KEY, settings=settings)
    assert chunk.table.column("status").to_pylist() == ["paid", "处理中"] and not chunk.errors


def test_parse_errors_name_the_source_column(tmp_path, settings):
    r = good_raw().set_column(1, "时间", pa.array(["2024-03-05", "soon"]))
    chunk = load_mapping(write(tmp_path, BASE)).apply(r, key=KEY, settings=settings)
    assert [(e.row, e.column, e.value, e.reason) for e in chunk.errors] == [
        (1, "时间", "soon", "not a valid timestamp")]


def test_timezone_and_format_rules(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE.replace(
        "ts: 时间", "ts: {from: 时间, format: '%Y年%m月%d日 %H:%M', timezone: UTC}")))
    r = good_raw().set_column(1, "时间", pa.array(["2024年3月5日 10:00", "2024-03-05 10:00"]))
    chunk = m.apply(r, key=KEY, settings=settings)
    assert chunk.table.column("ts")[0].as_py().isoformat() == "2024-03-05T10:00:00+00:00"
    assert [e.row for e in chunk.errors] == [1]


def test_derive_concat_and_optional(tmp_path, settings):
    m = load_mapping(write(tmp_path, BASE.replace("order_id: 订单号", """order_id:
    derive: concat
    of: [商品, 订单号]
    sep: "-"
  coupon_id: {from: 优惠券, optional: true}""")))
    chunk = m.apply(good_raw(), key=KEY, settings=settings)
    assert chunk.table.column("order_id").to_pylist() == ["p-a", "p-b"]
    assert "coupon_id" not in chunk.table.column_names


def test_empty_chunk(tmp_path, settings):
    r = good_raw().slice(0, 0)
    chunk = load_mapping(write(tmp_path, BASE)).apply(r, key=KEY, settings=settings)
    assert chunk.table.num_rows == 0 and chunk.table.column("currency").type == pa.string()


@pytest.mark.parametrize(("change", "message", "line"), [
    (("table: orders", "table: order"), "unknown table 'order' (did you mean 'orders'?)", 3),
    (("  ts: 时间", "  ts: 时间\n  tss: x"), "unknown key 'tss' (did you mean 'ts'?)", 7),
    (("scale: 0.01", "scale: fen"), "scale must be a non-zero number", 8),
    (("{setting: currency}", "{const: RMB, setting: currency}"), "give exactly one of", 9),
    (("{setting: currency}", "{setting: money}"), "unknown setting 'money'", 9),
    (("已退款: refunded", "已退款: returned"), "'returned' is not allowed in status", 12),
    (("amount: {from: 金额, scale: 0.01}", "amount: {from: 金额, format: '%Y'}"),
     "format applies to date/timestamp columns", 8),
    (("  ts: 时间", "  ts: {from: 时间, timezone: Beijing}"), "unknown time zone", 6),
    (("  ts: 时间", "  ts: {from: 时间, dtype: money}"), "unknown dtype 'money'", 6),
    (("name: t", "name: t\ncolour: red"), "unknown key 'colour'", 3),
    (("  product_id: 商品", "  platform: {const: wechatt}"), "did you mean 'wechat'?", 7),
])
def test_malformed_mappings_say_where_and_what(tmp_path, change, message, line):
    path = write(tmp_path, BASE.replace(*change))
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    err = info.value
    assert message in str(err)
    assert err.file == str(path) and err.line == line
    assert str(err).startswith(f"{path}:{line}: ")


def test_invalid_yaml_syntax(tmp_path):
    with pytest.raises(MappingError, match="not valid YAML") as info:
        load_mapping(write(tmp_path, "name: [unclosed\ntable: orders\n"))
    assert info.value.line is not None


def test_missing_required_keys_and_files(tmp_path):
    with pytest.raises(MappingError, match="missing required key 'columns'"):
        load_mapping(write(tmp_path, "name: x\ntable: orders\n"))
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(tmp_path / "nope.yaml")
    with pytest.raises(MappingError, match="did you mean 'kajabi_affiliates'"):
        load_mapping("kajabi_affiliate")


IDENTITY = BASE + """
identity:
  - column: user_key
    id: 用户ID
    platform: xiaoe
    link: {kind: phone, from: 手机号, normalize: phone}
"""


def test_identity_rules(tmp_path, settings):
    from kpgrowth.identity import user_key

    m = load_mapping(write(tmp_path, IDENTITY))
    assert "用户ID" in m.source_columns
    r = good_raw().append_column("用户ID", pa.array(["u1", " u1 "])).append_column(
        "手机号", pa.array(["+86 138-0013-8000", ""]))
    chunk = m.apply(r, key=KEY, settings=settings)
    expected = user_key(KEY, "xiaoe", "u1", link=("phone", "13800138000"))
    assert chunk.table.column("user_key").to_pylist() == [expected, expected]
    (row,) = chunk.identities.to_pylist()
    assert row["external_id"] == "u1" and row["link_kind"] == "phone"
    assert "13800138000" not in str(chunk.identities.to_pylist()) + str(chunk.table.to_pylist())


@pytest.mark.parametrize(("yaml_text", "message"), [
    (IDENTITY + "  - {column: referrer_user_key, id: 推广员, platform: wechatt}",
     "unknown platform 'wechatt'"),
    (IDENTITY + "  - {column: referrer, id: 推广员, platform: xiaoe}",
     "has no column 'referrer'"),
    (IDENTITY.replace("  product_id: 商品", "  product_id: 用户ID"), "would leak raw ids"),
    (IDENTITY.replace("  product_id: 商品", "  product_id: {derive: concat, of: [手机号]}"),
     "would leak raw ids"),
    (IDENTITY + "  - {column: user_key, id: 推广员, platform: xiaoe}", "filled twice"),
    (IDENTITY.replace("normalize: phone", "normalize: digits"), "normalize must be one of"),
])
def test_identity_validation(tmp_path, yaml_text, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(write(tmp_path, yaml_text))


def test_describe_is_readable(tmp_path):
    text = load_mapping(write(tmp_path, IDENTITY)).describe()
    assert text.splitlines()[0] == "t -> orders"
    assert "amount     <- 金额  [scale=0.01]" in text
    assert "user_key = user_key(xiaoe: 用户ID, linked by phone <- 手机号)" in text
