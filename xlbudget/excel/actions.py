"""The ribbon actions of the add-in, run by VBA as ``RunPython("import xlbudget.excel.actions as
a; a.check()")``: each works on the calling workbook and ends with a short Chinese alert.

``check`` reports, ``mark`` colours and notes the wrong cells and adds the report sheet, ``fix``
does the same and writes the certain corrections (old values kept in the notes and in the hidden
state sheet), ``explain`` writes a 出错说明 for the findings of the selected cell into the sheet
出错说明, ``charts`` writes the chart data sheets (图1–图7), ``clear`` removes xlbudget's
marks, ``help`` explains the buttons. Every error ends as an alert, never as a traceback.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from xlbudget import explain as explanations  # the name explain is the ribbon action
from xlbudget.chart_data import chart_data
from xlbudget.coverage import coverage_lines
from xlbudget.excel.render import chart_sheet, clean_book, explanation_sheet, render_book
from xlbudget.excel.workbook import analyse_book
from xlbudget.explain import default_author, to_save
from xlbudget.findings import SEVERITY_ZH, FileResult, defect_groups, problem_counts
from xlbudget.marks.chart_sheets import find_chart_sheets, plan_sheets
from xlbudget.marks.plan import build_plan
from xlbudget.rules.catalog import REGISTRY
from xlbudget.sources.grid import SourceError, from_a1
from xlbudget.sources.own import REPORT_SHEET, own_sheets
from xlbudget.text_report import problem_text

TITLE = "xlbudget 决算校验"
#: An alert stays readable with this many findings listed.
_SHOWN = 5
#: Characters of one problem's line in the alert.
_LINE = 120
#: Excel's MsgBox shows at most 1024 characters of a prompt.
_ALERT_MAX = 1000


def check() -> None:
    """Check the workbook and show what was found."""
    _run(_check)


def mark() -> None:
    """Colour and note the wrong cells, and add the report sheet."""
    _run(_mark)


def fix() -> None:
    """Mark as ``mark`` does and write the certain corrections."""
    _run(_fix)


def explain(codes: str = "") -> None:
    """Explain the findings of the selected cell with the text the add-in asked for, given as
    UTF-16 code units in hex (see ``decode_text``); an empty text removes the cell's
    explanations."""
    _run(lambda book: _explain(book, decode_text(codes)))


def charts() -> None:
    """Write the chart data sheets (图1–图7) from the tables."""
    _run(_charts)


def clear() -> None:
    """Remove xlbudget's fills, notes, report and state sheets."""
    _run(_clear)


def help() -> None:  # shadows the builtin: the add-in's VBA calls exactly this name
    """Explain the buttons and the worksheet functions."""
    _run(lambda book: HELP)


def _run(action: Callable[[Any], str]) -> None:
    import xlwings as xw  # deferred: xlwings is slow to import

    try:
        book = xw.Book.caller()
    except Exception as exc:  # not called from Excel: nothing to alert in
        raise SystemExit(f"xlbudget：找不到调用的工作簿（{exc}）") from None
    suffix = ""
    try:
        message = action(book)
    except SourceError as exc:  # the workbook could not be read: the message says where
        message = str(exc)
    except Exception as exc:
        message = failure_message(book, exc)
        log = _write_log()
        suffix = "" if log is None else f"\n详细信息已记录在 {log}"
    limit = _ALERT_MAX - len(suffix)
    if len(message) > limit:
        message = message[:limit - 1] + "…"
    book.app.alert(message + suffix, title=TITLE)


def _write_log() -> Path | None:
    """Append the current traceback to a log file for the developers; the user sees an alert.

    Not to stderr: xlwings shows whatever a RunPython call writes there (on macOS always) as an
    error box with the traceback in it.
    """

    path = Path(tempfile.gettempdir()) / "xlbudget-excel.log"
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n{traceback.format_exc()}\n")
    except OSError:
        return None
    return path


def failure_message(book: Any, exc: Exception) -> str:
    """The alert for an action that failed on a bug: Chinese, naming the workbook."""
    return (f"{book.name}：处理时发生内部错误（{type(exc).__name__}: {exc}）。"
            "工作簿未被改动或只改动了一部分，可点击「清除标注」恢复；请将此工作簿反馈给开发者。")


def _analyse(book: Any) -> tuple[list[Any], Any]:
    return analyse_book(book)


