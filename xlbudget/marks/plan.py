"""A plan of marks: everything xlbudget writes into a workbook, as plain serialisable data.

A plan says *what* to write (fill this cell, note it, set this value, add the report sheet, add a
chart data sheet); renderers say *how*: ``xlbudget.marks.xlsx`` applies a plan to a file copy with
openpyxl, the Excel add-in (``xlbudget.excel``) applies the same plan to the open workbook with
xlwings. This module imports no spreadsheet library.

How a renderer applies a plan (both renderers follow this, so that ``clean`` works on either):

1. Undo earlier xlbudget marks first (``clean``): marking twice equals marking once.
2. For each :class:`CellMark`: record the cell's original fill and note in the state sheet, then
   set a solid fill of ``mark.fill`` and the note ``mark.note`` (appended under an existing user
   note, separated by :data:`NOTE_SEPARATOR`). A mark on a merged range goes to its top-left cell.
3. For each :class:`CellValue`: skip formula cells (reported, never overwritten); otherwise keep
   the number format and style, write ``value`` as a number (as text when the cell held text).
4. Write :attr:`Plan.report` as the sheet :data:`REPORT_SHEET`, last in the workbook.
5. Write each :class:`ChartSheet`, replacing the sheets named in ``replaces`` at their position.
6. Keep the records in the very hidden sheet :data:`STATE_SHEET`, one row per record:
   ``kind | sheet | cell | data`` where ``data`` is JSON. Kinds: ``fill`` (original fill:
   ``{"xml": <OOXML fill element or null>, "rgb": "RRGGBB" or null}``; a renderer restores ``xml``
   when it can, else ``rgb``, null meaning no fill), ``note`` (original note: ``{"text", "author"}``
   or null), ``value`` (a correction: ``{"old", "new"}``, kept for audit, never undone),
   ``sheet`` (a sheet xlbudget added that ``clean`` removes: the report sheet).

``clean`` restores every ``fill`` and ``note`` record, deletes the ``sheet`` records' sheets and the
state sheet (with its ``value`` records: after ``clean`` nothing of xlbudget is left), and touches
nothing else: corrected values and chart sheets are the user's content once written.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from xlbudget.coverage import coverage_lines
from xlbudget.explain import REPORT_COLUMN, Explanation
from xlbudget.findings import SEVERITIES, SEVERITY_ZH, FileResult, Finding, problem_counts
from xlbudget.sources.own import REPORT_SHEET, STATE_SHEET  # noqa: F401  (the renderers' names)

#: Fill colour (RRGGBB) per severity: Excel's own "bad", "neutral" and a light blue.
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
#: First line of every note xlbudget writes; also how a leftover note is recognised.
NOTE_HEAD = "【xlbudget 校验】"
NOTE_SEPARATOR = "\n—— \n"
NOTE_AUTHOR = "xlbudget"

Scalar = str | int | float | None


@dataclass(slots=True)
class CellMark:
    """Colour one cell and attach a note."""

    sheet: str
    cell: str
    severity: str
    fill: str
    note: str


@dataclass(slots=True)
class CellValue:
    """Write a corrected value (a decimal string in the cell's unit) into one cell."""

    sheet: str
    cell: str
    value: str
    old: str | None
    rule: str


@dataclass(slots=True)
class Link:
    """An internal hyperlink from ``(row, col)`` of a generated sheet (1-based) to a cell."""

    row: int
    col: int
    sheet: str
    cell: str


@dataclass(slots=True)
class ReportSheet:
    """The report sheet: a summary block then a table with one row per finding."""

    name: str
    rows: list[list[Scalar]]
    #: 1-based row of the findings table header (bold, frozen under it)
    header_row: int
    links: list[Link] = field(default_factory=list)
    #: 1-based row -> severity, for colouring the severity cell of finding rows
    severity_rows: dict[int, str] = field(default_factory=dict)
    widths: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ChartSheet:
    """A chart data sheet (图1–图7) with one native chart over its data table.

    ``header`` and ``rows`` form the data table (first column: category labels; other columns:
    series, numbers in ``unit``). ``kind`` is ``bar`` (clustered columns) or ``pie``.
    """

    name: str
    title: str
    kind: str
    unit: str
    header: list[str]
    rows: list[list[Scalar]]
    note: str | None = None
    replaces: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    """Everything to write into one workbook."""

    source: str
    created: str
    marks: list[CellMark] = field(default_factory=list)
    values: list[CellValue] = field(default_factory=list)
    report: ReportSheet | None = None
    charts: list[ChartSheet] = field(default_factory=list)
    #: the whole content of the 出错说明 sheet to write (``xlbudget.explain``), or None to leave
    #: it as it is; not recorded in the state sheet: explanations are the user's content
    explanations: list[Explanation] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        report = data.get("report")
        if report is not None:
            report = dict(report)
            report["links"] = [Link(**x) for x in report.get("links", [])]
            sev = report.get("severity_rows", {})
            report["severity_rows"] = {int(k): v for k, v in sev.items()}
            report = ReportSheet(**report)
        return cls(
            source=data["source"],
            created=data["created"],
            marks=[CellMark(**x) for x in data.get("marks", [])],
            values=[CellValue(**x) for x in data.get("values", [])],
            report=report,
            charts=[ChartSheet(**x) for x in data.get("charts", [])],
            explanations=None if data.get("explanations") is None else
            [Explanation(**x) for x in data["explanations"]],
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1)


#: First characters that make a spreadsheet read text as a formula (OWASP "CSV Injection");
#: a plain number such as ``-12.50`` is left as it is (as defusedcsv does).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9][0-9,]*(?:\.[0-9]+)?")


def formula_safe(value: object) -> object:
    """Text that no spreadsheet runs as a formula: text starting with ``= + - @``, tab or CR
    gets a leading ``'``, which Excel and LibreOffice take as "this is text" when it is typed,
    imported from CSV or set through Excel's object model. Other values are returned as they
    are. Renderers that can mark a cell as text (openpyxl) do that instead."""
    if isinstance(value, str) and value[:1] in _FORMULA_START \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def finding_note(f: Finding, *, fixed: bool) -> str:
    """The note text for one finding on its cell."""
    lines = [f"{f.rule}［{SEVERITY_ZH.get(f.severity, f.severity)}］{f.message}"]
    if f.expected is not None:
        if fixed:
            old = f.actual if f.actual is not None else "（空）"
            lines.append(f"已修正：原值 {old}，改为 {f.expected}")
        else:
            lines.append(f"应为：{f.expected}" + ("" if f.certain else "（可能的修正之一）"))
    if not f.certain:
        lines.append("注：有多个同样小的修正方案，本单元格是候选之一，请人工确认。")
    return "\n".join(lines)


def shown_text(value: Decimal, old_text: str) -> str:
    """A corrected number written into a cell that held it as text, in the same style (with
    thousands separators if it had them); both renderers write corrections this way."""
    places = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
    return f"{value:,.{places}f}" if "," in old_text else f"{value:.{places}f}"


def fixable(f: Finding) -> bool:
    """Whether ``fix`` writes this finding's expected value: certain, with a cell and a number."""
    if not (f.certain and f.sheet and f.cell and f.expected is not None):
        return False
    try:
        Decimal(f.expected)
    except InvalidOperation:
        return False
    return True


def build_plan(result: FileResult, *, fix: bool = False, now: datetime | None = None,
               charts: list[ChartSheet] | None = None,
               explanations: list[Explanation] | None = None) -> Plan:
    """The plan for one checked file: marks for every finding with a cell, the report sheet,
    the corrections of certain findings when ``fix``, the given chart sheets, and the 出错说明
    sheet's new content when given (explanations written in the report, moved to the sheet)."""
    created = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    plan = Plan(source=result.path, created=created, charts=list(charts or []),
                explanations=explanations)
    fixed: set[int] = set()
    if fix:
        done: set[tuple[str, str]] = set()
        for i, f in enumerate(result.findings):
            if fixable(f) and (f.sheet, f.cell) not in done:
                done.add((f.sheet, f.cell))  # type: ignore[arg-type]
                fixed.add(i)
                plan.values.append(CellValue(f.sheet, f.cell, f.expected, f.actual, f.rule))  # type: ignore[arg-type]
    by_cell: dict[tuple[str, str], list[tuple[int, Finding]]] = {}
    for i, f in enumerate(result.findings):
        # Rounding notes (info) are no problem to fix: they are listed on the report sheet only,
        # so that a clean workbook comes back without coloured cells.
        if f.sheet and f.cell and f.severity != "info":
            by_cell.setdefault((f.sheet, f.cell), []).append((i, f))
    for (sheet, cell), items in by_cell.items():
        items.sort(key=lambda it: _rank(it[1].severity))
        severity = items[0][1].severity
        body = "\n".join(finding_note(f, fixed=i in fixed) for i, f in items)
        plan.marks.append(CellMark(sheet, cell, severity, FILLS.get(severity, FILLS["info"]),
                                   f"{NOTE_HEAD}\n{body}"))
    plan.report = build_report(result, created, fixed)
    return plan


#: The last column is the user's: an explanation written there is read by the next check.
REPORT_HEADER = ["序号", "级别", "规则", "工作表", "单元格", "表中数", "应为", "是否确定", "说明",
                 "处理", "相关单元格", REPORT_COLUMN]


def _related(f: Finding) -> str:
    """The other cells of the finding's identity, sheet named only when it differs."""
    refs = [r.get("cell") if r.get("sheet") == f.sheet else f"{r.get('sheet')}!{r.get('cell')}"
            for r in f.related if r.get("cell")]
    text = "、".join(str(x) for x in refs)
    # Excel cells hold 32767 characters; a long list is cut where a reader stops anyway.
    return text if len(text) <= 300 else text[:300] + "…"


def build_report(result: FileResult, created: str, fixed: set[int]) -> ReportSheet:
    """The 校验结果 sheet: summary block, then one row per finding (worst first)."""
    # Problems as the command line counts them (a tie or a copied row is one), then the rows.
    counts = problem_counts(result.findings)
    rows: list[list[Scalar]] = [
        ["xlbudget 校验结果"],
        ["文件", result.path],
        ["校验时间", created],
        ["错误", counts.get("error", 0)],
        ["警告", counts.get("warning", 0)],
        ["提示", counts.get("info", 0)],
        ["已说明", counts.get("explained", 0)],
        ["记录（下表行数）", len(result.findings)],
        ["已修正", len(fixed)],
        ["出错说明", "“可说明”类问题可在最后一列填写出错说明，下次校验时读取"
                  "（已说明的问题计为提示）；说明保存在“出错说明”工作表中"],
        *(["未校验", line.removeprefix("未校验：")]
          for line in coverage_lines(result.coverage, full=False)),
        [],
    ]
    header_row = len(rows) + 1
    rows.append(list(REPORT_HEADER))
    links: list[Link] = []
    sev_rows: dict[int, str] = {}
    findings = result.findings
    order = sorted(range(len(findings)), key=lambda i: (_rank(findings[i].severity), i))
    for n, i in enumerate(order, start=1):
        f = result.findings[i]
        r = len(rows) + 1
        status = "已修正" if i in fixed else ("已说明" if f.explained is not None else
                                            ("请核对" if f.cell else ""))
        rows.append([n, SEVERITY_ZH.get(f.severity, f.severity), f.rule, f.sheet, f.cell,
                     f.actual, f.expected, "是" if f.certain else "否", f.message, status,
                     _related(f), f.explained])
        sev_rows[r] = f.severity
        if f.sheet and f.cell:
            links.append(Link(r, 5, f.sheet, f.cell))
    if not result.findings:
        rows.append(["", "", "", "", "", "", "", "", "未发现问题"])
    return ReportSheet(REPORT_SHEET, rows, header_row, links, sev_rows,
                       [6, 6, 8, 28, 8, 14, 14, 8, 70, 8, 40, 40])
