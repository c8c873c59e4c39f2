"""Read an open workbook through xlwings into grids: the live source of the Excel add-in.

Each sheet's used range is read in one bulk call, so a workbook costs one round trip per sheet
whatever its size. Cells are placed at Excel's own indexes (a used range that starts at C5 gets
leading blanks), as the file source does.

Merged ranges are not read: Excel has no bulk call for them (each merge area is a separate COM
lookup) and the xlwings JSON-book engine does not send them. Recognition works from title and
header text and from row codes, which the top-left cell of a merge holds, so it does not need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlbudget.sources.files import _short
from xlbudget.sources.grid import Grid, SourceError, Value

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
            msg = f"{book.name}：读取工作表「{sheet.name}」失败（{_short(exc)}）"
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
    return Grid(sheet.name, rows, errors=errors)
