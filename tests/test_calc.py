"""The shared report arithmetic (xlbudget.calc)."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlbudget import calc
from xlbudget.calc import (
    ArithError,
    ZeroBaseError,
    code_level,
    growth,
    normalise_code,
    parent_code,
    pct,
    rate,
    sum_code,
    to_decimal,
)


def test_doctests() -> None:
    assert doctest.testmod(calc).failed == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        (0.1, Decimal("0.1")),
        (12, Decimal(12)),
        ("20,323.21", Decimal("20323.21")),
        ("２０３.５", Decimal("203.5")),
        ("-", Decimal(0)),
        ("—", Decimal(0)),
        ("——", Decimal(0)),
        ("12.5%", Decimal("0.125")),
        ("-3.20", Decimal("-3.20")),
    ],
)
def test_to_decimal(value: object, expected: Decimal | None) -> None:
    assert to_decimal(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "1.2.3", True, float("nan"), float("inf"), "Infinity"])
def test_to_decimal_rejects(bad: object) -> None:
    with pytest.raises(ArithError):
        to_decimal(bad)  # type: ignore[arg-type]


def test_half_up_not_bankers() -> None:
    # 1/8 = 12.5 %: banker's rounding would give 12 at 0 digits; the reports print 13.
    assert pct(1, 8, 0) == Decimal(13)
    # 0.125 → 0.13 (half up), where float round() gives 0.12.
    assert pct("0.125", 100, 2) == Decimal("0.13")
    assert round(0.125, 2) == 0.12
    # Negative halves round away from zero.
    assert growth(98.75, 100, 1) == Decimal("-1.3")


def test_pct_growth_rate_values() -> None:
    assert pct(3, 7) == Decimal("42.86")
    assert pct("1,000", "4,000", 1) == Decimal("25.0")
    assert growth(0, 50) == Decimal("-100.00")
    assert growth(150, 100, 0) == Decimal(50)
    assert rate(99.99, 100) == Decimal("99.99")
    assert rate(None, 100) == Decimal("0.00")
    assert str(pct(1, 3, 4)) == "33.3333"


@pytest.mark.parametrize(
    ("fn", "args"),
    [(pct, (5, 0)), (pct, (5, None)), (growth, (5, 0)), (growth, (5, "-")), (rate, (5, 0.0))],
)
def test_zero_base_is_an_error_not_100_percent(fn, args) -> None:
    with pytest.raises(ZeroBaseError) as err:
        fn(*args)
    assert "零" in str(err.value)
    assert isinstance(err.value, ZeroDivisionError)


@pytest.mark.parametrize("digits", [-1, 1.5, 11, "x"])
def test_bad_digits(digits: object) -> None:
    with pytest.raises(ArithError):
        pct(1, 2, digits)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "code", "level", "parent"),
    [
        ("2010301", "2010301", 3, "20103"),
        (2010301.0, "2010301", 3, "20103"),
        ("20103", "20103", 2, "201"),
        ("201", "201", 1, None),
        ("201 03 01", "2010301", 3, "20103"),
        ("2010301 行政运行", "2010301", 3, "20103"),
        ("30101", "30101", 2, "301"),
        ("一般公共服务支出", None, 0, None),
        ("合计", None, 0, None),
        (None, None, 0, None),
        (20230101, None, 0, None),
        (12.5, None, 0, None),
        ("12", None, 0, None),
    ],
)
def test_codes(value: object, code: str | None, level: int, parent: str | None) -> None:
    assert normalise_code(value) == code  # type: ignore[arg-type]
    assert code_level(value) == level  # type: ignore[arg-type]
    assert parent_code(value) == parent  # type: ignore[arg-type]


def test_sum_code_counts_lowest_level_once() -> None:
    codes = ["合计", "201", "20101", "2010101", "2010102", "20103", "205", "20502", "2050201"]
    values = [100, 60, 40, 25, 15, 20, 40, 40, 40]
    # 20103 has no 项 listed, so it is itself a lowest-level row.
    assert sum_code(codes, values, "201") == Decimal(60)
    assert sum_code(codes, values, "20101") == Decimal(40)
    assert sum_code(codes, values, 2010102) == Decimal(15)
    with pytest.raises(ArithError):  # a 1-digit prefix is not a code
        sum_code(codes, values, "2")


def test_sum_code_skips_missing_middle_level_and_blanks() -> None:
    # A 项 without its 款 still makes the 类 a parent.
    assert sum_code(["201", "2010101", "2010102"], [9, 4, None], "201") == Decimal(4)
    assert sum_code(["201", "2010101", "2010102"], [9, 4, "-"], "201") == Decimal(4)
    assert sum_code([201.0, 20101.0], [1.1, 2.2], 201.0) == Decimal("2.2")


def test_sum_code_errors() -> None:
    with pytest.raises(ArithError, match="应相同"):
        sum_code(["201"], [1, 2], "201")
    with pytest.raises(ArithError, match="编码"):
        sum_code(["201"], [1], "合计")


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12))
def test_sum_code_equals_leaf_sum_of_a_consistent_tree(leaves: list[int]) -> None:
    # Build 类 201 with one 款 per pair of leaves; totals are consistent, so the leaf sum must
    # equal the 类 total whatever order the rows are listed in.
    codes, values = ["201"], [sum(leaves)]
    for i in range(0, len(leaves), 2):
        kuan = f"201{i // 2 + 1:02d}"
        pair = leaves[i:i + 2]
        codes.append(kuan)
        values.append(sum(pair))
        for j, v in enumerate(pair):
            codes.append(f"{kuan}{j + 1:02d}")
            values.append(v)
    assert sum_code(codes, values, "201") == Decimal(sum(leaves))
    assert sum_code(list(reversed(codes)), list(reversed(values)), "201") == Decimal(sum(leaves))
