"""No text from a workbook is ever written as a formula: item names and sheet names such as
``=HYPERLINK(…)``, ``=cmd|' -C calc'!A1``, ``+1+1`` and ``@SUM(1)`` stay text in every output
(report sheet, notes, summary workbook, chart sheets, CSV on stdout and in ``--report``)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlbudget.batch.sinks import csv_safe
from xlbudget.cli import main
from xlbudget.marks.plan import formula_safe

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' -C calc'!A1"  # a sheet name cannot hold "/", so the DDE payload uses "-C"
PLUS = "+1+1"
AT = "@SUM(1)"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample whose item names and one sheet name are formula payloads (stored as
    text, as a user's workbook would hold them), with one wrong total on that sheet."""
    from xlbudget.generate import generate, write

    folder = tmp_path_factory.mktemp("hostile")
    s = write(generate(1), folder / "base.xlsx", "shanghai")
    wb = load_workbook(s.path)
    for sheet, ref, text in (("支出决算表", "B6", HYPERLINK), ("收入决算表", "B6", AT),
                             ("收入支出决算总表", "C6", PLUS)):
        wb[sheet][ref] = text
        wb[sheet][ref].data_type = "s"
    key = ("T7", "main", "total", "total_final")
    sheet, cell = s.cells[key]
    wb[sheet][cell] = float(s.shown[key]) + 1
    wb[sheet].title = DDE
    out = folder / "=1+1.xlsx"
    wb.save(out)
    return out


def _run(*args: object, cwd: Path) -> tuple[int, str]:
    """The command in ``cwd`` (so that a relative file name reaches the outputs as given)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return res.exit_code, res.output


def _formula_cells(path: Path, sheets: set[str] | None = None) -> list[str]:
    """``sheet!cell`` of every formula cell in ``sheets`` (all when None), from the XML."""
    from xlbudget.sources.files import sheet_parts

    out = []
    with zipfile.ZipFile(path) as zf:
        for name, part in sheet_parts(zf).items():
            if sheets is not None and name not in sheets:
                continue
            xml = zf.read(part)
            out += [f"{name}!{m.group(1).decode()}"
                    for m in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f', xml)]
    return out


def _texts(path: Path, sheets: set[str] | None = None) -> set[str]:
    wb = load_workbook(path)
    return {str(c.value) for ws in wb.worksheets if sheets is None or ws.title in sheets
            for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _assert_csv_safe(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for field in row:
            assert not field.startswith(FORMULA_START) or re.fullmatch(r"-?[0-9.,]+", field), \
                field
    return rows


def test_formula_safe_rule() -> None:
    for payload in (HYPERLINK, DDE, PLUS, AT, "-2+3", "\tx", "\rx", "=1"):
        assert formula_safe(payload) == "'" + payload
        assert csv_safe(payload) == "'" + payload
    for plain in ("-12.50", "-1,234.5", "12", "三公经费", "", "a=b"):
        assert formula_safe(plain) == plain
    assert formula_safe(1.5) == 1.5 and csv_safe(None) == ""


def test_check_csv_stdout_and_report(hostile: Path, tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    shutil.copy(hostile, work / hostile.name)
    code, out = _run("check", hostile.name, "--format", "csv", "--report", "r.csv", cwd=work)
    assert code == 1, out
    stdout_rows = _assert_csv_safe(out.split("汇总报告已写出")[0])
    report_rows = _assert_csv_safe((work / "r.csv").read_text(encoding="utf-8-sig"))
    for rows in (stdout_rows, report_rows):
        fields = {f for row in rows for f in row}
        assert "'" + hostile.name in fields  # the path field (relative, as given)
        assert "'" + DDE in fields  # the sheet field
        assert "'" + AT in fields  # an item name as the found value
    assert not list(work.glob(".*xlbudget-tmp*"))


def test_summary_workbook(hostile: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    code, out = _run("check", hostile, "--report", report, cwd=tmp_path)
    assert code == 1, out
    assert _formula_cells(report) == []
    texts = _texts(report)
    assert DDE in texts and AT in texts  # written, as text


@pytest.mark.parametrize("command", [("mark",), ("fix",), ("fix", "--in-place")])
def test_marked_copies(hostile: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    src = tmp_path / hostile.name
    shutil.copy(hostile, src)
    code, out = _run(*command, src.name, cwd=tmp_path)
    assert code == 1, out
    written = src if "--in-place" in command else \
        next(p for p in tmp_path.glob("*.xlsx") if p != src)
    assert _formula_cells(written) == []  # nor in the user's own sheets after the round trip
    report = _texts(written, {"校验结果"})
    assert DDE in report and AT in report
    wb = load_workbook(written)
    assert wb["支出决算表"]["B6"].value == HYPERLINK
    assert wb["支出决算表"]["B6"].data_type == "s"
    notes = [c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.comment is not None]
    assert any(AT in n for n in notes)  # the note quotes the name; notes are never formulas
    assert not list(tmp_path.glob(".*xlbudget-tmp*"))


def test_chart_sheets(hostile: Path, tmp_path: Path) -> None:
    src = tmp_path / hostile.name
    shutil.copy(hostile, src)
    code, out = _run("charts", src.name, cwd=tmp_path)
    assert code == 0, out
    written = next(p for p in tmp_path.glob("*_图表.xlsx"))
    charts = {n for n in load_workbook(written).sheetnames if n.startswith("图")}
    assert charts
    assert _formula_cells(written, charts) == []


def test_chart_sheet_renderer_keeps_labels_text(hostile: Path, tmp_path: Path) -> None:
    """Chart labels, series names, title and note, whatever their source, are written as text."""
    from xlbudget.marks.plan import ChartSheet, Plan
    from xlbudget.marks.xlsx import render_file

    plan = Plan(source=str(hostile), created="2024-01-01 00:00:00", charts=[ChartSheet(
        name="图9", title=HYPERLINK, kind="bar", unit="万元", header=["项目", AT],
        rows=[[DDE, 1.0], [PLUS, 2.0]], note="-1+2")])
    out = tmp_path / "c.xlsx"
    render_file(plan, hostile, out)
    assert _formula_cells(out, {"图9"}) == []
    assert {HYPERLINK, AT, DDE, PLUS, "-1+2"} <= _texts(out, {"图9"})


def test_excel_add_in_writes_text_as_text(hostile: Path) -> None:
    """Through Excel's object model a value is parsed as if typed ("=…", "+1+1" and "@SUM(1)"
    would become formulas): the add-in sends such text with Excel's text prefix ``'``."""
    from test_excel_payload import actions, open_book, payload_from_xlsx

    from xlbudget.engine import check_file
    from xlbudget.excel.render import render_book
    from xlbudget.marks.plan import ChartSheet, build_plan

    plan = build_plan(check_file(hostile))
    plan.charts = [ChartSheet(name="图9", title=HYPERLINK, kind="bar", unit="万元",
                              header=["项目", AT], rows=[[DDE, 1.0], [PLUS, 2.0]])]
    book = open_book(payload_from_xlsx(hostile))
    render_book(book, plan)
    sent = [v for act in actions(book) if act["func"] == "setValues"
            for row in act["values"] for v in row if isinstance(v, str)]
    assert {"'" + t for t in (HYPERLINK, AT, DDE, PLUS)} <= set(sent)
    assert not [v for v in sent if v.startswith(FORMULA_START)
                and not re.fullmatch(r"-?[0-9.,]+", v)]
