"""Each built-in mapping applied to a sample export written from its documented columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from kpgrowth.identity import link_hash, user_key
from kpgrowth.ingest.mapping import detect_mapping, list_builtin_mappings, load_mapping
from kpgrowth.schema import TABLES
from kpgrowth.store.base import conform

from .conftest import KEY, read_csv, read_xlsx

UTC = dt.UTC


def apply(name, raw, settings):
    chunk = load_mapping(name).apply(raw, key=KEY, settings=settings)
    conform(TABLES[load_mapping(name).table], chunk.table)  # the store accepts it as is
    return chunk


def assert_no_raw(chunk, raw_values):
    cells = {str(v) for col in chunk.table.columns for v in col.to_pylist() if v is not None}
    leaked = {v for v in raw_values if any(v.lower() in c.lower() for c in cells)}
    assert not leaked


def test_builtins_are_listed_and_load():
    assert list_builtin_mappings() == ["douyin_video", "kajabi_affiliates", "wechat_article",
                                       "xiaoe_orders", "xiaoe_promoter_orders"]
    for name in list_builtin_mappings():
        m = load_mapping(name)
        assert m.name == name and m.source_columns and name in m.describe()


def test_wechat_article_gbk_export(settings):
    raw = read_csv("wechat_article.csv", encoding="gb18030")
    chunk = apply("wechat_article", raw, settings)
    rows = chunk.table.to_pylist()
    assert [r["views"] for r in rows] == [12000, 4100, 100000, 12000]
    assert [r["viewers"] for r in rows] == [9876, 3402, 86000, 10000]
    assert [r["shares"] for r in rows] == [356, 130, 2001, 52]
    assert [r["saves"] for r in rows] == [120, 41, 610, 11]
    assert rows[0]["completion_rate"] == pytest.approx(0.452)
    assert rows[2]["completion_rate"] == pytest.approx(0.385)
    assert rows[0]["date"] == dt.date(2024, 3, 5) and rows[0]["platform"] == "wechat"
    # one article, one id across days; another article, another id
    ids = [r["post_id"] for r in rows]
    assert ids[0] == ids[1] != ids[2] == ids[3] and ids[0].startswith("wx_")
    # "不详" is not a rate: reported against the source column, cell left null
    assert [(e.row, e.column, e.value, e.reason) for e in chunk.errors] == [
        (3, "阅读完成率", "不详", "not a number")]
    assert rows[3]["completion_rate"] is None
    assert chunk.identities is None
    assert chunk.sources["views"] == "阅读次数"


def test_wechat_post_id_ignores_date_layout(settings):
    m = load_mapping("wechat_article")
    a = pa.table({"文章标题": ["T"], "发表时间": ["2024年3月5日"], "日期": ["2024-03-05"],
                  "阅读次数": ["1"]})
    b = pa.table({"内容标题": ["T"], "发表时间": ["2024-03-05 20:00"], "日期": ["2024-03-06"],
                  "阅读次数": ["1"]})
    ida = m.apply(a, key=KEY, settings=settings).table.column("post_id")[0].as_py()
    idb = m.apply(b, key=KEY, settings=settings).table.column("post_id")[0].as_py()
    assert ida == idb


def test_douyin_open_platform_export(settings):
    chunk = apply("douyin_video", read_csv("douyin_video_api.csv"), settings)
    rows = chunk.table.to_pylist()
    assert [r["views"] for r in rows] == [34000, 12500, 980]
    assert [r["date"] for r in rows] == [dt.date(2024, 3, 5), dt.date(2024, 3, 6),
                                         dt.date(2024, 3, 6)]
    assert [r["follows"] for r in rows] == [35, 9, 0]
    assert rows[0]["post_id"].startswith("@9VwKzuuES8gmaXS7")
    assert chunk.errors == []


def test_douyin_creator_center_export(settings):
    chunk = apply("douyin_video", read_csv("douyin_video_creator.csv"), settings)
    rows = chunk.table.to_pylist()
    assert [r["views"] for r in rows] == [12000, 3560, None]
    assert [r["likes"] for r in rows] == [1020, 210, 0]
    assert rows[0]["completion_rate"] == pytest.approx(0.35)
    assert rows[1]["completion_rate"] == pytest.approx(0.312)
    assert rows[0]["avg_watch_seconds"] == pytest.approx(8.5)
    assert rows[1]["avg_watch_seconds"] == pytest.approx(7.9)
    assert rows[2]["avg_watch_seconds"] is None
    assert rows[0]["date"] == dt.date(2024, 3, 5)
    assert chunk.errors == []


def test_detect_mapping_on_fixture_headers():
    assert detect_mapping(read_csv("douyin_video_api.csv").column_names) == "douyin_video"
    assert detect_mapping(read_csv("xiaoe_orders.csv").column_names) == "xiaoe_orders"
    assert detect_mapping(read_csv("kajabi_affiliates.csv").column_names) == "kajabi_affiliates"


def test_xiaoe_orders(settings):
    raw = read_csv("xiaoe_orders.csv")
    assert raw.column_names[0] == "订单号"
    chunk = apply("xiaoe_orders", raw, settings)
    rows = chunk.table.to_pylist()
    assert [r["amount"] for r in rows] == [Decimal("123.45"), Decimal("99.00"),
                                           Decimal("19.90"), Decimal("1999.00"), None]
    assert [r["status"] for r in rows] == ["paid", "refunded", "paid", "cancelled", None]
    assert rows[0]["ts"] == dt.datetime(2024, 3, 4, 16, 0, tzinfo=UTC)  # 2024年3月5日, Shanghai
    assert rows[2]["ts"] == dt.datetime(2024, 3, 6, 0, 0, tzinfo=UTC)
    assert rows[3]["ts"] == dt.datetime(2024, 3, 6, 13, 15, tzinfo=UTC)  # order time, unpaid
    assert {r["currency"] for r in rows} == {"CNY"} and {r["platform"] for r in rows} == {"xiaoe"}
    assert rows[0]["channel"] == "公众号菜单"
    errors = [(e.row, e.column, e.value, e.reason.split(" (")[0]) for e in chunk.errors]
    assert errors == [(4, "实付金额", "abc", "not a number"),
                      (4, "订单状态", "已发货", "value not in mapping")]
    # the same buyer (u_5f1a2b3c4d) has one user_key, linked by unionid on one of the rows
    linked = user_key(KEY, "xiaoe", "u_5f1a2b3c4d", link=("wechat_unionid", "oUnion_AAA111"))
    assert rows[0]["user_key"] == rows[2]["user_key"] == linked
    assert rows[1]["user_key"] == user_key(KEY, "xiaoe", "u_6a7b8c9d0e")
    ids = chunk.identities.to_pylist()
    assert len(ids) == 4 and sorted(r["external_id"] for r in ids) == [
        "u_5f1a2b3c4d", "u_6a7b8c9d0e", "u_7c8d9e0f1a", "u_8d9e0f1a2b"]
    first = next(r for r in ids if r["external_id"] == "u_5f1a2b3c4d")
    assert first["link_kind"] == "wechat_unionid"
    assert first["link_hash"] == link_hash(KEY, "wechat_unionid", "oUnion_AAA111")
    assert first["first_seen"] == dt.datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert chunk.identities.schema.names == list(TABLES["identities"].names)
    assert_no_raw(chunk, ["u_5f1a2b3c4d", "u_6a7b8c9d0e", "oUnion_AAA111", "oUnion_CCC333",
                          "13800138000", "13912345678", "小明", "Lily"])
    assert "oUnion_AAA111" not in str(chunk.identities.to_pylist())


def test_user_key_links_across_platforms_by_unionid(tmp_path, settings):
    """A WeChat follower export (custom YAML) and a Xiaoe order share a unionid."""
    yaml_path = tmp_path / "wechat_followers.yaml"
    yaml_path.write_text("""
