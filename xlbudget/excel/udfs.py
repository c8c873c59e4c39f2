"""Worksheet functions (UDFs) of the add-in: ``=XLB_PCT(B5,B20)`` and friends.

The arithmetic is ``xlbudget.calc`` (shared with the narrative checker); this module only adapts
Excel arguments and results. Docstrings and argument docs are the help Excel shows, so they are
Chinese. A figure that does not exist (a zero base) is an Excel error value, never a number.

Import in Excel with xlwings' "Import Functions" (UDF_MODULES = ``xlbudget.excel.udfs``).
xlwings reads UDF type hints as converters, so the Excel-facing signatures are typed ``Any``
(no conversion beyond xlwings' defaults and the ``@xw.arg`` options).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import xlwings as xw

from xlbudget import calc
from xlbudget.excel.workbook import FINDINGS_HEADER, analyse_book
from xlbudget.findings import SEVERITIES, SEVERITY_ZH, FileResult, problem_counts

CATEGORY = "xlbudget 决算"
#: COM error codes of Excel's error values (xlErrDiv0 …).
_COM_ERRORS = {"#DIV/0!": 2007, "#N/A": 2042, "#VALUE!": 2015}


def excel_error(text: str) -> Any:
    """Excel's error value ``text`` as a UDF result.

    Desktop Excel on Windows needs a COM VT_ERROR variant; everywhere else xlwings turns the
    error text (``"#DIV/0!"``) into the error value itself (its Office.js runtime does so).
    """
    try:
        import pythoncom
        from win32com.client import VARIANT
    except ImportError:
        return text
    return VARIANT(pythoncom.VT_ERROR, _COM_ERRORS[text])


def _number(value: Decimal) -> float:
    return float(value)


def _flat(values: Any) -> list[Any]:
    """A range argument (scalar, row, column or block) as one list, row by row."""
    if not isinstance(values, list | tuple):
        return [values]
    out: list[Any] = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, list | tuple) else [v])
    return out


def _percent(fn: Any, a: Any, b: Any, digits: Any) -> Any:
    try:
        return _number(fn(a, b, digits))
    except calc.ZeroBaseError:
        return excel_error("#DIV/0!")
    except calc.ArithError:
        return excel_error("#VALUE!")


@xw.func(category=CATEGORY)
@xw.arg("part", doc="部分数（如某项收入）")
@xw.arg("whole", doc="总数（如本年收入合计）；为零时结果为 #DIV/0!")
@xw.arg("digits", doc="保留小数位数，默认 2（四舍五入）")
def XLB_PCT(part: Any, whole: Any, digits: Any = 2) -> Any:
    """占比（%）= 部分数 ÷ 总数 × 100，按决算报告的四舍五入规则保留小数。总数为零时返回 #DIV/0!。"""
    return _percent(calc.pct, part, whole, digits)


@xw.func(category=CATEGORY)
@xw.arg("current", doc="本年数")
@xw.arg("previous", doc="上年数；为零时结果为 #DIV/0!（不是 100%）")
@xw.arg("digits", doc="保留小数位数，默认 2（四舍五入）")
def XLB_GROWTH(current: Any, previous: Any, digits: Any = 2) -> Any:
    """增长率（%）=（本年−上年）÷ 上年 × 100，四舍五入。上年为零时返回 #DIV/0!，不是 100%。"""
    return _percent(calc.growth, current, previous, digits)


@xw.func(category=CATEGORY)
@xw.arg("final", doc="决算数")
@xw.arg("budget", doc="预算数；为零时结果为 #DIV/0!")
@xw.arg("digits", doc="保留小数位数，默认 2（四舍五入）")
def XLB_RATE(final: Any, budget: Any, digits: Any = 2) -> Any:
    """完成率（%）= 决算数 ÷ 预算数 × 100，四舍五入。预算数为零时返回 #DIV/0!。"""
    return _percent(calc.rate, final, budget, digits)


