"""The ribbon actions, run through xlwings' JSON-book engine on payloads of generated workbooks.

Each action reads the calling book (``xw.Book.caller()`` via ``set_mock_caller``) and queues
the actions Excel would apply; the assertions are on ``book.json()``. The expected findings are
computed independently from the workbook file (``check_file``: calamine source, not xlwings).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_excel_payload import actions, open_book, payload_from_xlsx

import xlbudget.excel.actions as a
from xlbudget.engine import check_file
from xlbudget.findings import FileResult, defect_groups, problem_counts
from xlbudget.generate import generate, write
from xlbudget.generate.inject import inject
from xlbudget.marks.plan import FILLS, NOTE_HEAD
from xlbudget.sources.grid import to_a1
from xlbudget.sources.own import REPORT_SHEET, STATE_SHEET


@dataclasses.dataclass
class Books:
    clean: Path
    bad: Path
    #: (sheet, cell) -> value shown before the error was injected
    truth: dict[tuple[str, str], Decimal]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    """A clean workbook and a copy with two known errors on two sheets.

    The dataset is scaled to whole 百元 so that every shown figure is exact: the clean workbook
    then has no finding at all, not even a rounding note.
    """
    d = tmp_path_factory.mktemp("actions")
    ds = generate(7)
    exact = dataclasses.replace(ds, yuan={k: v * 100 for k, v in ds.yuan.items()})
    sample = write(exact, d / "clean.xlsx", "shanghai")
    keys = [("T5", "main", "201", "basic"), ("T7", "main", "total", "vehicle_budget")]
    truth = {sample.cells[k]: sample.shown[k] for k in keys}
    inject(d / "clean.xlsx", d / "bad.xlsx",
           [(s, c, float(v + Decimal("12.34"))) for (s, c), v in truth.items()])
    return Books(d / "clean.xlsx", d / "bad.xlsx", truth)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from xlbudget.excel import workbook

    workbook._CACHE.clear()
    yield


def _named(book: Any, func: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The book's actions with the name of the sheet each applies to.

    ``sheet_position`` is the position when the action runs, so the sheet list is replayed from
    the payload the book was opened with (sheets added and deleted on the way).
    """
    names = list(_OPENED[book.impl])
    out = []
    for act in actions(book):
        pos = act["sheet_position"]
        name = names[pos] if pos is not None and pos < len(names) else ""
        if act["func"] == "addSheet":
            names.insert(act["args"][0], act["args"][1])
            name = act["args"][1]
        elif act["func"] == "sheetDelete":
            names.pop(pos)
        if func is None or act["func"] == func:
            out.append((name, act))
    return out


_OPENED: dict[Any, list[str]] = {}


def _open(payload: dict[str, Any]) -> Any:
    """``open_book``, remembering the sheet names the book was opened with."""
    book = open_book(payload)
    _OPENED[book.impl] = [s["name"] for s in payload["sheets"]]
    return book


def _painted(book: Any, skip: set[str]) -> dict[tuple[str, str], str | None]:
    """Cell -> colour of every fill set by setRangeColors/setRangeColor outside ``skip``."""
    out: dict[tuple[str, str], str | None] = {}
    for sheet, act in _named(book):
        if act["func"] not in ("setRangeColors", "setRangeColor"):
            continue
        if sheet in skip:
            continue
        r0, c0 = act["start_row"], act["start_column"]
        if act["func"] == "setRangeColor":
            for r in range(act["row_count"]):
                for c in range(act["column_count"]):
                    out[(sheet, to_a1(r0 + r, c0 + c))] = act["args"][0]
            continue
        for r, row in enumerate(act["args"][0]):
            for c, colour in enumerate(row):
                if colour != "keep":
                    out[(sheet, to_a1(r0 + r, c0 + c))] = colour
    return out


def _notes(book: Any) -> dict[tuple[str, str], str]:
    return {(s, x["args"][0].replace("$", "")): x["args"][1] for s, x in _named(book, "addNote")}


