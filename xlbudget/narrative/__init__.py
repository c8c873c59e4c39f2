"""Check the narrative (部门决算情况说明, a Word document) against the workbook's tables.

``check_narrative`` reads the .docx, finds the template's parts, extracts every stated figure
with its subject and checks it (rules ``N-…``); ``mark_docx`` writes a copy with each wrong
figure highlighted and a Word comment giving the right value. Bad input raises
``NarrativeError`` (a ``SourceError`` with a Chinese message naming the file).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from xlbudget.findings import FileResult, Finding
from xlbudget.model import WorkbookModel
from xlbudget.narrative.docx_source import NarrativeError
from xlbudget.narrative.mark import mark
from xlbudget.rules.catalog import REGISTRY
from xlbudget.rules.selection import selected

__all__ = ["NarrativeError", "add_narrative", "check_against_workbook", "check_narrative",
           "mark_docx", "paired_narrative"]


def check_narrative(docx_path: str | Path, model: WorkbookModel,
                    prior: WorkbookModel | None = None) -> list[Finding]:
    """Findings (rules N-…) for the narrative at ``docx_path`` checked against ``model``.

    ``prior`` is last year's workbook: with it, changes and growth rates are checked against
    both years' tables; without it, last year's value is derived from the text (this year's table
    value minus the stated change). Raises NarrativeError for a file that is not a usable .docx.
    """
    # deferred: the checkers (~0.1 s of patterns) load only when a narrative is checked
    from xlbudget.narrative.checks import run_checks
    from xlbudget.narrative.docx_source import read_docx
    from xlbudget.narrative.extract import extract
    from xlbudget.narrative.facts import table_facts
    from xlbudget.narrative.parse import parse

    narrative = parse(read_docx(docx_path))
    figures, placeholders = extract(narrative)
    year = model.year or narrative.year
    return run_checks(narrative, figures, placeholders, table_facts(model),
                      table_facts(prior) if prior is not None else None, year)


def mark_docx(docx_path: str | Path, findings: Sequence[Finding], out_path: str | Path) -> int:
    """Write a copy of ``docx_path`` with each finding's figure highlighted and commented.

    Returns the number of marks written; the input is never changed.
    """
    return mark(docx_path, findings, out_path)


def paired_narrative(workbook: str | Path) -> Path | None:
    """The .docx beside a workbook with the same stem (``单位.xlsx`` → ``单位.docx``), also the
    ``-说明``/``情况说明`` spellings; None when there is none."""
    p = Path(workbook)
    for name in (f"{p.stem}.docx", f"{p.stem}-说明.docx", f"{p.stem}_说明.docx",
                 f"{p.stem}说明.docx", f"{p.stem}情况说明.docx", f"{p.stem}-情况说明.docx"):
        cand = p.with_name(name)
        try:
            if cand.is_file():
                return cand
        except OSError:  # a name near the length limit grows past it: no such file
            continue
    return None


def add_narrative(result: FileResult, model: WorkbookModel, docx_path: str | Path, *,
                  prior: WorkbookModel | None = None, prior_error: str | None = None,
                  select: Sequence[str] = (), ignore: Sequence[str] = ()) -> FileResult:
    """Add the narrative's findings (with ``location``) after a workbook's: ``result`` and
    ``model`` are the workbook's analysis, ``prior`` last year's model or ``prior_error`` why it
    could not be read. An unreadable narrative or prior-year workbook gives an ``N-file``
    finding; ``select``/``ignore`` filter the added findings as they filtered the workbook's."""
    extra: list[Finding] = []
    if prior_error is not None:
        extra.append(Finding("N-file", REGISTRY["N-file"].severity,
                             f"上年决算工作簿无法读取，增减额和增减率只按说明本身核对：{prior_error}"))
    try:
        extra.extend(check_against_workbook(docx_path, model, result.findings, prior))
    except NarrativeError as exc:
        extra.append(Finding("N-file", REGISTRY["N-file"].severity, str(exc),
                             extra={"location": {"file": Path(docx_path).name, "part": None,
                                                 "paragraph": None, "quote": None}}))
    result.findings.extend(f for f in extra if selected(f.rule, select, ignore))
    result.refresh_status()
    return result


def check_against_workbook(docx_path: str | Path, model: WorkbookModel,
                           workbook_findings: Sequence[Finding],
                           prior: WorkbookModel | None = None) -> list[Finding]:
    """``check_narrative`` against the tables as the workbook check corrects them.

    Cells with a certain correction take their expected value; a narrative finding that
    touches a cell judged wrong without a certain correction is uncertain and says so.
    """
    found = check_narrative(docx_path, _corrected(model, workbook_findings), prior)
    suspect = {(f.sheet, f.cell) for f in workbook_findings
               if f.severity == "error" and f.sheet and f.cell and not _correction(f)}
    for f in found:
        if any((r.get("sheet"), r.get("cell")) in suspect for r in f.related):
            f.certain = False
            tail = f"（{f.extra['location']['part']}）"
            f.message = (f.message.removesuffix(tail)
                         + "；表格中的相关单元格也被判定有误，请先核对表格" + tail)
    return found


def _correction(f: Finding) -> bool:
    """A certain correction of one cell by the workbook check."""
    return (f.severity == "error" and f.certain and bool(f.sheet and f.cell)
            and f.expected is not None)


def _corrected(model: WorkbookModel, findings: Sequence[Finding]) -> WorkbookModel:
    """The model with the workbook check's certain corrections applied, so that the narrative is
    compared with what the tables should say (a narrative that quotes the right value of a
    mistyped cell is not wrong; the cell is reported by the workbook rules)."""
    fixes: dict[tuple[str, str], Decimal] = {}
    for f in findings:
        if _correction(f):
            try:
                fixes[(f.sheet, f.cell)] = Decimal(str(f.expected))  # type: ignore[index]
            except InvalidOperation:
                continue  # a name, not an amount
    if not fixes:
        return model
    fixed = copy.deepcopy(model)
    for table in fixed.tables.values():
        for amount in table.amounts():
            value = fixes.get((amount.ref.sheet, amount.ref.cell))
            if value is not None:
                amount.value = value
    return fixed