def summary(result: FileResult) -> str:
    """Counts and the first problems, one line each as the command line shows them: errors
    before warnings, certain ones first (a tie of candidate cells or a copied row is one)."""
    if result.status == "error":
        return result.error or "无法校验此工作簿"

    # Problems counted as the command line counts them (a tie or a copied row is one problem).
    c = problem_counts(result.findings)
    tables = "、".join(t.key for t in result.tables)
    lines = [f"识别到 {len(result.tables)} 张表（{tables}）。",
             f"错误 {c.get('error', 0)} 处，警告 {c.get('warning', 0)} 处，"
             f"提示 {c.get('info', 0)} 处"
             + (f"，已说明 {c['explained']} 处。" if c.get("explained") else "。")]

    lines += coverage_lines(result.coverage, full=False)  # what was not checked, and why
    rank = {"error": 0, "warning": 1}
    serious = sorted((g for g in defect_groups(result.findings) if g[0].severity in rank),
                     key=lambda g: (rank[g[0].severity], not all(f.certain for f in g)))
    for g in serious[:_SHOWN]:
        text = problem_text(g)
        # a message box has little room: long lines are cut, the report sheet has them whole
        text = text if len(text) <= _LINE else text[:_LINE] + "…"
        lines.append(f"· [{SEVERITY_ZH[g[0].severity]}] {text}")
    if len(serious) > _SHOWN:  # some not listed
        lines.append(f"…共 {len(serious)} 处错误和警告。")
    return "\n".join(lines)


def _check(book: Any) -> str:
    _, analysis = _analyse(book)
    result = analysis.result
    tail = {"ok": "\n未发现问题。", "findings": "\n点击「标注」可在表中标出问题单元格。"}
    return summary(result) + tail.get(result.status, "")


def _render(book: Any, *, fix: bool) -> str:
    grids, analysis = _analyse(book)
    result = analysis.result
    if result.status == "error":
        return summary(result)
    plan = build_plan(result, fix=fix, explanations=to_save(analysis.explanations))
    done = render_book(book, plan, grids)
    lines = [summary(result), ""]
    lines.append(f"已标注 {done.marked} 个单元格，明细见工作表「{done.report_sheet}」。")
    if fix:
        lines.append(f"已修正 {len(done.fixed)} 个单元格；原值写在批注中，并记录在隐藏的状态表里。")
    if done.explanations is not None:
        lines.append("校验结果表中填写的出错说明已保存到工作表「出错说明」"
                     f"（共 {done.explanations} 条）。")
    lines += [f"未处理：{s}" for s in done.skipped[:_SHOWN]]
    if len(done.skipped) > _SHOWN:
        lines.append(f"…另有 {len(done.skipped) - _SHOWN} 项未处理。")
    return "\n".join(lines)


def _mark(book: Any) -> str:
    return _render(book, fix=False)


def _fix(book: Any) -> str:
    return _render(book, fix=True)


def decode_text(codes: str) -> str:
    """The text the VBA of the add-in sends: UTF-16 code units, four hex digits each. Sent so
    because RunPython passes its command through a command line, where only ASCII is safe."""
    try:
        return bytes.fromhex(codes).decode("utf-16-be", "surrogatepass").strip()
    except ValueError as exc:
        raise ValueError(f"加载项传来的说明文字无法解读（{codes[:40]}）") from exc


