"""What the library's functions share: the error they raise, rule-code arguments, and the
one read-and-analyse step (``engine.read_and_analyse``) with its failures as that error."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from xlbudget import engine
from xlbudget.engine import Analysis
from xlbudget.rules.selection import SelectionError, parse_selection
from xlbudget.sources.grid import Grid, SourceError
from xlbudget.sources.own import own_sheets

PathLike = str | os.PathLike[str]
Codes = str | Sequence[str] | None

#: Workbooks xlbudget can write into (``.xls`` can only be read).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class XlbudgetError(Exception):
    """Input that cannot be used or a write that was refused; the message is Chinese and names
    the file. The command line prints it and exits with code 2."""


def codes(value: Codes) -> tuple[str, ...]:
    """``"T7,x1*"``, ``["T7", "X1"]`` or None -> normalised patterns, as ``--select`` takes
    them; a pattern matching no rule is an XlbudgetError naming the close matches."""
    if value is None:
        return ()
    try:
        return parse_selection([value] if isinstance(value, str) else [str(v) for v in value])
    except SelectionError as exc:
        raise XlbudgetError(str(exc)) from exc


def read_and_analyse(path: PathLike, *, select: Codes = None, ignore: Codes = None
                     ) -> tuple[list[Grid], Analysis]:
    """The sheets as read and their analysis (one read serves both); XlbudgetError for a file
    that cannot be read or checked."""
    try:
        grids, analysis = engine.read_and_analyse(str(path), select=codes(select),
                                                  ignore=codes(ignore))
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
    if analysis.result.status == "error":
        raise XlbudgetError(analysis.result.error or f"{Path(path).name}：无法读取")
    return grids, analysis


def analyse(path: PathLike, *, select: Codes = None, ignore: Codes = None
            ) -> tuple[Analysis, bool]:
    """Read and check one workbook for writing: the analysis, and whether the file carries
    earlier xlbudget marks. Raises XlbudgetError for a file that cannot be read or checked."""
    grids, analysis = read_and_analyse(path, select=select, ignore=ignore)
    return analysis, bool(own_sheets(grids))
