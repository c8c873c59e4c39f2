"""The openpyxl renderer of a plan of marks: applies a :class:`Plan` to a copy of a workbook file.

Follows the steps documented in ``xlbudget.marks.plan`` (clean first, record originals in the
very hidden state sheet, fills and notes, corrections, report sheet, chart sheets); the added
sheets are written by :mod:`~xlbudget.marks.sheets`. The caller goes through
``xlbudget.marks.safe.write_safely`` so that the input is never touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlbudget.marks.plan import (
    NOTE_AUTHOR,
    NOTE_SEPARATOR,
    STATE_SHEET,
    CellMark,
    CellValue,
    Plan,
    shown_text,
)
from xlbudget.marks.sheets import as_text, chart_sheet, explanation_sheet, report_sheet

STATE_HEADER = ["kind", "sheet", "cell", "data"]


@dataclass(slots=True)
class RenderResult:
    """What a render did, for the command's summary."""

    marked: int = 0
    fixed: list[CellValue] = field(default_factory=list)
    #: Chinese reasons for plan entries that were not applied
    skipped: list[str] = field(default_factory=list)
    cleaned: int = 0
    charts: list[str] = field(default_factory=list)
    report_sheet: str | None = None
    #: explanations written into the 出错说明 sheet (None: the sheet was not touched)
    explanations: int | None = None


def load(path: Path) -> Any:
    """Open a workbook for writing, keeping what openpyxl can keep (VBA, links, rich text)."""
    import openpyxl

    from xlbudget.marks.safe import WriteError
    from xlbudget.sources.writable import write_obstacle

    later = "；可在 Excel 中打开并另存为 .xlsx 后再试"
    why = write_obstacle(path)
    if why is not None:
        raise WriteError(f"{path.name}：可以校验，但无法写入标注或修正：{why}，原文件未改动{later}")
    try:
        return openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm",
                                      keep_links=True, rich_text=True)
    except Exception as exc:  # openpyxl's zip, XML and schema errors all mean "cannot write"
        # The exception stays chained for library callers; a user gets what to do.
        raise WriteError(f"{path.name}：可以校验，但写入所用的 openpyxl 无法读取此文件，"
                         f"原文件未改动{later}") from exc


def render_file(plan: Plan, src: Path, dst: Path) -> RenderResult:
    """Apply ``plan`` to the workbook ``src`` and save the result as ``dst``."""
    wb = load(src)
    result = RenderResult()
    state = _State(wb)
    if plan.marks or plan.values or plan.report is not None:
        # A chart-only plan leaves earlier marks alone; a marking plan replaces them.
        result.cleaned = state.undo()
    # Values first: a fixed cell's note then says what it was.
    for v in plan.values:
        _set_value(wb, state, v, result)
    for m in plan.marks:
        _mark(wb, state, m, result)
    rewritten: set[str] = set()
    for chart in plan.charts:
        result.charts.append(chart_sheet(wb, chart))
        rewritten |= {*chart.replaces, result.charts[-1]}
    if plan.report is not None:
        result.report_sheet = report_sheet(wb, plan.report)
        state.add("sheet", result.report_sheet, "", None)
    if plan.explanations is not None:
        result.explanations = explanation_sheet(wb, plan.explanations)
    state.save()
    if result.fixed:
        _recalc_on_open(wb)
    # With a value changed, formula results may change too: Excel recomputes them on open.
    _save(wb, src, dst, keep_formula_results=not result.fixed, rewritten=frozenset(rewritten))
    return result


def clean_file(src: Path, dst: Path) -> int:
    """Remove every xlbudget mark of ``src`` into ``dst``; returns the number of records undone."""
    wb = load(src)
    state = _State(wb)
    n = state.undo()
    state.save()  # only the record of corrections, if any
    _save(wb, src, dst, keep_formula_results=True)
    return n


def _save(wb: Any, src: Path, dst: Path, *, keep_formula_results: bool,
          rewritten: frozenset[str] = frozenset()) -> None:
    """Save, then put back into the package what openpyxl leaves out but we can keep."""
    from xlbudget.marks.keep import put_back

    _comment_only_vml_rewritten(wb)
    wb.save(dst)
    put_back(src, dst, formula_results=keep_formula_results, skip_sheets=rewritten)


def _comment_only_vml_rewritten(wb: Any) -> None:
    """With keep_vba, openpyxl reuses a sheet's VML part for its notes but names new VML parts
    by counter, so a workbook openpyxl wrote before gets two parts of one name (a corrupt
    package). VML holding nothing but notes is rebuilt from the notes themselves; VML with
    form controls is kept as it is."""
    if wb.vba_archive is None:
        return
    for ws in wb.worksheets:
        if ws.legacy_drawing is None:
            continue
        vml = wb.vba_archive.read(ws.legacy_drawing)
        types = set(re.findall(rb'ObjectType="(\w+)"', vml))
        if types <= {b"Note"}:
            ws.legacy_drawing = None


