"""``xlbudget mark | fix | charts | clean``: write findings, corrections and chart data back.

Every command writes a copy beside the input (``-o`` to choose it); only ``--in-place`` replaces
the input, after a backup. Exit codes: 0 written (or nothing to do), 2 unusable input or refused
write.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from xlbudget.cli import main

#: Suffix -> marker for documents other than workbooks (``.docx``: the narrative);
#: ``fn(path, output, fix)`` returns the exit code.
SUFFIX_MARKERS: dict[str, Callable[[Path, Path | None, bool], int]] = {}


def _mark_narrative(path: Path, output: Path | None, fix: bool) -> int:
    from xlbudget.narrative.command import mark_narrative

    return mark_narrative(path, output, fix)


SUFFIX_MARKERS[".docx"] = _mark_narrative
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    raise SystemExit(2)


def _file_arg() -> Callable[[Any], Any]:
    return click.argument("file", type=click.Path(path_type=Path, dir_okay=False))


def _check_workbook(file: Path) -> None:
    if not file.exists():
        _fail(f"{file}：文件不存在")
    if file.suffix.lower() == ".xls":
        _fail(f"{file.name}：.xls 文件不能写入，请先在 Excel 中另存为 .xlsx 后再执行")
    if file.suffix.lower() not in WORKBOOK_SUFFIXES:
        _fail(f"{file.name}：不支持的文件类型“{file.suffix}”（支持 .xlsx、.xlsm）")


def _analyse(file: Path, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
             ) -> tuple[Any, bool]:
    """Read and check a workbook; also whether it carries earlier xlbudget marks."""
    from xlbudget.engine import analyse
    from xlbudget.marks.plan import own_sheets
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError

    try:
        grids = read_workbook(file)
    except SourceError as exc:
        _fail(str(exc))
    # analyse() leaves xlbudget's own sheets out itself.
    return analyse(grids, str(file), select=select, ignore=ignore), bool(own_sheets(grids))


def _write(src: Path, dst: Path, produce: Callable[[Path], None], verify: Callable[[list], None],
           *, in_place: bool = False, force: bool = False,
           expect_fewer: tuple[str, ...] = ()) -> Any:
    from xlbudget.marks.safe import WriteError, write_safely

    try:
        return write_safely(src, dst, produce, verify, in_place=in_place, force=force,
                            expect_fewer=expect_fewer)
    except WriteError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug must not show a traceback; the input is untouched anyway
        _fail(f"{src.name}：写出时发生内部错误（{type(exc).__name__}: {exc}），原文件未改动，"
              "请将此文件反馈给开发者")


def _report_write(rep: Any) -> None:
    click.echo(f"已写出：{rep.path}")
    if rep.backup is not None:
        click.echo(f"原文件已备份为：{rep.backup}")
    for item in rep.lost:
        click.echo(f"注意：写出的文件未能保留 {item}", err=True)


def _mark_or_fix(file: Path, output: Path | None, *, fix: bool, in_place: bool, force: bool,
                 select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    suffix = file.suffix.lower()
    if suffix not in (*WORKBOOK_SUFFIXES, ".xls"):
        marker = SUFFIX_MARKERS.get(suffix)
        if marker is None:
            kinds = "、".join((*WORKBOOK_SUFFIXES, *SUFFIX_MARKERS))
            _fail(f"{file.name}：不支持的文件类型“{file.suffix}”（支持 {kinds}）")
        raise SystemExit(marker(file, output, fix))  # type: ignore[misc]
    _check_workbook(file)
    from xlbudget.marks.plan import build_plan
    from xlbudget.marks.safe import default_output, verify_marks
    from xlbudget.marks.xlsx import render_file

    analysis, had_marks = _analyse(file, select, ignore)
    if analysis.result.status == "error":
        _fail(analysis.result.error or f"{file.name}：无法读取")
    plan = build_plan(analysis.result, fix=fix)
    dst = output or default_output(file, "修正" if fix else "标注")
    done: dict[str, Any] = {}

    def produce(tmp: Path) -> None:
        done["render"] = render_file(plan, file, tmp)

    # Earlier marks are replaced, so their notes may be fewer: not a loss of the user's notes.
    rep = _write(file, dst, produce, verify_marks(done), in_place=in_place, force=force,
                 expect_fewer=("批注",) if had_marks else ())
    render = done["render"]
    counts = analysis.result.counts()
    click.echo(f"{file.name}：错误 {counts['error']} 个，警告 {counts['warning']} 个，"
               f"提示 {counts['info']} 个；已标注 {render.marked} 个单元格"
               + (f"，已修正 {len(render.fixed)} 个单元格" if fix else ""))
    for reason in render.skipped:
        click.echo(f"未处理：{reason}", err=True)
    _report_write(rep)


_select = click.option("--select", multiple=True, help="只运行这些规则（代码或前缀，如 T7）")
_ignore = click.option("--ignore", multiple=True, help="不运行这些规则（代码或前缀）")
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
    _check_workbook(file)
    if in_place and output is not None:
        _fail("--in-place 与 -o 不能同时使用")
    from xlbudget.marks.plan import STATE_SHEET
    from xlbudget.marks.safe import WriteError, default_output
    from xlbudget.marks.xlsx import clean_file
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError

    try:
        names = [g.name for g in read_workbook(file)]
    except SourceError as exc:
        _fail(str(exc))
    if STATE_SHEET not in names:
        click.echo(f"{file.name}：没有 xlbudget 的标注，无需清除")
        return
    done: dict[str, int] = {}

    def produce(tmp: Path) -> None:
        done["n"] = clean_file(file, tmp)

    def verify(grids: list) -> None:
        if any(g.name == STATE_SHEET for g in grids):
            raise WriteError("清除后仍有 xlbudget 的记录表，已放弃写入")

    rep = _write(file, default_output(file, "已清除") if output is None else output, produce,
                 verify, in_place=in_place, expect_fewer=("批注",))
    click.echo(f"{file.name}：已还原 {done['n']} 处标注")
    _report_write(rep)


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
    from xlbudget.charts.data import PriorValuesError
    from xlbudget.charts.data import prior_template as template_text

    if prior_template is not None:
        if prior_template.exists():
            _fail(f"{prior_template}：文件已存在，不覆盖")
        prior_template.write_text(template_text(), encoding="utf-8-sig")
        click.echo(f"已写出上年数文件：{prior_template}（填写金额后用 --prior-values 指定）")
        return
    if prior is not None and prior_values is not None:
        _fail("--prior 与 --prior-values 只能选一个")
    if in_place and output is not None:
        _fail("--in-place 与 -o 不能同时使用")
    _check_workbook(file)
    from xlbudget.charts.data import chart_data, read_prior_values, this_year_figures
    from xlbudget.charts.sheets import find_chart_sheets, plan_sheets
    from xlbudget.marks.plan import Plan
    from xlbudget.marks.safe import default_output
    from xlbudget.marks.xlsx import render_file
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError

    last: dict[str, Decimal] | None = None
    if prior is not None:
        analysis, _ = _analyse(prior)
        if analysis.result.status == "error":
            _fail(analysis.result.error or f"{prior.name}：无法读取")
        last = this_year_figures(analysis.model)
    elif prior_values is not None:
        if not prior_values.exists():
            _fail(f"{prior_values}：文件不存在（可用 --prior-template 生成一个空白文件）")
        try:
            last = read_prior_values(prior_values)
        except PriorValuesError as exc:
            _fail(str(exc))
    analysis, _ = _analyse(file)
    if analysis.result.status == "error":
        _fail(analysis.result.error or f"{file.name}：无法读取")
    data, missing = chart_data(analysis.model, last)
    for note in missing:
        click.echo(f"注意：{note}", err=True)
    if not data:
        _fail(f"{file.name}：没有识别出可生成图表的决算表")
    try:
        existing = find_chart_sheets(read_workbook(file))
    except SourceError as exc:
        _fail(str(exc))
    from datetime import datetime

    from xlbudget.marks.safe import verify_marks

    plan = Plan(source=str(file), created=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                charts=plan_sheets(data, existing))
    done: dict[str, Any] = {}

    def produce(tmp: Path) -> None:
        done["render"] = render_file(plan, file, tmp)

    rep = _write(file, output or default_output(file, "图表"), produce, verify_marks(done),
                 in_place=in_place, force=force, expect_fewer=("图表",) if existing else ())
    for ch in data:
        note = f"（{ch.note}）" if ch.note else ""
        click.echo(f"{ch.name} {ch.title}：{len(ch.rows)} 项{note}")
    _report_write(rep)
