"""The batch summary workbook (``--report summary.xlsx``), written row by row.

openpyxl's write-only mode streams each sheet to a temporary file, so memory stays flat with the
number of files. Sheets: 概况 (totals), 汇总 (one row per file, linked to the file), 规则统计
(one row per rule, linked to its sheet), then one sheet per rule listing each finding, and a
very hidden sheet that tells discovery the workbook is xlbudget's own output.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from xlbudget.batch.discover import SUMMARY_SHEET
from xlbudget.batch.sinks import STATUS_ZH, severity_counts, top_rules
from xlbudget.coverage import coverage_lines
from xlbudget.findings import SEVERITY_ZH, FileResult, Tally
from xlbudget.marks.atomic import as_os_error, atomic_target, make_folder, temp_path
from xlbudget.rules.catalog import REGISTRY

_MAX_ROWS = 1_048_576  # Excel's row limit; a longer rule sheet continues in "T1-a (2)"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_FILE_HEAD = ["文件", "状态", "错误", "警告", "提示", "已说明", "主要规则", "识别的表数", "说明"]
_RULE_HEAD = ["文件", "工作表", "单元格", "表中数值", "应为", "严重程度", "确定", "说明",
              "出错说明"]


class XlsxSink:
    """Collects a batch into ``path``; the file appears (atomically) on ``close``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from openpyxl import Workbook  # deferred: openpyxl is slow to import
        from openpyxl.styles import Font

        self.path = Path(path)
        make_folder(self.path)
        # Fail now, not after a long batch, when the folder cannot be written to.
        probe = temp_path(self.path)
        probe.touch()
        probe.unlink()
        self.base = self.path.resolve().parent
        self.wb = Workbook(write_only=True)
        self.bold = Font(bold=True)
        self.link_font = Font(color="0563C1", underline="single")
        self.files = self._sheet("汇总", _FILE_HEAD, [60, 10, 8, 8, 8, 8, 36, 12, 80])
        self.rule_sheets: dict[str, list[Any]] = {}  # rule code -> its sheets
        self.rule_names: list[str] = []  # sheet names of rule sheets, sorted
        self.rows: Counter[str] = Counter()  # rows written per sheet name
        self.started = time.strftime("%Y-%m-%d %H:%M:%S")

    def _sheet(self, name: str, head: list[str], widths: list[int], index: int | None = None,
               ) -> Any:
        from openpyxl.utils import get_column_letter  # deferred: openpyxl is slow to import

        ws = self.wb.create_sheet(name, index)
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.append([self._cell(ws, h, font=self.bold) for h in head])
        return ws

    def _cell(self, ws: Any, value: Any, *, link: str | None = None, location: str | None = None,
              font: Any = None) -> Any:
        from openpyxl.cell import WriteOnlyCell  # deferred: openpyxl is slow to import
        from openpyxl.worksheet.hyperlink import Hyperlink

        cell = WriteOnlyCell(ws, value)
        if isinstance(value, str):
            cell.data_type = "s"  # text from a workbook never becomes a formula (injection)
        if link is not None or location is not None:
            cell.hyperlink = Hyperlink(ref="", target=link, location=location)
            cell.font = self.link_font
        elif font is not None:
            cell.font = font
        return cell

    def _link(self, path: str) -> str:
        """A link Excel resolves from the report's folder: relative when it can be, so the
        report and the files can move together."""
        p = Path(path).resolve()
        try:
            return Path(os.path.relpath(p, self.base)).as_posix()
        except ValueError:  # another drive on Windows
            return p.as_uri()

    def _append(self, ws: Any, values: list[Any]) -> None:
        ws.append([self._cell(ws, v) if isinstance(v, str) else v for v in values])

    def add(self, result: FileResult) -> None:
        try:
            self._add(result)
        except Exception as exc:  # rows stream to temporary files: a full disk shows here
            os_error = as_os_error(exc)
            if os_error is None:
                raise
            raise os_error from exc

    def _add(self, result: FileResult) -> None:
        ws = self.files
        link = self._link(result.path)
        self._append(ws, [
            self._cell(ws, result.path, link=link),
            STATUS_ZH.get(result.status, result.status),
            *severity_counts(result),
            top_rules(result),
            len(result.tables),
            # an unreadable file's reason, else what was not checked (nothing skipped silently)
            result.error or "；".join(coverage_lines(result.coverage, full=False)),
        ])
        for f in result.findings:
            rs = self._rule_sheet(f.rule)
            location = (f"'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell}"
                        if f.sheet and f.cell else None)
            self._append(rs, [
                self._cell(rs, result.path, link=link),
                f.sheet or "",
                self._cell(rs, f.cell, link=link, location=location) if location else "",
                _number(f.actual),
                _number(f.expected),
                SEVERITY_ZH.get(f.severity, f.severity),
                "是" if f.certain else "否（多种可能）",
                f.message,
                f.explained or "",
            ])

    def _rule_sheet(self, rule: str) -> Any:
        sheets = self.rule_sheets.setdefault(rule, [])
        if sheets and self.rows[sheets[-1].title] < _MAX_ROWS:
            self.rows[sheets[-1].title] += 1
            return sheets[-1]
        base = _sheet_name(rule)
        name, k = base, 1
        while name in self.wb.sheetnames:
            k += 1
            name = f"{base[:26]} ({k})"
        # Rule sheets stay sorted by name after 汇总 (概况 and 规则统计 are inserted on close).
        self.rule_names.append(name)
        self.rule_names.sort()
        ws = self._sheet(name, _RULE_HEAD, [50, 30, 10, 14, 14, 10, 14, 80, 60],
                         index=1 + self.rule_names.index(name))
        sheets.append(ws)
        self.rows[name] = 2  # the header and the row about to be written
        return ws

    def close(self, tally: Tally) -> None:
        self._rules_sheet(tally, index=1)
        self._overview(tally)
        # Marks the workbook as xlbudget's output, so a later batch over the folder skips it.
        ws = self.wb.create_sheet(SUMMARY_SHEET)
        ws.sheet_state = "veryHidden"
        ws.append(["kind", "batch-summary"])
        with atomic_target(self.path) as tmp:
            self.wb.save(tmp)

    def _rules_sheet(self, tally: Tally, index: int) -> None:
        titles = _rule_titles()
        ws = self._sheet("规则统计", ["规则", "名称", "严重程度", "问题数", "涉及文件数"],
                         [12, 50, 10, 10, 12], index=index)
        for rule, n in tally.rules.most_common():
            sheet = self.rule_sheets[rule][0].title
            sev = tally.rule_severity.get(rule, "")
            self._append(ws, [self._cell(ws, rule, location=f"'{sheet}'!A1"),
                              titles.get(rule, ""), SEVERITY_ZH.get(sev, sev), n,
                              tally.rule_files[rule]])

    def _overview(self, tally: Tally) -> None:
        ws = self._sheet("概况", ["项目", "数量"], [24, 40], index=0)
        s, p = tally.summary, tally.problems  # problems as the text report counts them
        rows: list[tuple[str, Any]] = [
            ("文件数", s["files"]),
            ("通过", tally.status["ok"]),
            ("有问题", tally.status["findings"]),
            ("无法校验", tally.status["error"]),
            ("错误", p["error"]),
            ("警告", p["warning"]),
            ("提示", p["info"]),
            ("已说明", p["explained"]),
            ("开始时间", self.started),
            ("完成时间", time.strftime("%Y-%m-%d %H:%M:%S")),
        ]
        if tally.interrupted:
            rows.append(("说明", "校验被中断，本报告只包含已完成的文件"))
        for label, value in rows:
            self._append(ws, [label, value])


def _sheet_name(rule: str) -> str:
    return _BAD_SHEET_CHARS.sub("_", rule)[:31].strip("'") or "规则"


def _number(text: str | None) -> Decimal | str:
    """Amounts are exact decimal strings in findings; cells get numbers so Excel can sum them."""
    if text is None:
        return ""
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _rule_titles() -> dict[str, str]:
    """Chinese titles of the registered rules (the findings carry only codes and messages)."""
    return {code: rule.title for code, rule in REGISTRY.items()}