def _alert(book: Any) -> str:
    alerts = actions(book, "alert")
    assert len(alerts) == 1
    assert alerts[0]["args"][1] == a.TITLE
    return alerts[0]["args"][0]


def _sheet_values(book: Any, name: str) -> list[list[Any]]:
    writes = [x for s, x in _named(book, "setValues") if s == name]
    assert len(writes) == 1, f"{name} is written in one bulk call"
    return writes[0]["values"]


def _expected(path: Path) -> FileResult:
    result = check_file(path)
    assert result.status != "error", result.error
    return result


def test_clean_workbook_gets_no_fills_and_a_report_saying_so(books: Books) -> None:
    assert _expected(books.clean).findings == []
    book = _open(payload_from_xlsx(books.clean))
    a.mark()
    assert _painted(book, skip={REPORT_SHEET}) == {}
    assert actions(book, "addNote") == []
    report = _sheet_values(book, REPORT_SHEET)
    assert [v for v in report[-1] if v] == ["未发现问题"]
    assert "错误 0 处，警告 0 处，提示 0 处" in _alert(book)
    # the only record: the report sheet, for clear to remove
    assert _sheet_values(book, STATE_SHEET)[1:] == [["sheet", REPORT_SHEET, "", "null"]]


def test_mark_fills_exactly_the_finding_cells(books: Books) -> None:
    expected = _expected(books.bad)
    cells = {(f.sheet, f.cell) for f in expected.findings}
    assert cells == set(books.truth)  # the generator's errors, found by the file path
    book = _open(payload_from_xlsx(books.bad))
    a.mark()
    painted = _painted(book, skip={REPORT_SHEET})
    assert set(painted) == cells
    assert set(painted.values()) == {"#" + FILLS["error"].lower()}
    notes = _notes(book)
    assert set(notes) == cells
    for f in expected.findings:
        note = notes[(f.sheet, f.cell)]
        assert note.startswith(NOTE_HEAD)
        assert f.rule in note and f"应为：{f.expected}" in note
    # fills go in one bulk call per sheet
    table_sheets = {s for s, _ in cells}
    fills = [x for s, x in _named(book, "setRangeColors") if s in table_sheets]
    assert len(fills) == len(table_sheets)


def test_mark_writes_report_state_and_summary(books: Books) -> None:
    expected = _expected(books.bad)
    book = _open(payload_from_xlsx(books.bad))
    a.mark()
    names = [s.name for s in book.sheets]
    assert names[-2:] == [REPORT_SHEET, STATE_SHEET]
    report = _sheet_values(book, REPORT_SHEET)
    rows = {(r[3], r[4]): r for r in report if r[2] and r[4]}
    for f in expected.findings:
        r = rows[(f.sheet, f.cell)]
        assert r[1] == "错误" and r[2] == f.rule and r[5] == f.actual and r[6] == f.expected
    links = actions(book, "addHyperlink")
    assert {x["args"][0] for x in links} == {f"#'{s}'!{c}" for s, c in books.truth}
    state = _sheet_values(book, STATE_SHEET)
    assert state[0] == ["kind", "sheet", "cell", "data"]
    kinds = [r[0] for r in state[1:]]
    assert kinds.count("fill") == kinds.count("note") == len(books.truth)
    assert ["sheet", REPORT_SHEET, "", "null"] in state
    hidden = [x for s, x in _named(book, "setSheetVisibility") if s == STATE_SHEET]
    assert hidden and hidden[0]["args"] == ["Hidden"]
    # the user is shown the report
    assert [s for s, _ in _named(book, "activateSheet")][-1] == REPORT_SHEET
    alert = _alert(book)
    assert "错误 2 处" in alert and f"已标注 {len(books.truth)} 个单元格" in alert
    for s, c in books.truth:
        assert f"{s}!{c}" in alert
    # nothing was corrected
    assert {s for s, _ in _named(book, "setValues")} == {REPORT_SHEET, STATE_SHEET}


