"""``xlbudget mark 说明.docx``: the narrative's marker for the mark command (``cli.mark_cmd``
routes a .docx here).

The narrative is checked against the workbook of the same stem beside it (``单位.docx`` →
``单位.xlsx``; ``单位-说明.docx`` → ``单位.xlsx``). Without one, only the checks that need no
table run (placeholders, years, class names, parts, rates against stated amounts, repeats).
"""

from __future__ import annotations

from pathlib import Path

import click

from xlbudget.api import XlbudgetError, analyse
from xlbudget.marks.atomic import WriteError, atomic_target
from xlbudget.model import WorkbookModel
from xlbudget.narrative import NarrativeError, check_against_workbook, mark_docx
from xlbudget.narrative.docx_source import read_docx

_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_STEM_TAILS = ("-情况说明", "情况说明", "-说明", "_说明", "说明")


def paired_workbook(docx: Path) -> Path | None:
    """The workbook beside a narrative with the same stem (less a 说明 suffix)."""
    stems = [docx.stem] + [docx.stem.removesuffix(t) for t in _STEM_TAILS
                           if docx.stem.endswith(t) and docx.stem != t]
    for stem in stems:
        for suffix in _SUFFIXES:
            cand = docx.with_name(stem + suffix)
            if cand.is_file():
                return cand
    return None


def mark_narrative(path: Path, output: Path | None, fix: bool) -> int:
    """Write ``<stem>_标注.docx`` with each wrong figure highlighted and commented; exit code."""
    if fix:
        click.echo(f"错误：{path.name}：情况说明不能自动修正，请用 xlbudget mark 标注后人工修改",
                   err=True)
        return 2
    out = output or path.with_name(f"{path.stem}_标注.docx")
    if out.suffix.lower() != ".docx":
        click.echo(f"错误：{out.name}：标注结果应保存为 .docx", err=True)
        return 2
    if out.resolve() == path.resolve():
        click.echo(f"错误：{path.name}：标注结果不能覆盖原文件，请用 -o 指定另一个文件", err=True)
        return 2
    workbook = paired_workbook(path)
    model, table_findings = WorkbookModel(path=""), []
    if workbook is not None:
        try:
            analysis, _ = analyse(workbook)
            model, table_findings = analysis.model, analysis.result.findings
        except XlbudgetError as exc:
            click.echo(f"注意：{exc}；只做说明内部的核对", err=True)
    else:
        click.echo(f"注意：{path.name} 旁没有同名的决算工作簿，只做说明内部的核对"
                   "（金额、占比不与表格比较）", err=True)
    try:
        findings = check_against_workbook(path, model, table_findings)
        # Through a temporary file beside the output, re-read before it replaces anything.
        with atomic_target(out) as tmp:
            n = mark_docx(path, findings, tmp)
            read_docx(tmp)
    except (NarrativeError, WriteError) as exc:
        click.echo(f"错误：{exc}", err=True)
        return 2
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    against = f"（对照 {workbook.name}）" if workbook is not None else ""
    click.echo(f"{path.name}{against}：错误 {errors} 个，警告 {warnings} 个；已标注 {n} 处")
    click.echo(f"已写出：{out}")
    return 0
