"""Find the workbooks of a batch: walk folders, apply include/exclude globs and the skip rules."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path

from xlbudget.sources.files import SUPPORTED
from xlbudget.sources.own import STATE_SHEET

#: Name prefix of the lock files Excel and LibreOffice leave beside an open workbook.
LOCK_PREFIXES = ("~$", ".~lock.")
#: The hidden sheet of a batch summary workbook (``xlbudget.batch.xlsx_report``).
SUMMARY_SHEET = "_xlbudget_summary"
#: Name endings of the copies ``xlbudget mark``/``fix`` and ``--mark-dir`` write
#: (``marks.safe.default_output`` with the tags used in ``cli/mark_cmd.py``).
COPY_TAGS = ("_标注", "_修正")
_SHEET_NAME = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')


def discover(
    paths: Iterable[str | os.PathLike[str]],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
    """Yield the workbooks named by ``paths``, each once, folders walked recursively in name order.

    A file named directly is always yielded (its reader reports a wrong type), unless it is a lock
    file or matches ``exclude``. Inside folders only .xlsx/.xlsm/.xls files are taken, hidden
    folders are not entered, lock files and xlbudget's own outputs are skipped, and ``include``
    (when given) must match. Globs match the path relative to the folder given, or the name alone
    (``*.xls``, ``2024/*``, ``**/草稿/*``); ``skip`` lists output files or folders to leave out.
    Only ``**/`` is special; ``*`` also matches ``/``.
    """
    inc, exc = tuple(include), tuple(exclude)
    skipped = {Path(s).resolve() for s in skip}
    seen: set[Path] = set()

    def wanted(path: Path, rel: str, *, walked: bool) -> bool:
        name = path.name
        if name.startswith(LOCK_PREFIXES) or _matches(rel, name, exc):
            return False
        if walked and (path.suffix.lower() not in SUPPORTED
                       or (inc and not _matches(rel, name, inc))):
            return False
        resolved = path.resolve()
        if resolved in seen or resolved in skipped or (walked and is_own_output(path)):
            return False
        seen.add(resolved)
        return True

    for given in paths:
        root = Path(given)
        if not root.is_dir():
            if wanted(root, root.name, walked=False):
                yield root
            continue
        for path in _walk(root, skipped, set()):
            if wanted(path, path.relative_to(root).as_posix(), walked=True):
                yield path


def _walk(root: Path, skipped: set[Path], visited: set[Path]) -> Iterator[Path]:
    """Files under ``root`` in a stable order; os.scandir because Path.rglob cannot prune.
    Linked folders are followed once each, so a link cycle ends."""
    real = root.resolve()
    if real in visited:
        return
    visited.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return  # unreadable folder: nothing to check inside, the rest goes on
    for entry in entries:
        path = root / entry.name
        if entry.is_dir():
            if not entry.name.startswith(".") and path.resolve() not in skipped:
                yield from _walk(path, skipped, visited)
        elif entry.is_file():
            yield path


def _matches(rel: str, name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(rel, g) or fnmatchcase(name, g) or _deep(rel, g) for g in globs)


def _deep(rel: str, glob: str) -> bool:
    """``**/x`` also matches ``x`` at the top level, as in gitignore."""
    return glob.startswith("**/") and fnmatchcase(rel, glob[3:])


def is_own_output(path: Path) -> bool:
    """Whether xlbudget wrote this workbook: a batch summary, or a marked/fixed copy (a copy's
    name ends in ``_标注``/``_修正`` and it holds the state sheet; a file the user fixed in place
    keeps its own name and stays an input). Reads only the sheet list (~0.2 ms a file)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(_SHEET_NAME.findall(zf.read("xl/workbook.xml")))
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return False  # unreadable: the check itself reports it
    if SUMMARY_SHEET.encode() in names:
        return True
    return path.stem.endswith(COPY_TAGS) and STATE_SHEET.encode() in names