class _State:
    """The records of the state sheet: what xlbudget changed and what was there before."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.records: list[tuple[str, str, str, Any]] = []
        self.old: list[tuple[str, str, str, Any]] = []
        if STATE_SHEET in wb.sheetnames:
            from xlbudget.marks.safe import WriteError

            for n, row in enumerate(wb[STATE_SHEET].iter_rows(min_row=2, values_only=True), 2):
                if not row or not row[0]:
                    continue
                try:
                    data = json.loads(row[3]) if len(row) > 3 and row[3] else None
                except ValueError as exc:
                    raise WriteError(f"工作表“{STATE_SHEET}”第 {n} 行的标注记录已损坏，"
                                     "无法还原原有格式，未写出") from exc
                self.old.append((str(row[0]), row[1] or "", row[2] or "", data))

    def add(self, kind: str, sheet: str, cell: str, data: Any) -> None:
        self.records.append((kind, sheet, cell, data))

    def undo(self) -> int:
        """Restore fills and notes, drop added sheets; corrections stay (the user asked), and so
        does their record, so that old values remain recoverable after cleaning."""
        wb, n = self.wb, 0
        for kind, sheet, cell, data in self.old:
            if kind == "value":
                self.records.append((kind, sheet, cell, data))
            elif kind == "sheet":
                if sheet in wb.sheetnames:
                    del wb[sheet]
                n += 1
            elif kind in ("fill", "note") and sheet in wb.sheetnames:
                c = wb[sheet][cell]
                if kind == "fill":
                    c.fill = _fill_from(data)
                else:
                    c.comment = _comment(data["text"], data.get("author")) if data else None
                n += 1
        self.old = []
        if STATE_SHEET in wb.sheetnames:
            del wb[STATE_SHEET]
        return n

    def save(self) -> None:
        if not self.records:
            return
        ws = self.wb.create_sheet(STATE_SHEET)
        ws.sheet_state = "veryHidden"
        ws.append(STATE_HEADER)
        for kind, sheet, cell, data in self.records:
            ws.append([kind, sheet, cell, json.dumps(data, ensure_ascii=False)])
            as_text(ws[ws.max_row])


def _target(wb: Any, sheet: str, cell: str, what: str, result: RenderResult) -> Any | None:
    """The cell to write (the top-left cell of a merged range), or None with a reason."""
    if sheet not in wb.sheetnames:
        result.skipped.append(f"{what} {sheet}!{cell}：工作簿中没有该工作表")
        return None
    ws = wb[sheet]
    for rng in ws.merged_cells.ranges:
        if cell in rng:
            return ws.cell(rng.min_row, rng.min_col)
    return ws[cell]


def _fill_json(fill: Any) -> dict[str, Any]:
    from openpyxl.xml.functions import tostring

    rgb = None
    if fill.fill_type == "solid" and fill.fgColor is not None and fill.fgColor.type == "rgb":
        rgb = str(fill.fgColor.rgb)[-6:]
    return {"xml": tostring(fill.to_tree()).decode(), "rgb": rgb}


def _fill_from(data: dict[str, Any] | None) -> Any:
    from openpyxl.styles import PatternFill
    from openpyxl.styles.fills import Fill
    from openpyxl.xml.functions import fromstring

    if data and data.get("xml"):
        return Fill.from_tree(fromstring(data["xml"])) or PatternFill()
    if data and data.get("rgb"):
        return PatternFill("solid", fgColor=data["rgb"])
    return PatternFill()


def _comment(text: str, author: str | None) -> Any:
    from openpyxl.comments import Comment

    c = Comment(text, author or NOTE_AUTHOR)
    # Room for a few lines of Chinese; openpyxl's default box cuts most of a note off.
    c.width, c.height = 320, 140
    return c


def _mark(wb: Any, state: _State, m: CellMark, result: RenderResult) -> None:
    from openpyxl.styles import PatternFill

    c = _target(wb, m.sheet, m.cell, "标注", result)
    if c is None:
        return
    sheet, addr = c.parent.title, c.coordinate
    state.add("fill", sheet, addr, _fill_json(c.fill))
    old = c.comment
    state.add("note", sheet, addr, {"text": old.text, "author": old.author} if old else None)
    text = m.note if old is None else f"{old.text}{NOTE_SEPARATOR}{m.note}"
    c.fill = PatternFill("solid", fgColor=m.fill)
    c.comment = _comment(text, NOTE_AUTHOR)
    result.marked += 1


def _set_value(wb: Any, state: _State, v: CellValue, result: RenderResult) -> None:
    c = _target(wb, v.sheet, v.cell, "修正", result)
    if c is None:
        return
    if c.data_type == "f":
        result.skipped.append(f"修正 {v.sheet}!{v.cell}：单元格是公式（{c.value}），未改写，"
                              "请检查其引用的单元格")
        return
    new = Decimal(v.value)
    if isinstance(c.value, str):
        c.value = shown_text(new, c.value)  # the cell held the number as text: keep it text
    else:
        c.value = new
    state.add("value", c.parent.title, c.coordinate, {"old": v.old, "new": v.value, "rule": v.rule})
    result.fixed.append(v)


def _recalc_on_open(wb: Any) -> None:
    """openpyxl drops cached formula results; ask Excel to recompute them on open."""
    from openpyxl.workbook.properties import CalcProperties

    wb.calculation = wb.calculation or CalcProperties()
    wb.calculation.fullCalcOnLoad = True
