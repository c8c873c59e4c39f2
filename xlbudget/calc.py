"""The report arithmetic, on plain values: shares, growth and completion rates rounded half up,
classification code level and parent, and sums of the lowest-level rows under a code prefix.

Shared by the Excel UDFs (``xlbudget.excel.udfs``) and the narrative checker, so that a figure
computed in a cell and a figure checked in the text agree to the last digit. Nothing here knows
about Excel; inputs are what a cell or a parsed table gives (numbers, numeric text, blanks).

>>> pct(1234.5, 5000)
Decimal('24.69')
>>> growth(110, 100)
Decimal('10.00')
>>> rate("95.5", 100, digits=1)
Decimal('95.5')
>>> code_level("2010301"), parent_code("2010301")
(3, '20103')
>>> sum_code(["201", "20101", "2010101", "2010102", "205"], [9, 9, 4, 5, 7], "201")
Decimal('9')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xlbudget.codes import parent_code as _parent_of_normalised

__all__ = [
    "ArithError",
    "ZeroBaseError",
    "code_level",
    "growth",
    "normalise_code",
    "parent_code",
    "pct",
    "rate",
    "round_half_up",
    "sum_code",
    "to_decimal",
]

Number = Decimal | float | int | str | None

#: Cell texts that the reports use for zero (domain reference §0.4).
_ZERO_TEXTS = frozenset({"-", "—", "－", "--", "——", "/"})
#: Code lengths of 类/款/项 (function codes 3/5/7 digits; economic codes 3/5).
_LEVELS = {3: 1, 5: 2, 7: 3}
_CODE_TEXT = re.compile(r"^(\d{3})(?:[\s\-.]*(\d{2}))?(?:[\s\-.]*(\d{2}))?")


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round as the reports print figures (half up, away from zero)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


class ArithError(ValueError):
    """A value that cannot be used; the message is Chinese."""


class ZeroBaseError(ArithError, ZeroDivisionError):
    """The base of a share, growth or rate is zero: the figure does not exist (never "100%")."""


def to_decimal(value: Number) -> Decimal | None:
    """A cell value as an exact Decimal; None for a blank cell.

    Floats go through ``repr`` (shortest round-trip text), so 0.1 becomes Decimal('0.1'), not the
    binary expansion. Text may carry thousands separators, full-width digits, a trailing % or one
    of the dashes that mean zero. Anything else raises ArithError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ArithError(f"不是数值：{value}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ArithError(f"不是有限数值：{value}")
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if not text:
        return None
    if text in _ZERO_TEXTS or set(text) <= {"-", "—"}:
        return Decimal(0)
    percent = text.endswith("%")
    try:
        d = Decimal(text.rstrip("%"))
    except InvalidOperation as exc:
        raise ArithError(f"不是数值：{value!r}") from exc
    if not d.is_finite():
        raise ArithError(f"不是有限数值：{value!r}")
    return d / 100 if percent else d


def _required(value: Number) -> Decimal:
    d = to_decimal(value)
    return Decimal(0) if d is None else d


def _digits(digits: Number) -> int:
    d = to_decimal(digits)
    if d is None:
        return 2
    if d != d.to_integral_value() or not 0 <= d <= 10:
        raise ArithError(f"小数位数应为 0 到 10 的整数，而不是 {digits}")
    return int(d)


def pct(part: Number, whole: Number, digits: Number = 2) -> Decimal:
    """Share of ``part`` in ``whole`` in percent (part / whole × 100), rounded half up.

    A blank counts as zero. A zero ``whole`` raises ZeroBaseError.
    """
    p, w = _required(part), _required(whole)
    if w == 0:
        raise ZeroBaseError("总数为零，占比无意义")
    return round_half_up(p * 100 / w, _digits(digits))


def growth(current: Number, previous: Number, digits: Number = 2) -> Decimal:
    """Growth in percent ((current − previous) / previous × 100), rounded half up.

    A zero ``previous`` raises ZeroBaseError: growth from nothing is not "100%". The base is
    taken as it is, so a negative base (a deficit balance) gives the sign the formula gives.
    """
    c, p = _required(current), _required(previous)
    if p == 0:
        raise ZeroBaseError("上年数为零，增长率无意义")
    return round_half_up((c - p) * 100 / p, _digits(digits))


def rate(final: Number, budget: Number, digits: Number = 2) -> Decimal:
    """Completion rate in percent (final / budget × 100), rounded half up.

    A zero ``budget`` raises ZeroBaseError: spending without a budget has no completion rate.
    """
    f, b = _required(final), _required(budget)
    if b == 0:
        raise ZeroBaseError("预算数为零，完成率无意义")
    return round_half_up(f * 100 / b, _digits(digits))


def normalise_code(value: Number) -> str | None:
    """A classification code as digits (``'2010301'``), or None when the value holds no code.

    Accepts numbers (2010301.0), text with a trailing name (``'2010301 行政运行'``) and split forms
    (``'201 03 01'``, ``'201-03'``).
    """
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _CODE_TEXT.match(text)
    if m is None:
        return None
    code = "".join(g for g in m.groups() if g)
    # A longer run of digits (an amount, a year) is not a code.
    rest = text[m.end():]
    if rest[:1].isdigit():
        return None
    return code


def code_level(code: Number) -> int:
    """1 for 类 (3 digits), 2 for 款 (5), 3 for 项 (7); 0 when the value is not a code."""
    c = normalise_code(code)
    return _LEVELS.get(len(c), 0) if c else 0


def parent_code(code: Number) -> str | None:
    """The parent code (项 → 款 → 类); None for a 类 or a value that is not a code."""
    c = normalise_code(code)
    return _parent_of_normalised(c) if c else None


def sum_code(codes: Sequence[Number], values: Sequence[Number], prefix: Number) -> Decimal:
    """Sum of the lowest-level rows whose code starts with ``prefix``.

    A row counts only when no other listed row is below it, so a table that lists 类, 款 and 项
    together is not counted twice. Rows without a code (合计, blank lines) are skipped; blank
    values count as zero.
    """
    if len(codes) != len(values):
        raise ArithError(f"编码区域有 {len(codes)} 个单元格，数值区域有 {len(values)} 个，应相同")
    want = normalise_code(prefix)
    if want is None:
        raise ArithError(f"不是科目编码：{prefix!r}")
    rows = [(c, v) for c, v in zip((normalise_code(c) for c in codes), values, strict=True)
            if c is not None and c.startswith(want)]
    listed = {c for c, _ in rows}
    parents = _ancestors(listed)
    return sum((_required(v) for c, v in rows if c not in parents), Decimal(0))


def _ancestors(codes: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for c in codes:
        p = _parent_of_normalised(c)
        while p is not None:
            out.add(p)
            p = _parent_of_normalised(p)
    return out