def test_fix_writes_expected_values_and_keeps_old_ones(books: Books) -> None:
    expected = _expected(books.bad)
    book = _open(payload_from_xlsx(books.bad))
    a.fix()
    fixes = {(s, to_a1(x["start_row"], x["start_column"])): x["values"]
             for s, x in _named(book, "setValues") if s not in (REPORT_SHEET, STATE_SHEET)}
    assert fixes == {cell: [[float(v)]] for cell, v in books.truth.items()}
    notes = _notes(book)
    for f in expected.findings:
        assert f"已修正：原值 {f.actual}，改为 {f.expected}" in notes[(f.sheet, f.cell)]
    state = _sheet_values(book, STATE_SHEET)
    values = {(r[1], r[2]): json.loads(r[3]) for r in state if r[0] == "value"}
    assert values == {(f.sheet, f.cell): {"old": f.actual, "new": f.expected, "rule": f.rule}
                      for f in expected.findings}
    assert "已修正 2 个单元格" in _alert(book)


def _apply(payload: dict[str, Any], acts: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload Excel would send next time, after applying the sheet, value and note actions
    that the clean-up test needs (fills are not part of the payload)."""
    sheets = payload["sheets"]
    for x in acts:
        if x["func"] == "addSheet":
            ix, name = x["args"]
            sheets.insert(ix, {**sheets[0], "name": name, "values": [[]], "notes": [],
                               "merged_ranges": [], "used_range_address": None})
        elif x["func"] == "setValues":
            sh = sheets[x["sheet_position"]]
            vals = sh["values"] if sh["values"] != [[]] else []
            r0, c0 = x["start_row"], x["start_column"]
            for r, row in enumerate(x["values"]):
                while len(vals) <= r0 + r:
                    vals.append([])
                line = vals[r0 + r]
                line.extend([""] * (c0 + len(row) - len(line)))
                line[c0:c0 + len(row)] = ["" if v is None else v for v in row]
            width = max(len(v) for v in vals)
            sh["values"] = [v + [""] * (width - len(v)) for v in vals]
            sh["used_range_address"] = f"$A$1:${to_a1(len(vals) - 1, width - 1)}"
        elif x["func"] == "addNote":
            sheets[x["sheet_position"]]["notes"].append({"address": x["args"][0]})
    return payload


def test_clear_undoes_mark_and_keeps_corrections(books: Books) -> None:
    first = _open(payload_from_xlsx(books.bad))
    a.fix()
    payload = _apply(payload_from_xlsx(books.bad), actions(first))
    book = _open(payload)
    a.clear()
    deleted = [s for s, _ in _named(book, "sheetDelete")]
    # the report sheet, then the old state sheet; a new state sheet keeps the corrections
    assert deleted == [REPORT_SHEET, STATE_SHEET]
    # a very hidden sheet is made visible before Excel is asked to delete it
    assert next((s, x["args"]) for s, x in _named(book, "setSheetVisibility")) == (
        STATE_SHEET, ["Visible"])
    painted = _painted(book, skip={REPORT_SHEET, STATE_SHEET})
    assert painted == dict.fromkeys(books.truth)  # no fill was known before: none after
    dropped = {(s, x["args"][0].replace("$", "")) for s, x in _named(book, "deleteNote")}
    assert dropped == set(books.truth)
    state = _sheet_values(book, STATE_SHEET)
    assert {(r[1], r[2]) for r in state[1:] if r[0] == "value"} == set(books.truth)
    assert all(r[0] == "value" for r in state[1:])
    assert "已清除" in _alert(book) and "修正值保留" in _alert(book)


def test_mark_twice_equals_mark_once(books: Books) -> None:
    first = _open(payload_from_xlsx(books.bad))
    a.mark()
    payload = _apply(payload_from_xlsx(books.bad), actions(first))
    second = _open(payload)
    a.mark()
    deleted = [s for s, _ in _named(second, "sheetDelete")]
    assert deleted == [REPORT_SHEET, STATE_SHEET]
    # the earlier notes are removed first, then written again: not stacked
    dropped = {(s, x["args"][0].replace("$", "")) for s, x in _named(second, "deleteNote")}
    assert dropped == set(books.truth)
    assert _notes(second) == _notes(first)
    assert _painted(second, skip={REPORT_SHEET, STATE_SHEET}) == {
        **dict.fromkeys(books.truth, "#" + FILLS["error"].lower())}

    def without_time(rows: list[list[Any]]) -> list[list[Any]]:
        return [r for r in rows if r[0] != "校验时间"]

    assert without_time(_sheet_values(second, REPORT_SHEET)) == without_time(
        _sheet_values(first, REPORT_SHEET))


def test_check_only_alerts(books: Books) -> None:
    book = _open(payload_from_xlsx(books.bad))
    a.check()
    assert [x["func"] for x in actions(book)] == ["alert"]
    alert = _alert(book)
    assert "识别到 9 张表" in alert and "错误 2 处" in alert and "点击「标注」" in alert


def test_existing_user_note_is_not_overwritten(books: Books) -> None:
    (sheet, cell), *_ = books.truth
    book = _open(payload_from_xlsx(books.bad, notes={sheet: [f"${cell[0]}${cell[1:]}"]}))
    a.mark()
    assert (sheet, cell) not in _notes(book)
    assert actions(book, "setNoteText") == []
    assert (sheet, cell) in _painted(book, skip={REPORT_SHEET})
    assert "已有批注且无法读取，未覆盖" in _alert(book)


def test_charts_writes_chart_sheets(books: Books) -> None:
    from xlbudget.chart_data import chart_data
    from xlbudget.engine import analyse
    from xlbudget.marks.chart_sheets import find_chart_sheets, plan_sheets
    from xlbudget.sources.files import read_workbook

    grids = read_workbook(books.clean)
    want = plan_sheets(chart_data(analyse(grids, str(books.clean)).model)[0],
                       find_chart_sheets(grids))
    book = _open(payload_from_xlsx(books.clean))
    before = [s.name for s in book.sheets]
    a.charts()
    assert [x["args"][1] for x in actions(book, "addSheet")] == [cs.name for cs in want]
    assert [s.name for s in book.sheets][: len(before)] == before
    for cs in want:
        values = _sheet_values(book, cs.name)
        assert values[0][0] == cs.title and values[3] == cs.header
        assert [r[: len(cs.header)] for r in values[4: 4 + len(cs.rows)]] == cs.rows
    charts = [x for _, x in _named(book, "addChart")]
    assert len(charts) == sum(1 for cs in want if cs.rows)
    assert [x["args"][1] for x in charts] == [
        "Pie" if cs.kind == "pie" else "ColumnClustered" for cs in want if cs.rows]
    assert f"已生成 {len(want)} 张图表数据表" in _alert(book)


@pytest.mark.parametrize("position", [0, 2])
def test_charts_replace_stale_chart_sheets_in_place(books: Books, position: int) -> None:
    from test_excel_payload import sheet_payload

    from xlbudget.sources.grid import Grid

    payload = payload_from_xlsx(books.clean)
    stale = Grid("图2", [["收入决算结构"], ["项目", "金额"], ["欧洲区", 3.0], ["北美区", 4.0]])
    payload["sheets"].insert(position, sheet_payload(stale))
    book = _open(payload)
    a.charts()
    named = _named(book)
    deleted = [s for s, x in named if x["func"] == "sheetDelete"]
    assert deleted == ["图2"]
    added = {x["args"][1]: x["args"][0] for _, x in named if x["func"] == "addSheet"}
    assert added["图2"] == position  # where the stale sheet was
    assert "欧洲区" not in str(_sheet_values(book, "图2"))


def test_errors_become_alerts(books: Books) -> None:
    payload = payload_from_xlsx(books.bad)
    payload["sheets"][1]["used_range_address"] = "not an address"
    book = _open(payload)
    a.mark()
    assert [x["func"] for x in actions(book)] == ["alert"]
    name = payload["sheets"][1]["name"]
    assert f"bad.xlsx：读取工作表「{name}」失败" in _alert(book)

    from test_excel_payload import payload_from_grids

    from xlbudget.sources.grid import Grid

    empty = _open(payload_from_grids([Grid("封面", [["某单位 2023 年度部门决算"]])], "x.xlsx"))
    a.fix()
    assert "未识别到任何部门决算公开表" in _alert(empty)
    assert [x["func"] for x in actions(empty)] == ["alert"]


def test_internal_error_is_an_alert_not_a_traceback(books: Books, monkeypatch, capsys) -> None:
    import xlbudget.excel.workbook as wb

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(wb, "analyse_grids", broken)
    book = _open(payload_from_xlsx(books.bad))
    a.check()
    alert = _alert(book)
    assert alert.startswith("bad.xlsx：处理时发生内部错误（RuntimeError: boom）")
    # the traceback goes to a log file, not to the user (nor to stderr, which xlwings shows)
    log = Path(alert.rsplit("详细信息已记录在 ", 1)[1])
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8").rsplit("--- ", 1)[1]
    assert capsys.readouterr().err == ""

    def verbose(*_: object) -> None:
        raise ValueError("详情" * 2000)

    monkeypatch.setattr(wb, "analyse_grids", verbose)
    book = _open(payload_from_xlsx(books.bad))
    a.mark()
    alert = _alert(book)
    assert len(alert) <= 1000  # MsgBox shows 1024 characters at most
    body, log_line = alert.rsplit("\n", 1)
    assert body.endswith("…") and log_line.startswith("详细信息已记录在 ")
    assert [x["func"] for x in actions(book)] == ["alert"]


def test_help() -> None:
    from test_excel_payload import payload_from_grids

    from xlbudget.sources.grid import Grid

    book = _open(payload_from_grids([Grid("表", [["x"]])], "x.xlsx"))
    a.help()
    text = _alert(book)
    assert "标注" in text and "XLB_PCT" in text and "XLB_FINDINGS" in text



SAMPLE_ERRORS = Path(__file__).resolve().parents[1] / "workbooks" / "sample-errors.xlsx"


@pytest.mark.skipif(not SAMPLE_ERRORS.exists(), reason="sample workbooks not built")
def test_sample_errors_workbook_marks_every_finding_cell_in_its_worst_colour() -> None:
    from xlbudget.findings import SEVERITIES
    from xlbudget.marks.plan import fixable

    expected = _expected(SAMPLE_ERRORS)
    worst: dict[tuple[str, str], str] = {}
    for f in expected.findings:
        # rounding notes (info) are listed on the report sheet, not painted
        if f.sheet and f.cell and f.severity != "info":
            cur = worst.get((f.sheet, f.cell))
            if cur is None or SEVERITIES.index(f.severity) < SEVERITIES.index(cur):
                worst[(f.sheet, f.cell)] = f.severity
    assert {"error", "warning"} <= set(worst.values())
    assert any(f.severity == "info" for f in expected.findings)
    assert any(not f.certain for f in expected.findings)
    book = _open(payload_from_xlsx(SAMPLE_ERRORS))
    a.fix()
    painted = _painted(book, skip={REPORT_SHEET, STATE_SHEET})
    assert painted == {cell: "#" + FILLS[sev].lower() for cell, sev in worst.items()}
    notes = _notes(book)
    assert set(notes) == set(worst)
    for f in expected.findings:
        if not f.certain:
            assert "可能的修正之一" in notes[(f.sheet, f.cell)]
    fixes = {(s, to_a1(x["start_row"], x["start_column"])): x["values"][0][0]
             for s, x in _named(book, "setValues") if s not in (REPORT_SHEET, STATE_SHEET)}
    want = {(f.sheet, f.cell): f.expected for f in expected.findings if fixable(f)}
    assert want and {k: str(v) for k, v in fixes.items()} == {
        k: str(float(v)) for k, v in want.items()}
    report = _sheet_values(book, REPORT_SHEET)
    assert sum(1 for r in report if r[2] and r[0] != "序号" and isinstance(r[0], int)) == len(
        expected.findings)


@pytest.mark.skipif(not SAMPLE_ERRORS.exists(), reason="sample workbooks not built")
def test_summary_lists_certain_errors_first_and_one_cell_per_candidate_group() -> None:
    expected = _expected(SAMPLE_ERRORS)
    text = a.summary(expected)
    listed = [line for line in text.splitlines() if line.startswith("· ")]
    # one line per problem, as the command line counts them
    groups = [g for g in defect_groups(expected.findings) if g[0].severity != "info"]
    assert len(listed) == min(5, len(groups)) == 5
    certain = [g for g in groups if g[0].severity == "error" and all(f.certain for f in g)]
    for g, line in zip(certain, listed, strict=False):  # certain errors first
        assert line.startswith("· [错误] ") and f"{g[0].sheet}!{g[0].cell} " in line
    # the candidate cells of a tie are never on two lines
    ties = [f for f in expected.findings if not f.certain and f.severity == "error"]
    assert sum(any(f"{f.sheet}!{f.cell} " in line for f in ties) for line in listed) <= 1
    problems = problem_counts(expected.findings)
    serious = problems.get("error", 0) + problems.get("warning", 0)
    assert serious == len(groups)
    assert text.splitlines()[-1] == f"…共 {serious} 处错误和警告。"


def test_a_failure_half_way_stays_undoable(books: Books, monkeypatch) -> None:
    import xlbudget.excel.render as render

    def fails(*_: object) -> None:
        raise RuntimeError("report failed")

    monkeypatch.setattr(render, "report_sheet", fails)
    first = _open(payload_from_xlsx(books.bad))
    a.mark()
    assert "RuntimeError: report failed" in _alert(first)
    assert "清除标注" in _alert(first)
    state = _sheet_values(first, STATE_SHEET)
    assert {(r[1], r[2]) for r in state[1:] if r[0] == "note"} == set(books.truth)
    monkeypatch.undo()
    book = _open(_apply(payload_from_xlsx(books.bad), actions(first)))
    a.clear()
    dropped = {(s, x["args"][0].replace("$", "")) for s, x in _named(book, "deleteNote")}
    assert dropped == set(books.truth)
    assert [s for s, _ in _named(book, "sheetDelete")] == [STATE_SHEET]


def test_clear_in_excel_undoes_marks_written_by_the_file_renderer(books: Books,
                                                                  tmp_path: Path) -> None:
    # One plan, two renderers: a workbook marked by `xlbudget mark` (openpyxl) is cleaned by
    # the add-in, from the state sheet the file renderer wrote.
    from xlbudget.engine import analyse
    from xlbudget.marks.plan import build_plan
    from xlbudget.marks.xlsx import render_file
    from xlbudget.sources.files import read_workbook

    plan = build_plan(analyse(read_workbook(books.bad), str(books.bad)).result)
    marked = tmp_path / "marked.xlsx"
    render_file(plan, books.bad, marked)
    notes: dict[str, list[str]] = {}
    for m in plan.marks:
        notes.setdefault(m.sheet, []).append(m.cell)
    book = _open(payload_from_xlsx(marked, notes=notes))
    a.clear()
    assert [s for s, _ in _named(book, "sheetDelete")] == [REPORT_SHEET, STATE_SHEET]
    dropped = {(s, x["args"][0].replace("$", "")) for s, x in _named(book, "deleteNote")}
    assert dropped == set(books.truth)
    # the cells had no fill before: the fill is removed
    assert _painted(book, skip=set()) == dict.fromkeys(books.truth)
    assert f"已清除 {2 * len(books.truth) + 1} 处标注" in _alert(book)
