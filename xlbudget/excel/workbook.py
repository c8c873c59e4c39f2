"""The open workbook checked through the live source: shared by the ribbon actions and the UDFs."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from xlbudget.marks.plan import REPORT_SHEET, STATE_SHEET

if TYPE_CHECKING:
    import xlwings as xw

    from xlbudget.engine import Analysis
    from xlbudget.sources.grid import Grid

#: xlbudget's own sheets are output, never input.
OWN_SHEETS = frozenset({REPORT_SHEET, STATE_SHEET})

# UDFs such as XLB_CHECK() recalculate with the workbook; reading it is one bulk call per sheet,
# but the analysis is worth keeping while the values are unchanged.
_CACHE: OrderedDict[tuple[str, int], tuple[list[Grid], Analysis]] = OrderedDict()
_CACHE_SIZE = 4


def read(book: xw.Book) -> list[Grid]:
    """The workbook's sheets as grids, without xlbudget's own sheets."""
    from xlbudget.sources.live import read_book

    return read_book(book, skip=OWN_SHEETS)


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


def _fingerprint(grids: list[Grid]) -> int:
    return hash(tuple((g.name, tuple(map(tuple, g.rows)), tuple(sorted(g.errors.items())))
                      for g in grids))
