"""``xlbudget mark | fix | charts | clean``: write findings, corrections and chart data back.

Every command writes a copy beside the input (``-o`` to choose it); only ``--in-place`` replaces
the input, after a backup. Exit codes as every command (``cli.errors``): ``mark`` and ``fix`` exit 1
when error findings remain in what they wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from xlbudget.cli import main
from xlbudget.cli.errors import FINDINGS, fail, limit_options, rule_patterns
from xlbudget.findings import problem_counts
from xlbudget.marks.atomic import WriteError, atomic_target

#: Suffix -> marker for documents other than workbooks (``.docx``: the narrative);
#: ``fn(path, output, fix)`` returns the exit code.
SUFFIX_MARKERS: dict[str, Callable[[Path, Path | None, bool], int]] = {}


def _mark_narrative(path: Path, output: Path | None, fix: bool) -> int:
    from xlbudget.cli.narrative_cmd import mark_narrative  # deferred: loads the library

    return mark_narrative(path, output, fix)


SUFFIX_MARKERS[".docx"] = _mark_narrative


_fail = fail


def _file_arg() -> Callable[[Any], Any]:
    arg = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    return lambda fn: limit_options(arg(fn))


def _api(call: Callable[[], Any]) -> Any:
    """Run a library function (``xlbudget.api``); its XlbudgetError is the user's: exit 2."""
    from xlbudget.api import XlbudgetError  # deferred: loads the rule catalog, not for --help

    try:
        return call()
    except XlbudgetError as exc:
        _fail(str(exc))


def _check_workbook(file: Path) -> None:
    from xlbudget.api import writable_workbook  # deferred: loads the rule catalog, not for --help

    _api(lambda: writable_workbook(file))


def _write(src: Path, dst: Path, produce: Callable[[Path], None], verify: Callable[[list], None],
           **options: Any) -> Any:
    from xlbudget.api import write_checked  # deferred: loads the rule catalog, not for --help

    return _api(lambda: write_checked(src, dst, produce, verify, **options))


def _report_write(rep: Any) -> None:
    click.echo(f"已写出：{rep.path}")
    if rep.backup is not None:
        click.echo(f"原文件已备份为：{rep.backup}")
    for item in rep.lost:
        click.echo(f"注意：写出的文件未能保留 {item}", err=True)


def _mark_or_fix(file: Path, output: Path | None, *, fix: bool, in_place: bool, force: bool,
                 select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    from xlbudget.api import WORKBOOK_SUFFIXES  # here: the command line starts without it

    suffix = file.suffix.lower()
    if suffix not in (*WORKBOOK_SUFFIXES, ".xls"):
        marker = SUFFIX_MARKERS.get(suffix)
        if marker is None:
            kinds = "、".join((*WORKBOOK_SUFFIXES, *SUFFIX_MARKERS))
            _fail(f"{file.name}：不支持的文件类型“{file.suffix}”（支持 {kinds}）")
        raise SystemExit(marker(file, output, fix))  # type: ignore[misc]
    from xlbudget import api  # deferred: loads the rule catalog, not for --help

    written = _api(lambda: api.fix(file, output, in_place=in_place, force=force, select=select,
                                   ignore=ignore) if fix else
                   api.mark(file, output, select=select, ignore=ignore))
    # Problems counted as check's 合计 counts them; cells as clean counts them back.
    n = problem_counts(written.result.findings)
    click.echo(f"{file.name}：错误 {n.get('error', 0)} 处，警告 {n.get('warning', 0)} 处"
               + (f"，已说明 {n['explained']} 处" if n.get("explained") else "")
               + f"；已标注 {written.marked} 个单元格"
               + (f"，已修正 {len(written.fixed)} 个单元格" if fix else ""))
    for reason in written.skipped:
        click.echo(f"未处理：{reason}", err=True)
    _report_write(written)
    fixed = set(written.fixed)
    if any(f.severity == "error" and f"{f.sheet}!{f.cell}" not in fixed
           for f in written.result.findings):
        raise SystemExit(FINDINGS)


_select = click.option("--select", multiple=True, callback=rule_patterns,
                       help="只运行这些规则（代码如 X1、规则组如 T7、前缀如 X1*）")
_ignore = click.option("--ignore", multiple=True, callback=rule_patterns,
                       help="不运行这些规则（写法同 --select）")
_out = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                    help="输出文件（默认在输入文件旁另存一份）")
_force = click.option("--force", is_flag=True, help="即使会丢失图片、形状等内容也覆盖原文件")