def _explain(book: Any, text: str) -> str:
    """Write (or, with an empty text, remove) the 出错说明 of the selected cell's findings; a
    selected row of the 校验结果 sheet stands for the finding it lists."""

    selection = book.selection
    if selection is None:
        return "请先选中一个有问题的单元格，再点「出错说明」。"
    sheet = selection.sheet.name
    cell = selection[0, 0].address.replace("$", "")
    where = f"{sheet}!{cell}"
    grids, analysis = _analyse(book)
    if analysis.result.status == "error":
        return summary(analysis.result)
    only: str | None = None  # the rule of the selected report row
    if sheet.startswith(REPORT_SHEET) and sheet in own_sheets(grids):
        report = next(g for g in grids if g.name == sheet)
        target = explanations.report_target(report, from_a1(cell)[0])
        if target is None:
            return (f"请在「{sheet}」表中选中某个问题所在的行（有单元格地址的行），"
                    "再点「出错说明」。")
        only, sheet, cell = target
        where = f"{sheet}!{cell}"
    items = analysis.explanations.current()
    author, date = _user(book), explanations.today()
    if not text:
        kept = [e for e in items if (e.sheet, e.cell) != (sheet, cell)
                or (only is not None and e.rule != only)]
        if len(kept) == len(items):
            return f"{where} 没有出错说明，无需删除。"
        explanation_sheet(book, explanations.signed(kept, author=author, date=date))
        return f"已删除 {where} 的 {len(items) - len(kept)} 条出错说明。"
    here = [f for f in analysis.result.findings if (f.sheet, f.cell) == (sheet, cell)
            and (only is None or f.rule == only)
            and (f.severity in ("error", "warning") or f.explained is not None)]
    if not here:
        return (f"{where} 没有需要说明的问题。请先点「校验」或「标注」，"
                "再选中标出的单元格（或“校验结果”表中所列的单元格）。")
    grid = next((g for g in grids if g.name == sheet), None)
    value = explanations.cell_text(grid, cell)
    done, refused = [], []
    for code in dict.fromkeys(f.rule for f in here):
        rule = REGISTRY[code]
        if not rule.explainable:
            refused.append(explanations.refusal(rule) + "。")
        elif any(f.rule == code and f.severity == "error" for f in here):
            refused.append(f"{code}：该处是数字差错，不能说明，请改正该数字。")
        else:
            new = explanations.Explanation(code, sheet, cell, value, text, author, date)
            items = explanations.upsert(items, new)
            done.append(code)
    if done:
        explanation_sheet(book, explanations.signed(items, author=author, date=date))
    lines = [f"已为 {where} 写入出错说明（{'、'.join(done)}），保存在工作表「出错说明」中；"
             "此后校验把这些问题记为“已说明”（请保存工作簿）。再点「标注」可更新单元格颜色和"
             "校验结果表。"] if done else [f"{where} 的问题不能写出错说明："]
    return "\n".join(lines + refused)


def _user(book: Any) -> str:
    """Excel's user name (File > Options), else the login name."""

    try:
        name = book.app.api.UserName if book.app.engine.name == "excel" else ""
    except Exception:  # no COM (macOS, JSON engine): the login name will do
        name = ""
    return str(name or default_author())


def _charts(book: Any) -> str:
    grids, analysis = _analyse(book)
    if analysis.result.status == "error":
        return summary(analysis.result)
    data, missing = chart_data(analysis.model)
    sheets = plan_sheets(data, find_chart_sheets(grids))
    for cs in sheets:
        chart_sheet(book, cs)
    lines = [f"已生成 {len(sheets)} 张图表数据表：{'、'.join(cs.name for cs in sheets)}。"]
    lines += [cs.note for cs in sheets if cs.note]
    lines += missing
    return "\n".join(lines)


def _clear(book: Any) -> str:
    n = clean_book(book)
    if n == 0:
        return "没有找到 xlbudget 的标注。"
    return f"已清除 {n} 处标注（单元格颜色和批注已恢复，校验结果表已删除）；已写入的修正值保留。"


HELP = "\n".join([
    "xlbudget 部门决算校验",
    "· 校验：检查本工作簿的九张公开表，报告错误个数和前几条问题，不改动工作簿。",
    "· 标注：把有问题的单元格涂色（红=错误、黄=警告、蓝=提示）并加批注写明应为多少，",
    "  最后新增工作表「校验结果」。",
    "· 修正：同“标注”，并把能唯一确定的正确值写入单元格；原值写在批注中并记录在隐藏的状态表里。",
    "· 出错说明：选中一个有问题的单元格，为“可说明”类问题（如 X11、X16）写下说明，",
    "  保存在工作表「出错说明」中，此后该问题记为“已说明”；说明留空则删除该格的说明。",
    "  “必须修改”类问题（如合计不等于明细之和）不能说明。",
    "· 图表数据：根据各表生成 图1–图7 的数据表和图表。",
    "· 清除标注：恢复单元格原来的颜色和批注，删除「校验结果」表。",
    "",
    "工作表函数：",
    "XLB_PCT(部分,总数,[小数位]) 占比；XLB_GROWTH(本年,上年,[小数位]) 增长率；",
    "XLB_RATE(决算,预算,[小数位]) 完成率；XLB_SUMCODE(编码区域,金额区域,编码前缀) 末级科目合计；",
    "XLB_LEVEL(编码) 级次；XLB_PARENT(编码) 上级编码；XLB_CHECK() 错误个数；",
    "XLB_FINDINGS() 问题清单；XLB_EXPECTED(单元格) 合计单元格的重算值。",
])
