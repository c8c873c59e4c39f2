"""Check the narrative (部门决算情况说明, a Word document) against the workbook's tables.

``check_narrative`` reads the .docx, finds the template's parts, extracts every stated figure
with its subject and checks it (rules ``N-…``); ``mark_docx`` writes a copy with each wrong
figure highlighted and a Word comment giving the right value. Bad input raises
``NarrativeError`` (a ``SourceError`` with a Chinese message naming the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from xlbudget.narrative.docx_source import NarrativeError

if TYPE_CHECKING:
    from xlbudget.findings import FileResult, Finding
    from xlbudget.model import WorkbookModel

__all__ = ["NarrativeError", "check_against_workbook", "check_narrative", "check_with_narrative",
           "mark_docx", "paired_narrative"]


def check_narrative(docx_path: str | Path, model: WorkbookModel,
                    prior: WorkbookModel | None = None) -> list[Finding]:
    """Findings (rules N-…) for the narrative at ``docx_path`` checked against ``model``.

    ``prior`` is last year's workbook: with it, changes and growth rates are checked against
    both years' tables; without it, last year's value is derived from the text (this year's table
    value minus the stated change). Raises NarrativeError for a file that is not a usable .docx.
    """
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
    from xlbudget.narrative.mark import mark

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


def check_with_narrative(workbook: str | Path, docx_path: str | Path, *,
                         prior: str | Path | None = None, select: Sequence[str] = (),
                         ignore: Sequence[str] = ()) -> FileResult:
    """Check a workbook and its narrative together: one result, the narrative's findings (with
    ``location``) after the workbook's. Never raises: an unreadable workbook gives status
    'error', an unreadable narrative or prior-year workbook gives an ``N-file`` finding."""
    from xlbudget.engine import analyse, check_file
    from xlbudget.findings import Finding
    from xlbudget.narrative.checks import REGISTRY
    from xlbudget.rules.registry import selected
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError

    wb = str(workbook)
    try:
        analysis = analyse(read_workbook(wb), wb, select=tuple(select), ignore=tuple(ignore))
    except SourceError:
        return check_file(wb, select=tuple(select), ignore=tuple(ignore))
    result = analysis.result
    if result.status == "error":
        return result
    extra: list[Finding] = []
    prior_model = None
    if prior is not None:
        from xlbudget.api import XlbudgetError, read

        try:
            prior_model = read(prior).model
        except XlbudgetError as exc:
            extra.append(Finding("N-file", REGISTRY["N-file"].severity,
                                 f"上年决算工作簿无法读取，增减额和增减率只按说明本身核对：{exc}"))
    try:
        extra.extend(check_against_workbook(docx_path, analysis.model, result.findings,
                                            prior_model))
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
    import copy
    from decimal import Decimal, InvalidOperation

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
