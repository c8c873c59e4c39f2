"""The open workbook checked through the live source: shared by the ribbon actions and the UDFs."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from xlbudget.findings import SEVERITY_ZH

if TYPE_CHECKING:
    import xlwings as xw

    from xlbudget.engine import Analysis
    from xlbudget.sources.grid import Grid, Value

#: The header row of the table XLB_FINDINGS() spills into the workbook.
FINDINGS_HEADER = ["级别", "规则", "工作表", "单元格", "表中数", "应为", "说明"]
_SEVERITY_LABELS = frozenset(SEVERITY_ZH.values())

# UDFs such as XLB_CHECK() recalculate with the workbook; reading it is one bulk call per sheet,
# but the analysis is worth keeping while the values are unchanged.
_CACHE: OrderedDict[tuple[object, ...], tuple[list[Grid], Analysis]] = OrderedDict()
_CACHE_SIZE = 4


def read(book: xw.Book) -> list[Grid]:
    """The workbook's sheets as grids, as the file source reads them: xlbudget's own sheets
    included, which the engine leaves out of the tables (``own_sheets``) but reads for the
    出错说明 the user wrote in the report sheet."""
    from xlbudget.sources.live import read_book

    grids = read_book(book)
    for g in grids:
        blank_findings_tables(g)
    return grids


def blank_findings_tables(grid: Grid) -> int:
    """Blank every table XLB_FINDINGS() spilled into ``grid``; returns how many.

    Its rows name the standard tables and repeat their figures, so read as input they would be
    recognised as tables and change the very findings they show.
    """
    width, found, rows = len(FINDINGS_HEADER), 0, grid.rows
    for r, row in enumerate(rows):
        for c in range(len(row) - width + 1):
            if row[c] != FINDINGS_HEADER[0] or row[c:c + width] != FINDINGS_HEADER:
                continue
            found += 1
            end = r + 1
            while end < len(rows) and _cells(rows[end], c, width)[0] in _SEVERITY_LABELS:
                end += 1
            if end == r + 1 and end < len(rows):
                # no finding: one row with the reason in the last column
                last = _cells(rows[end], c, width)
                if not any(last[:-1]) and last[-1]:
                    end += 1
            for line in rows[r:end]:
                line[c:c + width] = [""] * len(line[c:c + width])
    return found


def _cells(row: list[Value], c: int, width: int) -> list[Value]:
    cells = row[c:c + width]
    return cells + [""] * (width - len(cells))


def analyse_grids(grids: list[Grid], path: str) -> Analysis:
    """The engine's analysis of grids read from a live workbook."""
    from xlbudget.engine import analyse

    return analyse(grids, path)


def analyse_book(book: xw.Book) -> tuple[list[Grid], Analysis]:
    """Read and analyse the workbook, reusing the last analysis while its values are unchanged."""
    grids = read(book)
    key = (book.fullname, _fingerprint(grids))
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    result = (grids, analyse_grids(grids, book.fullname))
    _CACHE[key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def _fingerprint(grids: list[Grid]) -> tuple[object, ...]:
    """Everything the analysis depends on, as a hashable key (compared in full, so a hash
    collision cannot return another workbook's analysis)."""
    return tuple((g.name, tuple(map(tuple, g.rows)), tuple(g.merges),
                  tuple(sorted(g.errors.items()))) for g in grids)
