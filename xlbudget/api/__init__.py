"""The library: one function per thing xlbudget does, the same code every door runs.

``check`` (one file, several, or folders), ``read`` (the recognised tables), ``mark``, ``fix``,
``charts`` and ``clean`` (a checked copy written beside the input). The command line and the
narrative and explanation commands call these; a file is checked by ``pipeline.check_file``
(what each batch worker runs) and read and analysed by ``engine.read_and_analyse`` (the Excel
add-in reads the open workbook instead of a file and enters ``engine.analyse`` directly); see
``docs/api.md`` for examples.

Bad input raises :class:`XlbudgetError` (a Chinese message naming the file) from the writing
functions; ``check`` never raises for a bad file: its result has ``status == "error"``.

The result types are in ``api.results``, the writing functions in ``api.writes``; pandas,
openpyxl and scipy load only when a function needs them, and ``import xlbudget`` loads this
module only on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from xlbudget import engine, pipeline
from xlbudget.api.common import (
    WORKBOOK_SUFFIXES,
    Codes,
    PathLike,
    XlbudgetError,
    analyse,
    codes,
    read_and_analyse,
)
from xlbudget.api.results import Report, TableView, Workbook
from xlbudget.api.writes import (
    Written,
    charts,
    clean,
    fix,
    mark,
    writable_workbook,
    write_checked,
)
from xlbudget.batch.discover import discover
from xlbudget.batch.pool import ProcessPool, default_jobs, inline_pool
from xlbudget.batch.run import map_files
from xlbudget.batch.worker import Task
from xlbudget.findings import FileResult
from xlbudget.sources.grid import SourceError

__all__ = ["WORKBOOK_SUFFIXES", "Report", "TableView", "Workbook", "Written", "XlbudgetError",
           "analyse", "charts", "check", "check_file", "clean", "fix", "mark", "read",
           "read_and_analyse", "writable_workbook", "write_checked"]


def check_file(path: PathLike, *, select: Codes = None, ignore: Codes = None,
               narrative: PathLike | None = None, prior: PathLike | None = None) -> FileResult:
    """Check one workbook, with its narrative (.docx) when one is given or lies beside it.

    Never raises for bad input: an unreadable file gives a result with ``status == "error"``.
    Each worker of ``xlbudget check`` (and of :func:`check`) runs ``pipeline.check_file``,
    which this is with the rule codes normalised.
    """
    return pipeline.check_file(str(path), select=codes(select), ignore=codes(ignore),
                               narrative=narrative, prior=prior)


def check(source: PathLike | Iterable[PathLike], *, select: Codes = None, ignore: Codes = None,
          narrative: PathLike | None = None, prior: PathLike | None = None,
          jobs: int | None = 1, timeout: float | None = 120.0,
          include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Report:
    """Check workbooks: a file, a folder (searched recursively for .xlsx/.xlsm/.xls) or a list.

    ``select``/``ignore`` take rule codes, groups or starred prefixes (``"T7"``, ``"X1,NM"``,
    ``"X1*"``) as the command line does; ``narrative`` (one workbook only) and ``prior`` check
    the 情况说明 too. ``jobs`` files are checked at once in worker processes (None: one per
    CPU). A file that cannot be read is a result with ``status == "error"``: nothing raises for
    a bad file; an unknown rule code raises XlbudgetError.
    """
    given = [source] if isinstance(source, str | os.PathLike) else list(source)
    files = [str(p) for p in discover(given, include=include, exclude=exclude)]
    if narrative is not None and len(files) != 1:
        raise XlbudgetError("narrative 只能与一个工作簿一起使用；"
                            "校验文件夹时会自动配对同名的 .docx")
    options = {"select": codes(select), "ignore": codes(ignore),
               "narrative": None if narrative is None else str(narrative),
               "prior": None if prior is None else str(prior)}
    task = Task(pipeline.check_file, options, timeout=timeout)
    n = min(jobs or default_jobs(), max(len(files), 1))
    pool = inline_pool() if n <= 1 else ProcessPool(n)
    return Report(list(map_files(task, files, pool, ordered=True)))


def read(path: PathLike) -> Workbook:
    """Read and recognise a workbook (no checks). Raises XlbudgetError when it cannot be read."""
    try:
        return Workbook(str(path), engine.read_model(str(path)))
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
