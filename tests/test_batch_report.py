"""Batch outputs written from real results and read back: summary.xlsx (openpyxl and calamine),
the streamed JSON (equal to findings.report_json) and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from test_batch_helpers import bad_files, make_workbook, sum_check

from xlbudget.batch import ProcessPool, Task, discover, map_files
from xlbudget.batch.sinks import CsvSink, JsonSink
from xlbudget.batch.xlsx_report import XlsxSink
from xlbudget.findings import FileResult, Finding, Tally, exit_code, report_json
from xlbudget.sources.files import read_workbook


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[FileResult]:
    root = tmp_path_factory.mktemp("batch") / "部门"
    for i in range(5):
        make_workbook(root / f"sub{i % 2}" / f"单位{i}.xlsx", total=30.0 if i < 3 else 33.25)
    bad_files(root / "坏")
    paths = [str(p) for p in discover([root])]
    return sorted(map_files(Task(sum_check), paths, ProcessPool(2)), key=lambda r: r.path)


def _feed(results: list[FileResult], *sinks) -> Tally:
    tally = Tally()
    for r in results:
        tally.add(r)
        for s in sinks:
            s.add(r)
    for s in sinks:
        s.close(tally)
    return tally


def test_json_stream_equals_the_contract_document(results: list[FileResult]) -> None:
    for indent in (2, None):
        buf = io.StringIO()
        tally = _feed(results, JsonSink(buf, indent=indent))
        assert json.loads(buf.getvalue()) == report_json(results)
        assert tally.exit_code() == exit_code(results) == 1
    empty = io.StringIO()
    _feed([], JsonSink(empty))
    assert json.loads(empty.getvalue()) == report_json([])


def test_tally_exit_codes() -> None:
    ok, bad = FileResult("a.xlsx"), FileResult("b.xlsx", error="b.xlsx：文件为空（0 字节）")
    warn = FileResult("c.xlsx", findings=[Finding("X", "warning", "w")])
    for batch in ([], [ok], [bad], [bad, bad], [ok, bad], [warn, bad]):
        assert _feed(batch).exit_code() == exit_code(batch)


def test_csv_has_one_row_per_finding_or_file(results: list[FileResult]) -> None:
    buf = io.StringIO()
    _feed(results, CsvSink(buf))
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    expected = sum(max(1, len(r.findings)) for r in results)
    assert len(rows) == expected
    wrong = [r for r in rows if r["rule"] == "T1-sum"]
    assert len(wrong) == 2
    assert {(r["cell"], r["actual"], r["expected"]) for r in wrong} == {("B4", "33.25", "30.00")}
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == 4 and all(r["message"] for r in errors)


def test_summary_workbook(results: list[FileResult], tmp_path: Path) -> None:
    out = tmp_path / "报告" / "summary.xlsx"
    tally = _feed(results, XlsxSink(out))
    assert tally.files == len(results)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["概况", "汇总", "规则统计", "T0-note", "T1-sum", "_xlbudget_summary"]
    assert wb["_xlbudget_summary"].sheet_state == "veryHidden"

    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert (overview["文件数"], overview["通过"], overview["有问题"], overview["无法校验"],
            overview["错误"]) == (9, 3, 2, 4, 2)

    files = wb["汇总"]
    head = [c.value for c in files[1]]
    assert head[:7] == ["文件", "状态", "错误", "警告", "提示", "已说明", "主要规则"]
    rows = list(files.iter_rows(min_row=2))
    assert len(rows) == len(results)
    by_path = {r[0].value: r for r in rows}
    wrong = next(r for r in results if r.status == "findings")
    row = by_path[wrong.path]
    assert [c.value for c in row[1:7]] == ["有问题", 1, 0, 1, 0, "T1-sum×1、T0-note×1"]
    # The link is relative to the report's folder and leads to the file.
    assert (out.parent / row[0].hyperlink.target).resolve() == Path(wrong.path).resolve()
    unreadable = [r for r in rows if r[1].value == "无法校验"]
    assert len(unreadable) == 4 and all(r[8].value for r in unreadable)

    rule = list(wb["T1-sum"].iter_rows(min_row=2))
    assert len(rule) == 2
    first = rule[0]
    assert [c.value for c in first[1:6]] == ["收入支出决算总表", "B4", 33.25, 30, "错误"]
    assert first[2].hyperlink.location == "'收入支出决算总表'!B4"

    stats = list(wb["规则统计"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[4]) for r in stats] == [("T1-sum", 2, 2), ("T0-note", 2, 2)]
    # The real reader of the project reads it too, and a later batch skips it as our output.
    assert [g.name for g in read_workbook(out)] == wb.sheetnames
    assert list(discover([out.parent])) == []


def test_rule_sheet_names_are_sanitised_and_sorted(tmp_path: Path) -> None:
    results = [FileResult("x.xlsx", findings=[Finding(code, "warning", "m", "表", "A1", "1", "2")
                                              for code in ("Z/9", "A[1]", "M:2")])]
    out = tmp_path / "s.xlsx"
    _feed(results, XlsxSink(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:6] == ["概况", "汇总", "规则统计", "A_1_", "M_2", "Z_9"]
    assert wb["Z_9"]["D2"].value == 1 and isinstance(wb["Z_9"]["E2"].value, int | float)
    assert Decimal(str(wb["Z_9"]["E2"].value)) == 2