@xw.func(category=CATEGORY)
@xw.arg("codes", ndim=2, doc="科目编码区域（如 T2 的科目编码列）")
@xw.arg("values", ndim=2, doc="金额区域，与编码区域大小相同")
@xw.arg("prefix", doc="科目编码前缀，如 201（类）或 20101（款）")
def XLB_SUMCODE(codes: Any, values: Any, prefix: Any) -> Any:
    """某科目编码下最末级科目的金额合计：类、款小计行不重复计算。"""
    try:
        return _number(calc.sum_code(_flat(codes), _flat(values), prefix))
    except calc.ArithError:
        return excel_error("#VALUE!")


@xw.func(category=CATEGORY)
@xw.arg("code", doc="科目编码，如 2010301")
def XLB_LEVEL(code: Any) -> Any:
    """科目级次：类（3 位）为 1，款（5 位）为 2，项（7 位）为 3；不是科目编码时为 0。"""
    return calc.code_level(code)


@xw.func(category=CATEGORY)
@xw.arg("code", doc="科目编码，如 2010301")
def XLB_PARENT(code: Any) -> Any:
    """上级科目编码：项 → 款 → 类（2010301 → 20103 → 201）。类没有上级，返回 #N/A。"""
    parent = calc.parent_code(code)
    if parent is None:
        return excel_error("#N/A" if calc.normalise_code(code) else "#VALUE!")
    return parent


@xw.func(category=CATEGORY, volatile=True)
def XLB_CHECK(caller: Any) -> Any:
    """本工作簿校验出的"错误"个数，0 表示未发现错误；可作状态单元格。"""
    try:
        _, analysis = analyse_book(caller.sheet.book)
    except Exception:  # a UDF cannot show a dialog; the cell shows the error value
        return excel_error("#VALUE!")
    if analysis.result.status == "error":  # no table recognised: nothing was checked
        return excel_error("#N/A")
    # problems as the command line counts them: a tie or a copied row is one error
    return problem_counts(analysis.result.findings).get("error", 0)


@xw.func(category=CATEGORY, volatile=True)
def XLB_FINDINGS(caller: Any) -> Any:
    """本工作簿的全部校验问题（一行一个，错误在前），以动态数组溢出显示：级别、规则、工作表、单元格、表中数、应为、说明。"""
    try:
        _, analysis = analyse_book(caller.sheet.book)
    except Exception:  # a UDF cannot show a dialog; the cell shows the error value
        return excel_error("#VALUE!")
    return findings_table(analysis.result)


def findings_table(result: FileResult) -> list[list[Any]]:
    """Header plus one row per finding, worst first; ``""`` for absent values (a spill needs
    a full rectangle). A workbook that could not be checked gives one row with the reason."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    rows = [list(FINDINGS_HEADER)]
    for f in sorted(result.findings, key=lambda f: rank.get(f.severity, len(rank))):
        rows.append([SEVERITY_ZH.get(f.severity, f.severity), f.rule, f.sheet or "",
                     f.cell or "", f.actual or "", f.expected or "", f.message])
    if len(rows) == 1:
        rows.append(["", "", "", "", "", "", result.error or "未发现问题"])
    return rows


@xw.func(category=CATEGORY, volatile=True)
@xw.arg("cell", "range", doc="要重算的合计（派生）单元格，如 B20")
def XLB_EXPECTED(cell: Any, caller: Any) -> Any:
    """合计、小计等派生单元格按其组成部分重算的值（本表单位和小数位）；否则 #N/A。"""
    try:
        _, analysis = analyse_book(caller.sheet.book)
        value = expected_value(analysis.identities, cell.sheet.name, cell.address.replace("$", ""))
    except Exception:  # a UDF cannot show a dialog; the cell shows the error value
        return excel_error("#VALUE!")
    return excel_error("#N/A") if value is None else _number(value)


def expected_value(identities: Iterable[Any], sheet: str, cell: str) -> Decimal | None:
    """The value ``sheet!cell`` must show when it is computed from its parts: from the first
    equality whose derived cell it is; None when no identity derives it."""
    for ident in identities:
        ref = ident.target.ref
        if ident.op == "=" and ref.sheet == sheet and ref.cell == cell:
            return ident.expected_for(ident.target)
    return None
