"""The xlwings renderer of a plan of marks: applies a :class:`Plan` to the open workbook.

It follows the steps documented in ``xlbudget.marks.plan``, as the openpyxl renderer
(``xlbudget.marks.xlsx``) does for files, and writes the same state-sheet records, so a workbook
marked by either renderer is cleaned by either. Writes go in bulk: one ``set_colors`` call per
sheet for the fills, one ``.value`` call for the report and state sheets. Notes, hyperlinks and
corrections are per cell because Excel has no bulk call for them (one per finding).

What Excel's engines cannot tell is handled conservatively: where an original fill cannot be
read (the xlwings JSON engine has no fills in its payload) it is recorded as unknown and cleaned
to no fill; where an existing user note cannot be read, it is left alone rather than replaced.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from xlbudget.marks.plan import (
    FILLS,
    NOTE_HEAD,
    NOTE_SEPARATOR,
    STATE_SHEET,
    CellMark,
    CellValue,
    ChartSheet,
    Plan,
    ReportSheet,
    formula_safe,
    shown_text,
)
from xlbudget.marks.xlsx import STATE_HEADER, RenderResult
from xlbudget.sources.grid import Grid, from_a1

#: ``Range.set_colors`` takes at most this many cells per call.
_COLOR_BLOCK = 10_000
_HEADER_FILL = "D9D9D9"

Colour = str | None  # "RRGGBB" or None (no fill)


def render_book(book: Any, plan: Plan, grids: Iterable[Grid] = ()) -> RenderResult:
    """Apply ``plan`` to the open workbook ``book`` (an ``xw.Book``).

    ``grids`` are the sheets as read for the analysis; they tell which corrected cells held
    their number as text.
    """
    result = RenderResult()
    state = _State(book)
    result.cleaned = state.undo()
    texts = {g.name: g for g in grids}
    names = set(sheet_names(book))
    try:
        # Values first: a fixed cell's note then says what it was.
        for v in plan.values:
            _set_value(book, names, state, v, texts.get(v.sheet), result)
        _marks(book, state, plan.marks, result)
        for chart in plan.charts:
            chart_sheet(book, chart)
            result.charts.append(chart.name)
        if plan.report is not None:
            result.report_sheet = report_sheet(book, state, plan.report)
        if plan.explanations is not None:
            result.explanations = explanation_sheet(book, plan.explanations)
    finally:
        # Also after a failure half-way: what was changed stays recorded, so clear undoes it.
        state.save()
    if result.report_sheet is not None:
        book.sheets[result.report_sheet].activate()  # show the user what was found
    return result


def clean_book(book: Any) -> int:
    """Remove every xlbudget mark from the open workbook; returns the number of records undone.

    Records of corrections are kept (in the state sheet) so that old values stay recoverable.
    """
    state = _State(book)
    n = state.undo()
    state.save()
    return n


def sheet_names(book: Any) -> list[str]:
    return [s.name for s in book.sheets]


class _State:
    """The records of the state sheet (``kind | sheet | cell | data``), as the file renderer."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.records: list[tuple[str, str, str, Any]] = []
        self.old: list[tuple[str, str, str, Any]] = []
        if STATE_SHEET in sheet_names(book):
            block = book.sheets[STATE_SHEET].used_range.options(ndim=2).value or []
            for row in block[1:]:
                if row and row[0]:
                    row = [*row, None, None, None][:4]
                    self.old.append((str(row[0]), row[1] or "", row[2] or "",
                                     json.loads(row[3]) if row[3] else None))

    def add(self, kind: str, sheet: str, cell: str, data: Any) -> None:
        self.records.append((kind, sheet, cell, data))

    def undo(self) -> int:
        """Restore fills and notes, drop added sheets and the state sheet; corrections stay."""
        book, n = self.book, 0
        names = set(sheet_names(book))
        fills: dict[str, dict[tuple[int, int], Colour]] = defaultdict(dict)
        for kind, sheet, cell, data in self.old:
            if kind == "sheet":
                if sheet in names:
                    book.sheets[sheet].delete()
                    names.discard(sheet)
                n += 1
            elif kind == "fill" and sheet in names:
                fills[sheet][from_a1(cell)] = (data or {}).get("rgb")
                n += 1
            elif kind == "note" and sheet in names:
                _restore_note(book.sheets[sheet].range(cell), data)
                n += 1
            elif kind == "value":
                # The audit of corrections survives cleaning: old values stay recoverable.
                self.records.append((kind, sheet, cell, data))
        for sheet, cells in fills.items():
            set_fills(book.sheets[sheet], cells)
        self.old = []
        if STATE_SHEET in names:
            state = book.sheets[STATE_SHEET]
            state.visible = True  # Excel refuses to delete a very hidden sheet
            state.delete()
        return n

    def save(self) -> None:
        if not self.records:
            return
        ws = book_add_sheet(self.book, STATE_SHEET)
        rows = [STATE_HEADER] + [[k, s, c, json.dumps(d, ensure_ascii=False)]
                                 for k, s, c, d in self.records]
        ws.range((1, 1), (len(rows), 4)).value = _literal(rows)
        _very_hidden(ws)


