"""One workbook file through every check xlbudget makes: its tables (:mod:`xlbudget.engine`)
and, when it has one, its narrative (:mod:`xlbudget.narrative`).

:func:`check_file` is what the library's ``check`` and each worker of ``xlbudget check`` run for
one file; it sits below ``xlbudget.api`` so that the batch layer never imports the library.
"""

from __future__ import annotations

from pathlib import Path

from xlbudget import engine
from xlbudget.findings import FileResult
from xlbudget.model import WorkbookModel
from xlbudget.narrative import add_narrative, paired_narrative
from xlbudget.sources.grid import SourceError


def check_file(path: str | Path, *, select: tuple[str, ...] | list[str] = (),
               ignore: tuple[str, ...] | list[str] = (), narrative: str | Path | None = None,
               prior: str | Path | None = None) -> FileResult:
    """Check one workbook, with its narrative (.docx) when one is given or lies beside it
    (``narrative.paired_narrative``), ``prior`` being last year's workbook for the narrative's
    changes. ``select``/``ignore`` are normalised patterns (``rules.selection``).

    Never raises for bad input: an unreadable workbook gives a result with status 'error', an
    unreadable narrative or prior-year workbook an ``N-file`` finding.
    """
    p = str(path)
    docx = narrative or paired_narrative(p)
    if not docx:
        return engine.check_file(p, select=select, ignore=ignore)
    try:
        _, analysis = engine.read_and_analyse(p, select=select, ignore=ignore)
    except SourceError as exc:
        return FileResult(path=p, error=str(exc))
    if analysis.result.status == "error":
        return analysis.result
    prior_model: WorkbookModel | None = None
    prior_error: str | None = None
    if prior is not None:
        try:
            prior_model = engine.read_model(prior)
        except SourceError as exc:
            prior_error = str(exc)
    return add_narrative(analysis.result, analysis.model, docx, prior=prior_model,
                         prior_error=prior_error, select=select, ignore=ignore)
