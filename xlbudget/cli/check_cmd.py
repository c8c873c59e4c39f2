"""``xlbudget check`` and ``xlbudget rules``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xlbudget.cli import main
from xlbudget.cli.errors import limit_options, rule_patterns


@main.command("check")
@limit_options
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True, help="输出格式（csv：每个问题一行）。")
@click.option("-v", "--verbose", is_flag=True,
              help="文本报告中列出每个问题违反的关系及其完整公式，以及舍入误差范围内的差异。")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="列出每条规则校验了多少个恒等式，以及未校验的恒等式和原因（表格未读全、缺表）。")
@click.option("--select", multiple=True, callback=rule_patterns,
              help="只运行这些规则：代码（X1 只选 X1）、规则组（T7）或前缀（X1* 选 X1、X10–X17），"
                   "不分大小写，可用逗号分隔。")
@click.option("--ignore", multiple=True, callback=rule_patterns,
              help="不运行这些规则（写法同 --select）。")
@click.option("--narrative", type=click.Path(), default=None,
              help="同时校验该情况说明（.docx，仅限一个工作簿）；"
                   "未指定时自动使用工作簿旁同名的 .docx。")
@click.option("--prior", type=click.Path(), default=None,
              help="上年决算工作簿，用于核对说明中的增减额和增减率。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时校验的文件数（进程数），默认为 CPU 核数。")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="在 Dask 集群上校验（需 pip install 'xlbudget[dask]'；"
                   "各节点须能以相同路径读到文件）。")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0,
              show_default=True, help="单个文件的校验时限（秒），超时记为无法校验并继续。")
@click.option("--include", multiple=True, metavar="GLOB",
              help="文件夹中只校验匹配的文件（如 '*.xlsx'、'2024/**'），可多次使用。")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="跳过匹配的文件（如 '**/草稿/*'），可多次使用。")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写出汇总报告：.xlsx（每个文件一行、每条规则一页）、.csv 或 .json。")
@click.option("--mark-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="把有错误或警告的文件另存一份标注副本到此文件夹（保持子文件夹结构）。")
def check(paths: tuple[str, ...], fmt: str, verbose: bool, show_coverage: bool,
          select: tuple[str, ...],
          ignore: tuple[str, ...], narrative: str | None, prior: str | None, jobs: int | None,
          scheduler: str | None, timeout: float, include: tuple[str, ...],
          exclude: tuple[str, ...], report: Path | None, mark_dir: Path | None) -> None:
    """校验决算工作簿（文件或文件夹，文件夹递归查找 .xlsx/.xlsm/.xls）。

    退出码：0 没有错误级问题；1 有错误级问题；2 参数有误、所有文件都无法读取或汇总报告无法写出；
    3 内部错误；130 按 Ctrl-C 中断（已完成的结果照常写出）。
    """
    # deferred: the checker and the batch layer load when a check runs, not for --help
    from xlbudget import pipeline
    from xlbudget.batch.discover import discover
    from xlbudget.batch.session import REPORT_SUFFIXES, Options, run_batch
    from xlbudget.batch.tasks import MarkCopy, common_base
    from xlbudget.batch.worker import Task

    if report is not None and report.suffix.lower() not in REPORT_SUFFIXES:
        click.echo(f"--report {report}：汇总报告只能是 .xlsx、.csv 或 .json 文件", err=True)
        sys.exit(2)
    missing = [p for p in paths if not Path(p).exists()]
    for m in missing:
        click.echo(f"找不到：{m}", err=True)
    given = [p for p in paths if p not in missing]
    outputs = [o for o in (report, mark_dir) if o is not None]
    files = list(discover(given, include=include, exclude=exclude, skip=outputs))
    if not files:
        click.echo(f"没有找到可校验的 Excel 文件（.xlsx/.xlsm/.xls）：{'、'.join(paths)}",
                   err=True)
        sys.exit(2)
    if narrative is not None and len(files) != 1:
        click.echo("--narrative 只能与一个工作簿一起使用；校验文件夹时会自动配对同名的 .docx。",
                   err=True)
        sys.exit(2)
    options = {"select": select, "ignore": ignore, "narrative": narrative,
               "prior": prior}
    after = MarkCopy(str(mark_dir), common_base(given)) if mark_dir is not None else None
    task = Task(pipeline.check_file, options, timeout=timeout, after=after)
    sys.exit(run_batch(files, task, Options(fmt=fmt, jobs=jobs, scheduler=scheduler,
                                             report=report, verbose=verbose,
                                             coverage=show_coverage)))


@main.command("rules")
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """列出全部校验规则；给出规则代码（如 t7-a）或规则组（如 T7、X1*）时显示其说明页和公式。"""
    from xlbudget.findings import SEVERITY_ZH
    from xlbudget.rules.catalog import REGISTRY
    from xlbudget.rules.selection import SelectionError, known_codes, resolve

    if not code:
        for rule in known_codes():
            r = REGISTRY[rule]
            click.echo(f"{r.code:<6} {SEVERITY_ZH[r.severity]}  {r.fix_class}  {r.title}")
        return
    try:
        codes = resolve(code)
    except SelectionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if len(codes) > 1:
        click.echo(f"{code} 包含 {len(codes)} 条规则：{'、'.join(codes)}\n")
    from xlbudget.rulebook import formulas as rule_formulas

    formulas = rule_formulas(codes)
    for c in codes:
        click.echo(REGISTRY[c].page())
        if formulas.get(c):
            click.echo("公式（以随附样例工作簿的标准格式为例）")
            shown = formulas[c][:_SHOWN_FORMULAS]
            for text in shown:
                click.echo(f"  {text}")
            if len(formulas[c]) > len(shown):
                click.echo(f"  ……（该样例中共 {len(formulas[c])} 条）")
            click.echo("")


#: ``rules CODE`` lists at most this many instances of a rule's identity.
_SHOWN_FORMULAS = 5
