"""The xlwings JSON-book payload built from real workbook files, and the live source reading it.

The payload is what xlwings' Office.js client sends (``getBookData``): per sheet its name and
values from A1, empty cells as ``""``. It is built here from a generated .xlsx through the real
file source (calamine), so the live source can be compared with the file source cell by cell.
Other test modules import the helpers from here.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw

from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, col_letter, to_a1


def _js(value: Any) -> Any:
    """A cell value as the Office.js client sends it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def sheet_payload(grid: Grid, notes: list[str] = ()) -> dict[str, Any]:
    width = grid.width
    values = [[_js(v) for v in row] + [""] * (width - len(row)) for row in grid.rows]
    for (r, c), err in grid.errors.items():
        values[r][c] = err
    used = f"$A$1:${col_letter(width - 1)}${grid.height}" if grid.height and width else None
    merged = [f"{to_a1(r1, c1)}:{to_a1(r2, c2)}" for r1, c1, r2, c2 in grid.merges]
    return {"name": grid.name, "values": values or [[]], "pictures": [], "shapes": [],
            "charts": [], "tables": [], "notes": [{"address": a} for a in notes],
            "visibility": "Visible", "used_range_address": used,
            # xlbudget's extension of the payload: xlwings' own client sends no merged areas.
            "merged_ranges": merged}


def payload_from_grids(grids: list[Grid], name: str,
                       notes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    notes = notes or {}
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [sheet_payload(g, notes.get(g.name, [])) for g in grids],
    }


def payload_from_xlsx(path: Path, notes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The JSON-book payload of a workbook file, values read with calamine."""
    return payload_from_grids(read_workbook(path), path.name, notes)


def open_book(payload: dict[str, Any]) -> xw.Book:
    """A JSON book that ``xw.Book.caller()`` returns, as when Excel calls RunPython."""
    book = xw.Book(json=payload)
    book.set_mock_caller()
    return book


def actions(book: xw.Book, func: str | None = None) -> list[dict[str, Any]]:
    acts = book.json()["actions"]
    return [a for a in acts if func is None or a["func"] == func]


def sheet_index(book: xw.Book, name: str) -> int:
    return [s.name for s in book.sheets].index(name)


# ---------------------------------------------------------------- tests of the live source


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xlbudget.generate import generate, write

    path = tmp_path_factory.mktemp("payload") / "样例.xlsx"
    write(generate(11), path, "central")
    return path


def test_live_source_reads_what_the_file_source_reads(sample_file: Path) -> None:
    from xlbudget.sources.live import read_book

    file_grids = read_workbook(sample_file)
    live_grids = read_book(open_book(payload_from_xlsx(sample_file)))
    assert [g.name for g in live_grids] == [g.name for g in file_grids]
    for f, g in zip(file_grids, live_grids, strict=True):
        assert g.rows == [list(r) for r in f.rows], g.name
        assert sorted(g.merges) == sorted(f.merges), g.name
    # numbers arrive as numbers, text as text
    cells = [v for g in live_grids for r in g.rows for v in r]
    assert any(isinstance(v, float) for v in cells)
    assert any(isinstance(v, str) and "决算" in v for v in cells)


def test_live_source_offsets_used_range_and_collects_errors() -> None:
    from xlbudget.sources.live import read_book

    payload = payload_from_grids([Grid("表", [["a", 1.0], ["#DIV/0!", 2.5]])], "b.xlsx")
    # A sheet whose used range starts at C5 (the engine's snapshot is anchored at A1).
    snap = [[""] * 4 for _ in range(6)]
    snap[4][2:4], snap[5][2:4] = ["x", "#N/A"], ["", 3.0]
    payload["sheets"].append({**payload["sheets"][0], "name": "偏移", "values": snap,
                              "used_range_address": "$C$5:$D$6"})
    grids = read_book(open_book(payload))
    assert grids[0].rows == [["a", 1.0], ["", 2.5]]
    assert grids[0].errors == {(1, 0): "#DIV/0!"}
    off = grids[1]
    assert off.value(4, 2) == "x" and off.value(5, 3) == 3.0
    assert off.errors == {(4, 3): "#N/A"}
    assert off.text(0, 0) == "" and len(off.rows) == 6


def test_live_source_skips_named_sheets_and_reports_failures() -> None:
    from xlbudget.sources.grid import SourceError
    from xlbudget.sources.live import read_book

    payload = payload_from_grids([Grid("表", [["a"]]), Grid("_xlbudget", [["kind"]])], "b.xlsx")
    book = open_book(payload)
    assert [g.name for g in read_book(book, skip=frozenset({"_xlbudget"}))] == ["表"]
    payload["sheets"][0]["used_range_address"] = "not an address"
    with pytest.raises(SourceError, match=r"b\.xlsx：读取工作表「表」失败"):
        read_book(open_book(payload))


def test_merges_from_spreadsheet_xml() -> None:
    # What desktop Excel's Range.Value(11) returns for a range starting at B3 (abridged): a title
    # merged over three columns, a header merged two rows down, cells placed by ss:Index.
    from xlbudget.sources.live import merges_from_spreadsheet_xml

    xml = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Sheet1">
  <Table ss:ExpandedColumnCount="4" ss:ExpandedRowCount="5">
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">标题</Data></Cell></Row>
   <Row ss:Index="3"><Cell ss:MergeDown="1"><Data ss:Type="String">项目</Data></Cell>
    <Cell ss:MergeAcross="1"><Data ss:Type="String">本年支出</Data></Cell>
    <Cell><Data ss:Type="String">x</Data></Cell></Row>
   <Row><Cell ss:Index="2"><Data ss:Type="String">基本</Data></Cell>
    <Cell><Data ss:Type="String">项目</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>"""
    assert merges_from_spreadsheet_xml(xml) == [(0, 0, 0, 2), (2, 0, 3, 0), (2, 1, 2, 2)]
    assert merges_from_spreadsheet_xml(xml, 2, 1) == [(2, 1, 2, 3), (4, 1, 5, 1), (4, 2, 4, 3)]
    assert merges_from_spreadsheet_xml("<Workbook/>") == []