name: wechat_followers
table: users
columns:
  first_seen: 关注时间
  first_platform: {const: wechat}
identity:
  - column: user_key
    id: openid
    platform: wechat
    link: {kind: wechat_unionid, from: unionid}
""", encoding="utf-8")
    followers = pa.table({"openid": ["o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "o6_other"],
                          "unionid": ["oUnion_AAA111", ""],
                          "关注时间": ["2024-01-02 08:00:00", "2024-01-03 09:00:00"]})
    wx = load_mapping(yaml_path).apply(followers, key=KEY, settings=settings)
    xe = load_mapping("xiaoe_orders").apply(read_csv("xiaoe_orders.csv"), key=KEY,
                                            settings=settings)
    wx_key = wx.table.column("user_key")[0].as_py()
    assert wx_key == xe.table.column("user_key")[0].as_py()
    assert wx.table.column("user_key")[1].as_py() != xe.table.column("user_key")[3].as_py()
    assert wx.identities.column("first_seen")[0].as_py() == dt.datetime(2024, 1, 2, 0, 0,
                                                                         tzinfo=UTC)


def test_xiaoe_promoter_orders_xlsx(tmp_path, settings):
    import openpyxl

    path = tmp_path / "推广订单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单号", "推广员ID", "推广员昵称", "上级推广员ID", "上级推广员昵称", "用户ID",
               "商品ID", "商品名称", "实付金额", "佣金", "订单状态", "下单时间"])
    ws.append(["o_1001", "u_prom_01", "小红", "u_sup_01", "大V老师", "u_buyer_9", "p_course_py",
               "三天学会Python", 19900, 3980, "已结算", dt.datetime(2024, 3, 5, 20, 15)])
    ws.append(["o_1002", "u_prom_02", "小蓝", None, None, "u_buyer_8", "p_live_03", "训练营",
               "9900", "990", "已退款", "2024-03-06 09:00:00"])
    ws.append(["o_1003", "u_prom_01", "小红", "u_sup_01", "大V老师", None, "p_live_03", "训练营",
               "9900", "1980", "", "2024年3月7日 10:30"])
    wb.save(path)
    chunk = apply("xiaoe_promoter_orders", read_xlsx(path), settings)
    rows = chunk.table.to_pylist()
    assert chunk.errors == []
    assert [r["amount"] for r in rows] == [Decimal("199.00"), Decimal("99.00"), Decimal("99.00")]
    assert [r["commission"] for r in rows] == [Decimal("39.80"), Decimal("9.90"),
                                               Decimal("19.80")]
    assert [r["status"] for r in rows] == ["paid", "refunded", "paid"]  # empty -> default
    assert rows[0]["ts"] == dt.datetime(2024, 3, 5, 12, 15, tzinfo=UTC)
    assert rows[2]["ts"] == dt.datetime(2024, 3, 7, 2, 30, tzinfo=UTC)
    assert rows[0]["referrer_user_key"] == rows[2]["referrer_user_key"] == user_key(
        KEY, "xiaoe", "u_prom_01")
    assert rows[0]["superior_user_key"] == user_key(KEY, "xiaoe", "u_sup_01")
    assert rows[1]["superior_user_key"] is None and rows[2]["user_key"] is None
    assert {r["channel"] for r in rows} == {"referral"}
    ext = sorted(chunk.identities.column("external_id").to_pylist())
    assert ext == ["u_buyer_8", "u_buyer_9", "u_prom_01", "u_prom_02", "u_sup_01"]
    assert_no_raw(chunk, ["u_prom_01", "u_sup_01", "u_buyer_9", "小红", "大V老师"])


def test_kajabi_affiliates(settings):
    chunk = apply("kajabi_affiliates", read_csv("kajabi_affiliates.csv"), settings)
    rows = chunk.table.to_pylist()
    assert chunk.errors == []
    assert [r["amount"] for r in rows] == [Decimal("97.00"), Decimal("1297.00"),
                                           Decimal("47.00")]
    assert [r["commission"] for r in rows] == [Decimal("29.10"), Decimal("389.10"),
                                               Decimal("14.10")]
    assert [r["status"] for r in rows] == ["paid", "pending", "refunded"]
    assert {r["currency"] for r in rows} == {"USD"}
    assert rows[0]["ts"] == dt.datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert rows[1]["ts"] == dt.datetime(2024, 3, 6, 9, 30, tzinfo=UTC)
    assert rows[0]["product_id"] == "Masterclass: Writing That Sells"
    # e-mails are case-insensitive; an affiliate who was a customer is one person
    assert rows[0]["referrer_user_key"] == rows[1]["referrer_user_key"]
    assert rows[2]["referrer_user_key"] == rows[0]["user_key"] == user_key(
        KEY, "kajabi", "ann.smith@mail.example", link=("email", "ann.smith@mail.example"))
    assert len({r["order_id"] for r in rows}) == 3
    assert all(r["order_id"].startswith("kj_") for r in rows)
    assert_no_raw(chunk, ["ann.smith@mail.example", "jane@coach.example", "bob@mail.example",
                          "Ann Smith", "Jane Doe"])
    ids = chunk.identities.to_pylist()
    assert {r["link_kind"] for r in ids} == {"email"}
    assert len(ids) == 4  # ann (customer + affiliate rows share platform+id), bob, carl, jane


def test_order_ids_are_keyed(settings):
    raw = read_csv("kajabi_affiliates.csv")
    m = load_mapping("kajabi_affiliates")
    a = m.apply(raw, key=KEY, settings=settings).table.column("order_id").to_pylist()
    b = m.apply(raw, key=bytes(32), settings=settings).table.column("order_id").to_pylist()
    assert a != b