def book_add_sheet(book: Any, name: str, position: int | None = None) -> Any:
    """A new sheet at 0-based ``position``, last when None or past the end."""
    count = len(book.sheets)
    if position == 0:
        return book.sheets.add(name, before=book.sheets[0])
    # ``after`` the previous sheet: the JSON engine places ``before=`` one position early.
    after = count if position is None or position >= count else position
    return book.sheets.add(name, after=book.sheets[after - 1])


def _very_hidden(sheet: Any) -> None:
    """Hide the state sheet from the sheet tabs and from the Unhide dialog where the engine can."""
    sheet.visible = False
    if sheet.book.app.engine.name == "excel":  # COM: xlSheetVeryHidden; others know only Hidden
        sheet.api.Visible = 2


def _hex(colour: Any) -> Colour:
    """xlwings' colour (RGB tuple or None) as RRGGBB."""
    if colour is None:
        return None
    r, g, b = colour
    return f"{r:02X}{g:02X}{b:02X}"


def set_fills(sheet: Any, cells: dict[tuple[int, int], Colour]) -> None:
    """Set fills of scattered cells (0-based) in bulk: one ``set_colors`` call over their
    bounding box, other cells kept (``...``), split in row bands of at most 10,000 cells."""
    if not cells:
        return
    r1, r2 = min(r for r, _ in cells), max(r for r, _ in cells)
    c1, c2 = min(c for _, c in cells), max(c for _, c in cells)
    width = c2 - c1 + 1
    band = max(1, _COLOR_BLOCK // width)
    for top in range(r1, r2 + 1, band):
        bottom = min(top + band - 1, r2)
        matrix = [[_colour_arg(cells[(r, c)]) if (r, c) in cells else ...
                   for c in range(c1, c2 + 1)] for r in range(top, bottom + 1)]
        sheet.range((top + 1, c1 + 1), (bottom + 1, c2 + 1)).set_colors(matrix)


def _colour_arg(colour: Colour) -> str | None:
    return None if colour is None else f"#{colour}"


def _original_fill(rng: Any) -> dict[str, Any]:
    try:
        return {"xml": None, "rgb": _hex(rng.color)}
    except NotImplementedError:  # the JSON engine sends no fills
        return {"xml": None, "rgb": None, "unknown": True}


def _note(rng: Any) -> tuple[bool, str | None]:
    """Whether the cell has a note, and its text (None when the engine cannot read it)."""
    note = rng.note
    if note is None:
        return False, None
    try:
        return True, note.text
    except NotImplementedError:  # the JSON engine knows which cells have notes, not their text
        return True, None


def _restore_note(rng: Any, data: dict[str, Any] | None) -> None:
    note = rng.note
    if data is None:
        if note is not None:
            note.delete()
    elif note is None:
        rng.add_note(data["text"])
    else:
        note.text = data["text"]


def _marks(book: Any, state: _State, marks: list[CellMark], result: RenderResult) -> None:
    names = set(sheet_names(book))
    by_sheet: dict[str, list[CellMark]] = defaultdict(list)
    for m in marks:
        if m.sheet not in names:
            result.skipped.append(f"标注 {m.sheet}!{m.cell}：工作簿中没有该工作表")
            continue
        by_sheet[m.sheet].append(m)
    for sheet_name, items in by_sheet.items():
        sheet = book.sheets[sheet_name]
        fills: dict[tuple[int, int], Colour] = {}
        for m in items:
            rng = sheet.range(m.cell)
            state.add("fill", sheet_name, m.cell, _original_fill(rng))
            fills[from_a1(m.cell)] = m.fill
            _write_note(rng, state, sheet_name, m, result)
            result.marked += 1
        set_fills(sheet, fills)


def _write_note(rng: Any, state: _State, sheet: str, m: CellMark, result: RenderResult) -> None:
    exists, text = _note(rng)
    if exists and text is None:
        result.skipped.append(f"批注 {sheet}!{m.cell}：单元格已有批注且无法读取，未覆盖（已着色）")
        return
    # A leftover xlbudget note (its state sheet was lost) is replaced, not stacked.
    text = text or ""
    base = "" if text.startswith(NOTE_HEAD) else text.split(NOTE_SEPARATOR + NOTE_HEAD)[0]
    state.add("note", sheet, m.cell, {"text": base, "author": None} if base else None)
    if not exists:
        rng.add_note(m.note)
    else:
        rng.note.text = f"{base}{NOTE_SEPARATOR}{m.note}" if base else m.note


def _set_value(book: Any, names: set[str], state: _State, v: CellValue, grid: Grid | None,
               result: RenderResult) -> None:
    if v.sheet not in names:
        result.skipped.append(f"修正 {v.sheet}!{v.cell}：工作簿中没有该工作表")
        return
    rng = book.sheets[v.sheet].range(v.cell)
    try:
        formula = rng.formula
    except NotImplementedError:  # the JSON engine sends values only; its cells hold no formulas
        formula = None
    if isinstance(formula, str) and formula.startswith("="):
        result.skipped.append(f"修正 {v.sheet}!{v.cell}：单元格是公式（{formula}），未改写，"
                              "请检查其引用的单元格")
        return
    new = Decimal(v.value)
    old = grid.value(*from_a1(v.cell)) if grid is not None else None
    # Writing .value keeps the cell's number format; text stays text.
    rng.value = shown_text(new, old) if isinstance(old, str) and old.strip() else float(new)
    state.add("value", v.sheet, v.cell, {"old": v.old, "new": v.value, "rule": v.rule})
    result.fixed.append(v)


def _unique_sheet_name(book: Any, name: str) -> str:
    names, n, out = set(sheet_names(book)), 2, name
    while out in names:
        out, n = f"{name}({n})", n + 1
    return out


def _literal(rows: list[list[Any]]) -> list[list[Any]]:
    """Excel parses text set through its object model as if typed: names and messages from a
    workbook must not become formulas (``formula_safe``)."""
    return [[formula_safe(v) for v in row] for row in rows]


def report_sheet(book: Any, state: _State, rep: ReportSheet) -> str:
    """Write the report sheet last in the workbook, in one value call; returns its name."""
    name = _unique_sheet_name(book, rep.name)
    ws = book_add_sheet(book, name)
    state.add("sheet", name, "", None)
    width = max(len(r) for r in rep.rows)
    matrix = [list(r) + [None] * (width - len(r)) for r in rep.rows]
    ws.range((1, 1), (len(matrix), width)).value = _literal(matrix)
    ws.range((1, 1)).font.bold = True
    ws.range((1, 1)).font.size = 14
    header = ws.range((rep.header_row, 1), (rep.header_row, width))
    header.font.bold = True
    header.color = f"#{_HEADER_FILL}"
    if rep.severity_rows:
        sev = rep.severity_rows
        set_fills(ws, {(r - 1, 1): FILLS.get(s, FILLS["info"]) for r, s in sev.items()})
        first, last = min(rep.severity_rows), max(rep.severity_rows)
        ws.range((first, 9), (last, 9)).wrap_text = True
    for link in rep.links:
        target = "#'" + link.sheet.replace("'", "''") + "'!" + link.cell
        ws.range((link.row, link.col)).add_hyperlink(target, link.cell)
    for i, w in enumerate(rep.widths, start=1):
        ws.range((1, i)).column_width = w
    _freeze_below(ws, rep.header_row)
    return name


def _freeze_below(sheet: Any, row: int) -> None:
    """Freeze the rows above and including ``row`` (1-based)."""
    if sheet.book.app.engine.name == "excel":
        # xlwings has no freeze panes for COM; Excel freezes the active window's panes.
        sheet.activate()
        window = sheet.book.app.api.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn, window.SplitRow = 0, row
        window.FreezePanes = True
    else:
        sheet.freeze_panes.freeze_at(sheet.range((row + 1, 1)))


def chart_sheet(book: Any, cs: ChartSheet) -> None:
    """A chart data sheet with its native chart, replacing the sheets named in ``replaces`` at
    the first one's position (as the file renderer)."""
    names = sheet_names(book)
    position = next((names.index(n) for n in cs.replaces if n in names), None)
    for old in dict.fromkeys(cs.replaces):
        if old in names:
            book.sheets[old].delete()
            names.remove(old)
    ws = book_add_sheet(book, cs.name, position)
    first = 4
    rows: list[list[Any]] = [[cs.title], [f"单位：{cs.unit}"], [], list(cs.header)]
    rows += [list(r) for r in cs.rows]
    if cs.note:
        rows += [[], [cs.note]]
    width = max(len(cs.header), 1)
    matrix = [r + [None] * (width - len(r)) for r in rows]
    ws.range((1, 1), (len(matrix), width)).value = _literal(matrix)
    ws.range((1, 1)).font.bold = True
    ws.range((1, 1)).font.size = 14
    ws.range((first, 1), (first, width)).font.bold = True
    ws.range((1, 1)).column_width = 34
    last = first + len(cs.rows)
    if not cs.rows:
        return
    if width > 1:
        ws.range((first + 1, 2), (last, width)).number_format = "#,##0.00"
    chart = ws.charts.add(source=ws.range((first, 1), (last, width)),
                          chart_type="pie" if cs.kind == "pie" else "column_clustered",
                          anchor=ws.range((first, width + 2)), width=510, height=255)
    chart.title = cs.title



def explanation_sheet(book: Any, items: list[Any]) -> int:
    """Write the 出错说明 sheet (as the file renderer does): its content replaced in one value
    call, the sheet added last when missing; not recorded in the state sheet."""
    from xlbudget import explain

    rows = explain.sheet_rows(items)
    width = len(explain.HEADER)
    if explain.SHEET in sheet_names(book):
        ws = book.sheets[explain.SHEET]
        ws.used_range.clear_contents()
    else:
        ws = book_add_sheet(book, explain.SHEET)
        for i, w in enumerate(explain.WIDTHS, start=1):
            ws.range((1, i)).column_width = w
    # Text cells: "0.50" keeps its decimals, and a text starting with "=" is no formula.
    ws.range((3, 1), (max(len(rows), 3), width)).number_format = "@"
    ws.range((1, 1), (len(rows), width)).value = [r + [None] * (width - len(r)) for r in rows]
    ws.range((1, 1)).font.bold = True
    ws.range((2, 1), (2, width)).font.bold = True
    return len(items)