@main.command("mark")
@_file_arg()
@_out
@_select
@_ignore
def mark(file: Path, output: Path | None, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """标注：另存一份副本，给有问题的单元格填色、加批注，并加“校验结果”工作表。"""
    _mark_or_fix(file, output, fix=False, in_place=False, force=False, select=select,
                 ignore=ignore)


@main.command("fix")
@_file_arg()
@_out
@click.option("--in-place", is_flag=True, help="直接修改原文件（先自动备份）")
@_force
@_select
@_ignore
def fix(file: Path, output: Path | None, in_place: bool, force: bool, select: tuple[str, ...],
        ignore: tuple[str, ...]) -> None:
    """修正：同“标注”，并把确定的修正值写入单元格（保留数字格式，原值写在批注中）。"""
    if in_place and output is not None:
        _fail("--in-place 与 -o 不能同时使用")
    _mark_or_fix(file, output, fix=True, in_place=in_place, force=force, select=select,
                 ignore=ignore)


@main.command("clean")
@_file_arg()
@_out
@click.option("--in-place", is_flag=True, help="直接修改原文件（先自动备份）")
def clean(file: Path, output: Path | None, in_place: bool) -> None:
    """清除：去掉 xlbudget 加的填色、批注和“校验结果”工作表（已写入的修正值和图表保留）。"""
    from xlbudget import api  # deferred: loads the rule catalog, not for --help

    written = _api(lambda: api.clean(file, output, in_place=in_place))
    if written.path == file and not written.cleaned and not written.removed_sheets:
        click.echo(f"{file.name}：没有 xlbudget 的标注，无需清除")
        return
    sheets = "、".join(f"“{s}”" for s in written.removed_sheets)
    click.echo(f"{file.name}：已还原 {written.cleaned} 个单元格的标注"
               + (f"，已删除工作表{sheets}" if sheets else ""))
    _report_write(written)


@main.command("charts")
@_file_arg()
@_out
@click.option("--prior", type=click.Path(path_type=Path, dir_okay=False),
              help="上年的决算工作簿（取上年数，用于图1、图4、图5）")
@click.option("--prior-values", type=click.Path(path_type=Path, dir_okay=False),
              help="上年数文件（CSV：项目,金额），可用 --prior-template 生成")
@click.option("--prior-template", type=click.Path(path_type=Path, dir_okay=False),
              help="写出一个空白的上年数文件供填写，然后退出")
@click.option("--in-place", is_flag=True, help="直接修改原文件（先自动备份）")
@_force
def charts(file: Path, output: Path | None, prior: Path | None, prior_values: Path | None,
           prior_template: Path | None, in_place: bool, force: bool) -> None:
    """图表：按决算表重新生成图1–图7的数据表和图表（替换原有的图表数据表）。"""
    from xlbudget.chart_data import prior_template as template_text  # deferred: not for --help

    if prior_template is not None:
        if prior_template.exists():
            _fail(f"{prior_template}：文件已存在，不覆盖")
        try:
            with atomic_target(prior_template) as tmp:
                tmp.write_text(template_text(), encoding="utf-8-sig")
        except WriteError as exc:
            _fail(str(exc))
        click.echo(f"已写出上年数文件：{prior_template}（填写金额后用 --prior-values 指定）")
        return
    from xlbudget import api  # deferred: loads the rule catalog, not for --help

    written = _api(lambda: api.charts(file, output, prior=prior, prior_values=prior_values,
                                      in_place=in_place, force=force))
    for note in written.skipped:
        click.echo(f"注意：{note}", err=True)
    for ch in written.chart_data:
        note = f"（{ch.note}）" if ch.note else ""
        click.echo(f"{ch.name} {ch.title}：{len(ch.rows)} 项{note}")
    _report_write(written)
