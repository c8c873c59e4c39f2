"""Read an open workbook through xlwings into grids: the live source of the Excel add-in.

Each sheet's used range is read in one bulk call, so a workbook costs one round trip per sheet
whatever its size. Cells are placed at Excel's own indexes (a used range that starts at C5 gets
leading blanks), as the file source does.

Merged ranges matter: recognition spreads a merged header (本年支出 over 合计 | 基本 | 项目) over
the columns it spans. Desktop Excel has no bulk call for merge areas, but it gives a range as XML
Spreadsheet 2003 in one call (``Range.Value(11)``), whose cells carry ``ss:MergeAcross`` and
``ss:MergeDown``; that is one extra call per sheet. The xlwings JSON-book engine sends no merged
areas; a client may add them to a sheet's payload as ``merged_ranges`` (A1 addresses), as
xlbudget's tests do. Without either, a table whose headers rely on merges may go unrecognised.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from xlbudget.sources.files import short_error
from xlbudget.sources.grid import Grid, SourceError, Value, from_a1

if TYPE_CHECKING:
    import xlwings as xw

#: Error values as xlwings gives them with ``err_to_str=True`` (both COM and the JSON engine).
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!", "#SPILL!",
     "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)


def read_book(book: xw.Book, *, skip: frozenset[str] = frozenset()) -> list[Grid]:
    """All worksheets of an open workbook as grids, in workbook order.

    ``skip`` names sheets not to read (xlbudget's own report and state sheets). Raises
    SourceError with a Chinese message naming the workbook and sheet when Excel refuses a read.
    """
    grids: list[Grid] = []
    for sheet in book.sheets:
        if sheet.name in skip:
            continue
        try:
            grids.append(read_sheet(sheet))
        except Exception as exc:  # COM and engine errors all mean "this sheet cannot be read"
            msg = f"{book.name}：读取工作表「{sheet.name}」失败（{short_error(exc)}）"
            raise SourceError(msg) from exc
    return grids


def read_sheet(sheet: xw.Sheet) -> Grid:
    """One sheet's used range as a grid, read in a single ``.value`` call."""
    used = sheet.used_range
    top, left = used.row - 1, used.column - 1
    # Blanks and error cells become "" as in the file source (calamine), errors noted apart.
    block: Any = used.options(ndim=2, err_to_str=True, empty="").value
    width = left + (len(block[0]) if block else 0)
    rows: list[list[Value]] = [[""] * width for _ in range(top)]
    errors: dict[tuple[int, int], str] = {}
    for r, raw in enumerate(block or [], start=top):
        row: list[Value] = [""] * left
        for c, v in enumerate(raw, start=left):
            if isinstance(v, str) and v in EXCEL_ERRORS:
                errors[(r, c)] = v
                v = ""
            row.append(v)
        rows.append(row)
    return Grid(sheet.name, rows, merges=read_merges(sheet, used), errors=errors)


Merge = tuple[int, int, int, int]
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
#: XlRangeValueDataType.xlRangeValueXMLSpreadsheet
_XML_SPREADSHEET = 11


def read_merges(sheet: xw.Sheet, used: xw.Range) -> list[Merge]:
    """Merged ranges of a sheet's used range, 0-based inclusive (r1, c1, r2, c2)."""
    if sheet.book.app.engine.name == "excel":  # desktop Excel through COM
        xml = _spreadsheet_xml(used.api)
        return merges_from_spreadsheet_xml(xml, used.row - 1, used.column - 1) if xml else []
    api = sheet.api
    if isinstance(api, dict):  # the JSON-book engine: the sheet's payload
        return [_merge(a) for a in api.get("merged_ranges") or []]
    return []


def _spreadsheet_xml(range_api: Any) -> str | None:
    """``Range.Value(xlRangeValueXMLSpreadsheet)`` through COM.

    Value is an indexed property: pywin32's wrappers read it without the index, so the property
    get is invoked directly, as xlwings does for ``Axis.HasAxis``.
    """
    import pythoncom

    ole = range_api._oleobj_
    dispid = ole.GetIDsOfNames(0, "Value")
    xml = ole.Invoke(dispid, 0, pythoncom.DISPATCH_PROPERTYGET, 1, _XML_SPREADSHEET)
    return xml if isinstance(xml, str) else None


def _merge(address: str) -> Merge:
    first, _, last = address.replace("$", "").partition(":")
    r1, c1 = from_a1(first)
    r2, c2 = from_a1(last or first)
    return r1, c1, r2, c2


def merges_from_spreadsheet_xml(xml: str, top: int = 0, left: int = 0) -> list[Merge]:
    """Merged areas in an XML Spreadsheet 2003 document of a range whose top-left cell is the
    0-based (top, left). Rows and cells are numbered from 1 with optional ``ss:Index``; a cell
    without one follows the previous cell and the columns that cell's merge spans."""
    table = ET.fromstring(xml).find(f".//{_SS}Table")
    out: list[Merge] = []
    if table is None:
        return out
    r = 0
    for row in table.iter(f"{_SS}Row"):
        if (ri := row.get(f"{_SS}Index")) is not None:
            r = int(ri) - 1
        c = 0
        for cell in row.iter(f"{_SS}Cell"):
            if (ci := cell.get(f"{_SS}Index")) is not None:
                c = int(ci) - 1
            across = int(cell.get(f"{_SS}MergeAcross", 0))
            down = int(cell.get(f"{_SS}MergeDown", 0))
            if across or down:
                out.append((top + r, left + c, top + r + down, left + c + across))
            c += 1 + across
        r += 1 + int(row.get(f"{_SS}Span", 0))
    return out
