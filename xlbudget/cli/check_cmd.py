"""``xlbudget check`` and ``xlbudget rules``."""

from __future__ import annotations

import sys

import click

from xlbudget.cli import main


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


@main.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.option("--select", multiple=True, help="只运行这些规则（代码或前缀，如 T7、X1，可用逗号分隔）。")
@click.option("--ignore", multiple=True, help="不运行这些规则（代码或前缀）。")
@click.option("--narrative", type=click.Path(), default=None,
              help="同时校验该情况说明（.docx，仅限一个工作簿）；未指定时自动使用工作簿旁同名的 .docx。")
@click.option("--prior", type=click.Path(), default=None,
              help="上年决算工作簿，用于核对说明中的增减额和增减率。")
def check(paths: tuple[str, ...], fmt: str, select: tuple[str, ...],
          ignore: tuple[str, ...], narrative: str | None, prior: str | None) -> None:
    """校验决算工作簿（文件或文件夹，文件夹递归查找 .xlsx/.xlsm/.xls）。

    退出码：0 没有错误级问题；1 有错误级问题；2 参数不可用或所有文件都无法读取。
    """
    from pathlib import Path

    from xlbudget.batch.discover import discover
    from xlbudget.batch.report import JsonSink, Tally
    from xlbudget.engine import check_file
    from xlbudget.narrative import check_with_narrative, paired_narrative
    from xlbudget.report import TextSink

    missing = [p for p in paths if not Path(p).exists()]
    for m in missing:
        click.echo(f"找不到：{m}", err=True)
    files = list(discover([p for p in paths if p not in missing]))
    if not files:
        click.echo("没有找到可校验的 Excel 文件（.xlsx/.xlsm/.xls）。", err=True)
        sys.exit(2)
    if narrative is not None and len(files) != 1:
        click.echo("--narrative 只能与一个工作簿一起使用；校验文件夹时会自动配对同名的 .docx。",
                   err=True)
        sys.exit(2)
    sel, ign = _codes(select), _codes(ignore)
    out = click.get_text_stream("stdout")
    sink = JsonSink(out) if fmt == "json" else TextSink(out)
    tally = Tally()
    for f in files:
        docx = narrative or paired_narrative(f)
        result = (check_with_narrative(f, docx, prior=prior, select=sel, ignore=ign) if docx
                  else check_file(f, select=sel, ignore=ign))
        tally.add(result)
        sink.add(result)
    sink.close(tally)
    sys.exit(tally.exit_code())


@main.command("rules")
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """列出全部校验规则；给出规则代码时显示该规则的说明页。"""
    from xlbudget.findings import SEVERITY_ZH
    from xlbudget.rules import catalog  # noqa: F401  (registers the rules)
    from xlbudget.rules.registry import REGISTRY

    if code:
        rule = REGISTRY.get(code) or REGISTRY.get(code.upper())
        if rule is None:
            click.echo(f"没有规则 {code}。用 xlbudget rules 查看全部规则。", err=True)
            sys.exit(2)
        click.echo(rule.page())
        return
    for rule in REGISTRY.values():
        click.echo(f"{rule.code:<6} {SEVERITY_ZH[rule.severity]}  {rule.title}")
