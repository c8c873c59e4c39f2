"""The sheets a render adds to a workbook: the report sheet, chart data sheets with their charts
and the 出错说明 sheet; text written into any sheet stays text (``as_text``)."""

from __future__ import annotations

from typing import Any

from xlbudget import explain
from xlbudget.marks.plan import FILLS, ChartSheet, ReportSheet


def as_text(cells: Any) -> None:
    """Keep text as text: openpyxl stores a string starting with ``=`` as a live formula and
    one like ``#REF!`` as an error value, and names or messages taken from a workbook must
    never run as a formula in the file we write (formula injection)."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type != "s":
            cell.data_type = "s"


def _unique_sheet_name(wb: Any, name: str) -> str:
    n, out = 2, name
    while out in wb.sheetnames:
        out, n = f"{name}({n})", n + 1
    return out


def report_sheet(wb: Any, rep: ReportSheet) -> str:
    """Write the report sheet; returns its name (the caller records it, so ``clean`` drops it)."""
    from openpyxl.styles import Alignment, Font, PatternFill  # deferred: start-up time
    from openpyxl.utils import get_column_letter  # deferred: start-up time
    from openpyxl.worksheet.hyperlink import Hyperlink  # deferred: start-up time

    name = _unique_sheet_name(wb, rep.name)
    ws = wb.create_sheet(name)
    for row in rep.rows:
        ws.append(row)
        as_text(ws[ws.max_row])
    ws["A1"].font = Font(bold=True, size=14)
    for c in ws[rep.header_row]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9D9D9")
    for r, sev in rep.severity_rows.items():
        ws.cell(r, 2).fill = PatternFill("solid", fgColor=FILLS.get(sev, FILLS["info"]))
        ws.cell(r, 9).alignment = Alignment(wrap_text=True, vertical="top")
    for link in rep.links:
        c = ws.cell(link.row, link.col)
        target = "'" + link.sheet.replace("'", "''") + "'!" + link.cell
        c.hyperlink = Hyperlink(ref=c.coordinate, location=target, display=link.cell)
        c.style = "Hyperlink"
    for i, w in enumerate(rep.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = ws.cell(rep.header_row + 1, 1)
    return name


def chart_sheet(wb: Any, cs: ChartSheet) -> str:
    """Write one chart data sheet with its chart; returns the sheet's name."""
    from openpyxl.chart import BarChart, PieChart, Reference  # deferred: start-up time
    from openpyxl.chart.label import DataLabelList  # deferred: start-up time
    from openpyxl.styles import Font  # deferred: start-up time

    index = None
    for old in cs.replaces:
        if old in wb.sheetnames:
            index = wb.sheetnames.index(old) if index is None else index
            del wb[old]
    ws = wb.create_sheet(_unique_sheet_name(wb, cs.name), index)
    ws["A1"] = cs.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"单位：{cs.unit}"
    first = 4
    ws.append([])
    ws.append(list(cs.header))
    for c in ws[first]:
        c.font = Font(bold=True)
    for row in cs.rows:
        ws.append(list(row))
    last = first + len(cs.rows)
    if cs.note:
        ws.cell(last + 2, 1, cs.note)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        as_text(row)
    for row in ws.iter_rows(min_row=first + 1, max_row=last, min_col=2, max_col=len(cs.header)):
        for c in row:
            c.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 34
    for col in "BCD":
        ws.column_dimensions[col].width = 14
    if not cs.rows:
        return ws.title
    chart = PieChart() if cs.kind == "pie" else BarChart()
    chart.title = cs.title
    data = Reference(ws, min_col=2, max_col=len(cs.header), min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    labels = DataLabelList()
    if cs.kind == "pie":
        labels.showPercent = True
    else:
        labels.showVal = True
        chart.type = "col"
        chart.y_axis.title = cs.unit
        # openpyxl 3.1 writes delete=None, which current Excel reads as hidden axes.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    chart.dataLabels = labels
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, "F4")
    return ws.title


def explanation_sheet(wb: Any, items: list[Any]) -> int:
    """Write the 出错说明 sheet (``xlbudget.explain``): rewritten in place when it exists, so its
    position and column widths stay; never recorded in the state sheet, so ``clean`` keeps it."""
    from openpyxl.styles import Alignment, Font, PatternFill  # deferred: start-up time
    from openpyxl.utils import get_column_letter  # deferred: start-up time

    if explain.SHEET in wb.sheetnames:
        ws = wb[explain.SHEET]
        ws.delete_rows(1, ws.max_row)
    else:
        ws = wb.create_sheet(explain.SHEET)
        for i, w in enumerate(explain.WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A3"
    for row in explain.sheet_rows(items):
        ws.append(row)
        as_text(ws[ws.max_row])  # an explanation starting with "=" stays text
    ws["A1"].font = Font(bold=True)
    for c in ws[2]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9D9D9")
    for r in range(3, ws.max_row + 1):
        for col in (2, 3, 4):  # sheet, cell and value are text: "0.50" keeps its decimals
            ws.cell(r, col).number_format = "@"
        ws.cell(r, 5).alignment = Alignment(wrap_text=True, vertical="top")
    return len(items)
