"""``xlbudget explain``: write, list and remove 出错说明 (explanations kept in the workbook).

Writing changes the user's file, which is what this command is for: it goes through the safe
write path (temporary file, re-read check, timestamped backup, then replace); ``-o`` writes a
copy instead. Exit codes: 0 done, 2 unusable input or refused (a 必须修改 rule, no such finding).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from xlbudget.cli import main
from xlbudget.cli.mark_cmd import _api, _check_workbook, _report_write, _write
from xlbudget.cli.mark_cmd import _fail as fail  # "错误：…" and exit 2, as mark/fix/clean
from xlbudget.findings import problem_counts
from xlbudget.sources.own import STATE_SHEET


def _where(cell: str) -> tuple[str | None, str]:
    """``工作表!B7`` / ``'工作表'!B7`` / ``B7`` -> (sheet or None, normalised cell)."""
    from xlbudget.explain import normal_cell  # deferred: loads the rule catalog, not for --help

    sheet, bang, addr = cell.rpartition("!")
    sheet = sheet.strip()
    if len(sheet) > 1 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    try:
        return (sheet if bang else None), normal_cell(addr)
    except ValueError:
        fail(f"“{cell}”不是单元格地址，应写作 B7 或 工作表名!B7")


def _analysed(file: Path) -> tuple[list[Any], Any]:
    from xlbudget.api import read_and_analyse  # deferred: loads the rule catalog, not for --help

    return _api(lambda: read_and_analyse(file))


def _author(given: str | None) -> str:
    from xlbudget.explain import default_author  # deferred: loads the rule catalog, not for --help

    return given or default_author()


@main.command("explain")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("rule", required=False)
@click.argument("cell", required=False)
@click.argument("text", required=False)
@click.option("--list", "show", is_flag=True, help="列出工作簿中的出错说明及其状态（不改动文件）")
@click.option("--remove", is_flag=True, help="删除 RULE CELL 的出错说明")
@click.option("--author", default=None, help="填写人（默认为当前系统用户名）")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="写到另一个文件（默认直接写入原文件，写入前自动备份）")
@click.option("--force", is_flag=True, help="即使会丢失图片、形状等内容也写入原文件")
def explain(file: Path, rule: str | None, cell: str | None, text: str | None, show: bool,
            remove: bool, author: str | None, output: Path | None, force: bool) -> None:
    """出错说明：为“可说明”类问题写下说明，保存在工作簿的“出错说明”工作表中。

    \b
    xlbudget explain 文件 规则 单元格 "说明文字"   写入或替换一条说明
    xlbudget explain 文件 规则 单元格 --remove     删除一条说明
    xlbudget explain 文件 --list                    列出全部说明及是否仍然有效
    单元格写作 B7，或 工作表名!B7（同一规则在多张表的同一单元格都有问题时）。

    已说明的问题在校验中计为提示（已说明），不再使退出码为 1；单元格数值改变或问题消失后，
    说明会被报告为已过时（警告）。“必须修改”类规则（如合计不等于明细之和）不能说明。
    """
    if show:
        if rule or cell or text or remove:
            fail("--list 不能与规则、单元格或 --remove 同时使用")
        _check_workbook(file)
        _list(file)
        return
    if not (rule and cell):
        fail("请给出规则和单元格，如：xlbudget explain 文件.xlsx X16 B15 \"说明文字\"；"
             "或用 --list 列出已有说明")
    _check_workbook(file)
    if remove:
        if text:
            fail("--remove 不需要说明文字")
        _remove(file, rule, cell, output, force)
    else:
        if not text or not text.strip():
            fail("请给出说明文字（用引号括起来）")
        _add(file, rule, cell, text.strip(), _author(author), output, force)


def _add(file: Path, code: str, cell_arg: str, text: str, author: str, output: Path | None,
         force: bool) -> None:
    # deferred: explain and the catalog load the rules, not for --help
    from xlbudget.explain import Explanation, cell_text, refusal, signed, today, upsert
    from xlbudget.rules.catalog import REGISTRY

    # Codes are stable but typed in any case (x16, t1-A), as --select takes them.
    rule = next((r for c, r in REGISTRY.items() if c.upper() == code.upper()), None)
    if rule is None:
        fail(f"没有规则 {code}。用 xlbudget rules 查看全部规则及其类别")
    code = rule.code
    if not rule.explainable:
        fail(f"{file.name}：不能写出错说明。{refusal(rule)}")
    sheet, cell = _where(cell_arg)
    grids, analysis = _analysed(file)
    hits = [f for f in analysis.result.findings
            if f.rule == code and f.cell == cell and (sheet is None or f.sheet == sheet)
            and (f.severity in ("error", "warning") or f.explained is not None)]
    where = f"{sheet}!{cell}" if sheet else cell
    if not hits:
        fail(f"{file.name}：{where} 没有规则 {code} 的问题，无需说明"
             f"（用 xlbudget check {file} 查看问题所在的单元格）")
    sheets = sorted({f.sheet for f in hits if f.sheet})
    if len(sheets) > 1:
        fail(f"{file.name}：{len(sheets)} 张工作表的 {cell} 都有规则 {code} 的问题"
             f"（{'、'.join(sheets)}），请写作 工作表名!{cell}")
    if any(f.severity == "error" for f in hits):
        fail(f"{file.name}：{sheets[0]}!{cell} 是数字差错（{code} 判为错误），不能说明，"
             "请改正该数字")
    sheet = sheets[0]
    grid = next((g for g in grids if g.name == sheet), None)
    new = Explanation(code, sheet, cell, cell_text(grid, cell), text, author, today())
    items = signed(analysis.explanations.current(), author=author, date=today())
    _save(file, upsert(items, new), output, force)
    click.echo(f"已写入出错说明：{sheet}!{cell}（{code}，当时数值 {new.value or '（空）'}）。"
               "该问题今后记为“已说明”")
    _hint_marks(grids)


def _hint_marks(grids: list[Any]) -> None:
    if any(g.name == STATE_SHEET for g in grids):
        click.echo("工作簿中有 xlbudget 的标注：重新运行 xlbudget mark "
                   "可更新单元格颜色和“校验结果”表")


def _remove(file: Path, code: str, cell_arg: str, output: Path | None, force: bool) -> None:
    from xlbudget.explain import (  # deferred: loads the rule catalog, not for --help
        default_author,
        remove,
        signed,
        today,
    )

    sheet, cell = _where(cell_arg)
    grids, analysis = _analysed(file)
    items = analysis.explanations.current()
    hits = [e for e in items if e.rule.upper() == code.upper() and e.cell == cell
            and (sheet is None or e.sheet == sheet)]
    where = f"{sheet}!{cell}" if sheet else cell
    if not hits:
        fail(f"{file.name}：没有 {where} 规则 {code} 的出错说明（用 --list 查看已有说明）")
    if len({e.sheet for e in hits}) > 1:
        fail(f"{file.name}：多张工作表的 {cell} 都有规则 {code} 的说明，请写作 工作表名!{cell}")
    e = hits[0]
    kept = signed(remove(items, e.rule, e.sheet, e.cell), author=default_author(), date=today())
    _save(file, kept, output, force)
    click.echo(f"已删除出错说明：{e.sheet}!{e.cell}（{code}）")
    _hint_marks(grids)


def _save(file: Path, items: list[Any], output: Path | None, force: bool) -> None:
    # deferred: the writers load the rule catalog and openpyxl, not for --help
    from xlbudget.marks.plan import Plan
    from xlbudget.marks.safe import verify_explanations
    from xlbudget.marks.xlsx import render_file

    plan = Plan(source=str(file), created=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                explanations=items)

    def produce(tmp: Path) -> None:
        render_file(plan, file, tmp)

    rep = _write(file, output or file, produce, verify_explanations(items), in_place=output is None,
                 force=force)
    _report_write(rep)


def _list(file: Path) -> None:
    _, analysis = _analysed(file)
    stored = analysis.explanations
    items = stored.current()
    click.echo(f"{file.name}：出错说明 {len(items)} 条")
    for e in items:
        state = stored.status.get(e.key, "")
        source = "" if e.origin.startswith("出错说明!") else \
            "（写在校验结果表中，尚未保存到出错说明表）"
        by = "，".join(x for x in (e.author, e.date) if x)
        click.echo(f"  {e.rule}  {e.sheet}!{e.cell}  [{state}]  当时数值 {e.value or '（空）'}"
                   f"{('  ' + by) if by else ''}{source}\n      “{e.text}”")
    for f in stored.problems:
        click.echo(f"  无法读取：{f.message}")
    c = problem_counts(analysis.result.findings)  # as check's 合计 counts them
    click.echo(f"校验结果：错误 {c.get('error', 0)} 处，警告 {c.get('warning', 0)} 处，"
               f"已说明 {c.get('explained', 0)} 处，提示 {c.get('info', 0)} 处")
