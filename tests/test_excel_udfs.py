"""The worksheet functions: on plain values, through xlwings' argument and result conversion,
and on a workbook (XLB_CHECK / XLB_FINDINGS / XLB_EXPECTED) through the JSON-book engine."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import xlwings as xw
from test_excel_payload import open_book, payload_from_grids, payload_from_xlsx

import xlbudget.excel.udfs as udfs
from xlbudget.engine import check_file
from xlbudget.excel.workbook import FINDINGS_HEADER
from xlbudget.findings import problem_counts
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, from_a1

UDFS = ["XLB_PCT", "XLB_GROWTH", "XLB_RATE", "XLB_SUMCODE", "XLB_LEVEL", "XLB_PARENT",
        "XLB_CHECK", "XLB_FINDINGS", "XLB_EXPECTED"]


def test_values() -> None:
    assert udfs.XLB_PCT(1234.5, 5000) == 24.69
    assert udfs.XLB_PCT(1, 8, 0) == 13.0  # half up, not to even
    assert udfs.XLB_PCT("20,323.21", "40,646.42") == 50.0
    assert udfs.XLB_GROWTH(110, 100) == 10.0
    assert udfs.XLB_GROWTH(98.75, 100, 1) == -1.3
    assert udfs.XLB_RATE(95.5, 100, 1) == 95.5
    assert udfs.XLB_LEVEL("2010301") == 3
    assert udfs.XLB_LEVEL(201.0) == 1
    assert udfs.XLB_LEVEL("合计") == 0
    assert udfs.XLB_PARENT(2010301.0) == "20103"
    assert udfs.XLB_PARENT("20103") == "201"


def test_zero_base_is_an_error_value_never_100_percent() -> None:
    # Off Windows, xlwings turns the error text into Excel's error value (see the runtime test).
    assert udfs.XLB_GROWTH(50, 0) == "#DIV/0!"
    assert udfs.XLB_GROWTH(50, None) == "#DIV/0!"
    assert udfs.XLB_PCT(5, 0) == "#DIV/0!"
    assert udfs.XLB_RATE(12, "-") == "#DIV/0!"
    assert udfs.XLB_PCT("abc", 5) == "#VALUE!"
    assert udfs.XLB_PCT(1, 5, 1.5) == "#VALUE!"
    assert udfs.XLB_PARENT("201") == "#N/A"
    assert udfs.XLB_PARENT("合计") == "#VALUE!"


def test_sumcode_takes_ranges_of_any_shape() -> None:
    codes = [["合计"], ["201"], ["20101"], [2010101.0], [2010102.0], ["20103"], ["205"]]
    values = [[100], [60], [40], [25], [15], [20], [40]]
    assert udfs.XLB_SUMCODE(codes, values, "201") == 60.0
    assert udfs.XLB_SUMCODE(codes, values, 20101) == 40.0
    # a row of codes against a column of values, same size
    row = [["201", "20101", "2010101"]]
    assert udfs.XLB_SUMCODE(row, [[9], [9], [9]], "201") == 9.0
    assert udfs.XLB_SUMCODE(codes, values[:-1], "201") == "#VALUE!"
    assert udfs.XLB_SUMCODE(codes, values, "合计") == "#VALUE!"


@pytest.fixture(scope="module")
def runtime() -> Iterator[ModuleType]:
    """The UDF module as xlwings registers it: decorated by xlwings' own decorators.

    On Linux ``xw.func`` and friends are no-ops, so the module is re-imported under the
    decorators of xlwings' Office.js custom-function runtime, which build the same argument
    metadata (docs, ``ndim``, optional defaults) and run the real conversion.
    """
    from xlwings.pro import udfs_officejs as ojs

    saved = (xw.func, xw.arg, xw.ret)
    xw.func, xw.arg, xw.ret = ojs.xlfunc, ojs.xlarg, ojs.xlret
    try:
        module = importlib.reload(udfs)
    finally:
        xw.func, xw.arg, xw.ret = saved
    yield module
    importlib.reload(udfs)


def _call(module: ModuleType, name: str, *args: Any) -> Any:
    """One call as Excel makes it: every argument a 2-D array (a cell is [[v]])."""
    from xlwings.pro import udfs_officejs as ojs

    data = {"func_name": name, "args": list(args), "version": xw.__version__,
            "client": "Office.js", "runtime": "1.4", "culture_info_name": "zh-CN",
            "date_format": "yyyy/m/d"}
    return asyncio.run(ojs.custom_functions_call(data, module))


def test_through_xlwings_conversion(runtime: ModuleType) -> None:
    assert _call(runtime, "XLB_PCT", [[1234.5]], [[5000.0]]) == [[24.69]]
    # an omitted optional argument arrives empty and takes the default
    assert _call(runtime, "XLB_PCT", [[1.0]], [[8.0]], [[None]]) == [[12.5]]
    assert _call(runtime, "XLB_PCT", [[1.0]], [[8.0]], [[0.0]]) == [[13.0]]
    assert _call(runtime, "XLB_GROWTH", [[5.0]], [[None]]) == [[{"type": "Error",
                                                                  "errorType": "Div0"}]]
    assert _call(runtime, "XLB_RATE", [[5.0]], [[0.0]]) == [[{"type": "Error",
                                                               "errorType": "Div0"}]]
    codes = [["201"], ["20101"], [2010101.0], [2010102.0], ["205"]]
    assert _call(runtime, "XLB_SUMCODE", codes, [[9.0], [9.0], [4.0], [5.0], [7.0]],
                 [["201"]]) == [[9.0]]
    # a single-cell range reaches the function as a 2-D list (ndim=2), not as a scalar
    assert _call(runtime, "XLB_SUMCODE", [["2010101"]], [[4.5]], [[201.0]]) == [[4.5]]
    assert _call(runtime, "XLB_LEVEL", [[2010301.0]]) == [[3]]
    assert _call(runtime, "XLB_PARENT", [[2010301.0]]) == [["20103"]]
    assert _call(runtime, "XLB_PARENT", [["201"]]) == [[{"type": "Error",
                                                          "errorType": "NotAvailable"}]]


def test_help_texts_are_chinese(runtime: ModuleType) -> None:
    for name in UDFS:
        f = getattr(runtime, name)
        meta = f.__xlfunc__
        assert name.isascii() and name.startswith("XLB_")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in meta["ret"]["doc"]), name
        for arg in meta["args"]:
            if arg["name"] == "caller":  # supplied by Excel, not typed by the user
                continue
            assert any("\u4e00" <= ch <= "\u9fff" for ch in arg["doc"]), (name, arg["name"])
        assert len(meta["ret"]["doc"]) <= 255  # Excel's limit for a function description
    assert runtime.XLB_SUMCODE.__xlfunc__["argmap"]["codes"]["options"]["ndim"] == 2
    assert runtime.XLB_CHECK.__xlfunc__["volatile"] is True
    assert "caller" in inspect.signature(runtime.XLB_CHECK).parameters


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    from xlbudget.generate import generate, write
    from xlbudget.generate.inject import inject

    d = tmp_path_factory.mktemp("udfs")
    ds = generate(3)
    exact = dataclasses.replace(ds, yuan={k: v * 100 for k, v in ds.yuan.items()})
    sample = write(exact, d / "clean.xlsx", "central")
    key = ("T5", "main", sorted(r for r in exact.rows[("T5", "main")] if len(r) == 3)[0],
           "total")
    sheet, cell = sample.cells[key]
    inject(d / "clean.xlsx", d / "bad.xlsx", [(sheet, cell, float(sample.shown[key] + 1))])
    return d / "bad.xlsx", (sheet, cell, sample.shown[key])


def test_workbook_functions(bad_book: tuple[Path, Any]) -> None:
    path, (sheet, cell, truth) = bad_book
    expected = check_file(path)
    book = open_book(payload_from_xlsx(path))
    caller = book.sheets[0]["A1"]
    n_errors = problem_counts(expected.findings).get("error", 0)  # as `xlbudget check` counts
    assert n_errors >= 1
    assert udfs.XLB_CHECK(caller) == n_errors
    table = udfs.XLB_FINDINGS(caller)
    assert table[0] == FINDINGS_HEADER
    assert len(table) == 1 + len(expected.findings)
    assert {(r[2], r[3]) for r in table[1:]} == {(f.sheet, f.cell) for f in expected.findings}
    assert all(len(r) == len(table[0]) for r in table)  # a full rectangle spills
    assert [r[0] for r in table[1:]] == sorted((r[0] for r in table[1:]),
                                               key=["错误", "警告", "提示"].index)
    # the wrong class total, recomputed from its 款 rows
    assert udfs.XLB_EXPECTED(book.sheets[sheet][cell], caller) == float(truth)
    assert udfs.XLB_EXPECTED(book.sheets[sheet]["A1"], caller) == "#N/A"


def test_workbook_functions_on_unusable_books() -> None:
    book = open_book(payload_from_grids([Grid("封面", [["某单位部门决算"]])], "x.xlsx"))
    caller = book.sheets[0]["A1"]
    assert udfs.XLB_CHECK(caller) == "#N/A"  # nothing recognised, nothing checked: not "0"
    table = udfs.XLB_FINDINGS(caller)
    assert "未识别到任何部门决算公开表" in table[1][-1]
    payload = payload_from_grids([Grid("表", [["x"]])], "y.xlsx")
    payload["sheets"][0]["used_range_address"] = "bad"
    broken = open_book(payload)
    assert udfs.XLB_CHECK(broken.sheets[0]["A1"]) == "#VALUE!"


def test_analysis_is_reused_while_values_are_unchanged(bad_book: tuple[Path, Any]) -> None:
    from xlbudget.excel.workbook import analyse_book

    path, (sheet, cell, _) = bad_book
    first = analyse_book(open_book(payload_from_xlsx(path)))[1]
    assert analyse_book(open_book(payload_from_xlsx(path)))[1] is first
    changed = payload_from_xlsx(path)
    values = next(s for s in changed["sheets"] if s["name"] == sheet)["values"]
    r, c = from_a1(cell)
    values[r][c] = 0.0
    assert analyse_book(open_book(changed))[1] is not first


SAMPLE_ERRORS = Path(__file__).resolve().parents[1] / "workbooks" / "sample-errors.xlsx"


@pytest.mark.skipif(not SAMPLE_ERRORS.exists(), reason="sample workbooks not built")
def test_spilled_findings_are_not_read_back_as_tables() -> None:
    # XLB_FINDINGS() beside the first table and on a status sheet: its rows name the tables
    # and repeat their figures; read as input they would change the findings they show.
    from test_excel_payload import sheet_payload

    path = SAMPLE_ERRORS
    expected = check_file(path)
    spill = udfs.findings_table(expected)
    blank = [""] * len(spill[0])
    grids = read_workbook(path)
    first = grids[0]
    first.rows = [[*row, "", *(spill[i] if i < len(spill) else blank)]
                  for i, row in enumerate(first.rows)]
    n_errors = problem_counts(expected.findings).get("error", 0)
    status = Grid("状态", [["错误个数", float(n_errors)], [],
                           *[["", *r] for r in spill]])
    payload = payload_from_grids([*grids, status], path.name)
    payload["sheets"][0] = sheet_payload(first)
    book = open_book(payload)
    caller = book.sheets["状态"]["A1"]
    assert udfs.XLB_CHECK(caller) == n_errors
    assert udfs.XLB_FINDINGS(caller) == spill


def test_blank_findings_tables_without_findings() -> None:
    from xlbudget.excel.workbook import blank_findings_tables

    nothing = Grid("状态", [["x"], ["", *FINDINGS_HEADER], ["", *[""] * 6, "未发现问题"],
                          ["", "下文"]])
    assert blank_findings_tables(nothing) == 1
    assert nothing.rows == [["x"], [""] * 8, [""] * 8, ["", "下文"]]
