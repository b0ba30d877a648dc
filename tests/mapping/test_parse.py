"""parse_column: concrete cases per dtype, and hypothesis round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpgrowth.errors import InputError
from kpgrowth.ingest.parse import parse_column

UTC = dt.UTC
SH = dt.timezone(dt.timedelta(hours=8))


def parse(values, dtype, **kw):
    arr, errors = parse_column(pa.array(values, pa.string()), dtype, **kw)
    return arr.to_pylist(), errors


# -- numbers ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("1,234", 1234), ("1.2万", 12000), ("3.4w", 34000), ("3.4W", 34000), ("2亿", 200_000_000),
    ("1.5k", 1500), ("2千", 2000), (" 42 ", 42), ("１２３", 123), ("\u3000７\u3000", 7),
    ("10万+", 100_000), ("+5", 5), ("-5", -5), ("12.0", 12), ("1,234,567", 1_234_567),
])
def test_int64_accepts_what_exports_write(text, expected):
    assert parse([text], "int64") == ([expected], [])


@pytest.mark.parametrize(("text", "reason"), [
    ("1.5", "not a whole number"), ("abc", "not a number"), ("1,2", "not a number"),
    ("12..3", "not a number"), ("1.2.3万", "not a number"),
])
def test_int64_rejects_with_stable_reasons(text, reason):
    assert parse(["7", text], "int64") == ([7, None], [(1, reason)])


def test_nulls_and_null_tokens_are_not_errors():
    values, errors = parse(["", "  ", None, "-", "--", "N/A", "5"], "int64")
    assert values == [None] * 6 + [5]
    assert errors == []


@pytest.mark.parametrize(("text", "expected"), [
    ("12.5%", 0.125), ("¥12.50", 12.5), ("￥3", 3.0), ("$4.25", 4.25), ("1e3", 1000.0),
    ("8.5秒", 8.5), ("7.9s", 7.9), ("1,234.5", 1234.5), ("USD 10", 10.0), ("12元", 12.0),
])
def test_float64(text, expected):
    values, errors = parse([text], "float64")
    assert errors == []
    assert values[0] == pytest.approx(expected)


def test_percent_format_reads_bare_numbers_as_percents():
    values, _ = parse(["45", "45%", "12.5"], "float64", fmt="percent")
    assert values == pytest.approx([0.45, 0.45, 0.125])


def test_plain_format_refuses_abbreviations():
    assert parse(["1.2万"], "int64", fmt="plain") == ([None], [(0, "not a number")])


def test_decimal_scale_fen_to_yuan():
    values, errors = parse(["12345", "1", "", "¥1,999.00"], "decimal", scale=0.01)
    assert values == [Decimal("123.45"), Decimal("0.01"), None, Decimal("19.99")]
    assert errors == []


def test_decimal_is_decimal128_18_2():
    arr, _ = parse_column(pa.array(["1.005", "99"]), "decimal")
    assert arr.type == pa.decimal128(18, 2)


def test_int_scale_must_stay_whole():
    assert parse(["150", "15"], "int64", scale=0.1) == ([15, None], [(1, "not a whole number")])


def test_fast_path_and_slow_path_agree():
    clean = [str(i) for i in range(1000)]
    dirty = clean + ["1,000"]
    fast, _ = parse(clean, "int64")
    slow, _ = parse(dirty, "int64")
    assert slow[:-1] == fast and slow[-1] == 1000


def test_chunked_and_non_string_input():
    arr, errors = parse_column(pa.chunked_array([["1", "2"], ["3万"]]), "int64")
    assert arr.to_pylist() == [1, 2, 30000] and errors == []
    arr, _ = parse_column(pa.array([1, 2]), "float64")
    assert arr.to_pylist() == [1.0, 2.0]


def test_unknown_dtype_and_format_raise_input_error():
    with pytest.raises(InputError, match="unknown dtype"):
        parse_column(pa.array(["1"]), "money")
    with pytest.raises(InputError, match="unknown number format"):
        parse_column(pa.array(["1"]), "int64", fmt="%Y")
    with pytest.raises(InputError, match="time zone"):
        parse_column(pa.array(["2024-03-05"]), "timestamp", tz="Mars/Base")


# -- booleans and strings -----------------------------------------------------------------------
def test_boolean():
    values, errors = parse(["true", "FALSE", "是", "否", "1", "0", "Y", "ｙｅｓ", "", "maybe"],
                           "boolean")
    assert values == [True, False, True, False, True, False, True, True, None, None]
    assert errors == [(9, "not true/false")]


def test_string_is_trimmed_and_empty_is_null():
    assert parse([" a ", "", None, "-"], "string") == (["a", None, None, "-"], [])


# -- timestamps -------------------------------------------------------------------------------
def at(*args, tz=SH):
    return dt.datetime(*args, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-05T10:00:00+08:00", at(2024, 3, 5, 10)),
    ("2024-03-05T02:00:00Z", at(2024, 3, 5, 2, tz=UTC)),
    ("2024-03-05 10:00:00", at(2024, 3, 5, 10)),
    ("2024-03-05 10:00", at(2024, 3, 5, 10)),
    ("2024/03/05 10:00", at(2024, 3, 5, 10)),
    ("2024-3-5", at(2024, 3, 5)),
    ("2024/3/5 8:01", at(2024, 3, 5, 8, 1)),
    ("2024年3月5日", at(2024, 3, 5)),
    ("2024年03月05日 14:30", at(2024, 3, 5, 14, 30)),
    ("2024年3月5日 14时30分", at(2024, 3, 5, 14, 30)),
    ("20240305", at(2024, 3, 5)),
    ("2024-03-05 10:00:00.250", at(2024, 3, 5, 10, 0, 0, 250_000)),
    ("2024-03-05 14:02:11 UTC", at(2024, 3, 5, 14, 2, 11, tz=UTC)),
    ("２０２４－０３－０５", at(2024, 3, 5)),
    ("Mar 7, 2024", at(2024, 3, 7)),
    ("1709604000", at(2024, 3, 5, 10)),
    ("1709604000000", at(2024, 3, 5, 10)),
])
def test_timestamp_layouts(text, expected):
    values, errors = parse(["2024-01-01 00:00:00", text], "timestamp")
    assert errors == []
    assert values[1] == expected


def test_chinese_date_in_shanghai_is_previous_day_utc():
    values, _ = parse(["2024年3月5日"], "timestamp")
    assert values[0].isoformat() == "2024-03-04T16:00:00+00:00"


def test_timestamp_type_and_timezone_argument():
    arr, _ = parse_column(pa.array(["2024-03-05 10:00:00"]), "timestamp", tz="UTC")
    assert arr.type == pa.timestamp("us", "UTC")
    assert arr[0].as_py() == at(2024, 3, 5, 10, tz=UTC)


@pytest.mark.parametrize("bad", ["2024-02-30", "2023-02-29 10:00", "2024-13-01", "2024年3月32日",
                                 "tomorrow", "45356", "2024-03-05 25:00"])
def test_invalid_timestamps_are_errors(bad):
    values, errors = parse(["2024-03-05", bad], "timestamp")
    assert values[1] is None
    assert errors == [(1, "not a valid timestamp")]


def test_excel_serials_whole_column_or_explicit():
    values, errors = parse(["45356", "45356.5"], "timestamp")
    assert errors == [] and values == [at(2024, 3, 5), at(2024, 3, 5, 12)]
    values, errors = parse(["45356.25"], "timestamp", fmt="excel")
    assert values == [at(2024, 3, 5, 6)]


def test_epochs_explicit_and_by_magnitude():
    assert parse(["1709604000"], "timestamp", fmt="epoch_s")[0] == [at(2024, 3, 5, 10)]
    assert parse(["1709604000123"], "timestamp", fmt="epoch_ms")[0] == [
        at(2024, 3, 5, 10, 0, 0, 123_000)]
    values, _ = parse(["1709604000", "1709604000000"], "timestamp")
    assert values == [at(2024, 3, 5, 10)] * 2


def test_explicit_strptime_format():
    values, errors = parse(["2024年3月5日", "2024年03月06日", "2024-03-07", "2024年2月30日"],
                           "timestamp", fmt="%Y年%m月%d日")
    assert values[:2] == [at(2024, 3, 5), at(2024, 3, 6)]
    assert errors == [(2, "not a valid timestamp"), (3, "not a valid timestamp")]


def test_date_is_local_date():
    values, errors = parse(["2024-03-05T23:30:00Z", "20240305", "2024/3/5 23:59", "bad"], "date")
    assert values == [dt.date(2024, 3, 6), dt.date(2024, 3, 5), dt.date(2024, 3, 5), None]
    assert errors == [(3, "not a valid date")]


def test_mixed_naive_and_offset_values():
    values, errors = parse(["2024-03-05T10:00:00", "2024-03-05T10:00:00+00:00", ""], "timestamp")
    assert errors == [] and values == [at(2024, 3, 5, 10), at(2024, 3, 5, 10, tz=UTC), None]


# -- properties -------------------------------------------------------------------------------
ints = st.integers(min_value=-(10**15), max_value=10**15)


@given(st.lists(ints, min_size=1, max_size=30))
def test_thousands_separators_round_trip(numbers):
    values, errors = parse([f"{n:,}" for n in numbers], "int64")
    assert errors == [] and values == numbers


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
       st.sampled_from(["万", "w", "W"]))
def test_wan_round_trips(hundreds, suffix):
    numbers = [h * 100 for h in hundreds]  # 万 with up to two decimals
    texts = [f"{Decimal(n) / 10000:f}{suffix}" for n in numbers]
    values, errors = parse(texts, "int64")
    assert errors == [] and values == numbers


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2,
                            allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_money_round_trips_exactly(amounts):
    values, errors = parse([f"¥{a:,.2f}" for a in amounts], "decimal")
    assert errors == [] and values == [a.quantize(Decimal("0.01")) for a in amounts]


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30))
def test_fen_scale_round_trips(fen):
    values, _ = parse([str(f) for f in fen], "decimal", scale=0.01)
    assert values == [Decimal(f).scaleb(-2) for f in fen]


LAYOUTS = [
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"),
    lambda d: d.strftime("%Y/%m/%d %H:%M:%S"),
    lambda d: d.strftime("%Y年%m月%d日 %H:%M:%S"),
    lambda d: f"{d.year}-{d.month}-{d.day} {d.hour}:{d.minute:02d}:{d.second:02d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日 {d.hour}时{d.minute}分{d.second}秒",
    lambda d: d.replace(tzinfo=SH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    lambda d: d.replace(tzinfo=SH).isoformat(),
    lambda d: str(int(d.replace(tzinfo=SH).timestamp())),
    lambda d: str(int(d.replace(tzinfo=SH).timestamp()) * 1000),
]
naive = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2099, 12, 31)
                     ).map(lambda d: d.replace(microsecond=0))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.lists(st.tuples(naive, st.integers(0, len(LAYOUTS) - 1)), min_size=1, max_size=20))
def test_any_datetime_in_any_layout_parses_back(items):
    texts = [LAYOUTS[i](d) for d, i in items]
    values, errors = parse(texts, "timestamp")
    assert errors == []
    assert values == [d.replace(tzinfo=SH).astimezone(UTC) for d, _ in items]


@given(st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
                min_size=1, max_size=20))
def test_dates_round_trip_compact_and_excel(dates):
    compact, _ = parse([d.strftime("%Y%m%d") for d in dates], "date")
    excel, _ = parse([str((d - dt.date(1899, 12, 30)).days) for d in dates], "date",
                     fmt="excel")
    assert compact == dates and excel == dates


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20),
       st.sampled_from(["int64", "float64", "decimal", "boolean", "date", "timestamp", "string"]))
def test_never_crashes_and_errors_point_at_non_empty_values(texts, dtype):
    arr, errors = parse_column(pa.array(texts, pa.string()), dtype)
    assert len(arr) == len(texts)
    for row, reason in errors:
        assert texts[row] is not None and texts[row].strip() != ""
        assert arr[row].as_py() is None
        assert reason


def test_large_int64_with_nulls_keeps_every_digit():
    arr, errors = parse_column(pa.array(["9007199254740993", None, "", "-9007199254740993"]), "int64")
    assert arr.to_pylist() == [9007199254740993, None, None, -9007199254740993]
    assert errors == []
