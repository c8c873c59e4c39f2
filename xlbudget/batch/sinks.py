"""Streaming outputs of a batch: JSON (the findings contract) and CSV (the running totals are
``findings.Tally``).

Each writer takes one FileResult at a time and keeps nothing per file, so a batch of any size
runs in flat memory. The summary workbook is in ``xlbudget.batch.xlsx_report``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, Protocol

from xlbudget.findings import COUNTS, FileResult, Tally, problem_counts
from xlbudget.marks.atomic import make_folder, remove_stale, temp_path
from xlbudget.marks.plan import formula_safe

STATUS_ZH = {"ok": "通过", "findings": "有问题", "error": "无法校验"}
#: ``explained``: the 出错说明 text of an explained finding (severity info), else empty.
CSV_FIELDS = ("path", "status", "rule", "severity", "sheet", "cell", "actual", "expected",
              "certain", "message", "explained")


def csv_safe(value: object) -> str:
    """A CSV field that no spreadsheet runs as a formula (``marks.plan.formula_safe``)."""
    return str(formula_safe("" if value is None else str(value)))


class Sink(Protocol):
    def add(self, result: FileResult) -> None: ...

    def close(self, tally: Tally) -> None: ...


def top_rules(result: FileResult, n: int = 3) -> str:
    """The most frequent rules of one file, e.g. ``T1-a×3、T7-a×1``."""
    counts = Counter(f.rule for f in result.findings).most_common(n)
    return "、".join(f"{rule}×{k}" for rule, k in counts)


class JsonSink:
    """The ``--format json`` document, written file by file; the same JSON as
    ``findings.report_json`` over all results."""

    def __init__(self, stream: IO[str], indent: int | None = 2) -> None:
        self.stream, self.indent, self.first = stream, indent, True
        self.stream.write('{\n  "version": 1,\n  "files": [' if indent else
                          '{"version": 1, "files": [')

    def add(self, result: FileResult) -> None:
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=self.indent)
        if self.indent:
            text = "\n" + _indent(text, 4)
        self.stream.write(("" if self.first else ",") + text)
        self.first = False

    def close(self, tally: Tally) -> None:
        text = json.dumps(tally.summary_json(), ensure_ascii=False, indent=self.indent)
        if self.indent:
            end = "" if self.first else "\n  "
            self.stream.write(f'{end}],\n  "summary": {_indent(text, 2).lstrip()}\n}}\n')
        else:
            self.stream.write(f'], "summary": {text}}}\n')
        self.stream.flush()


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())


class CsvSink:
    """One row per finding (``CSV_FIELDS``, the JSON keys); a file without findings gets one row
    with its status, an unreadable one a row whose ``message`` is the error."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.writer = csv.writer(stream)
        self.writer.writerow(CSV_FIELDS)

    def _row(self, values: list[object]) -> None:
        self.writer.writerow([csv_safe(v) for v in values])

    def add(self, result: FileResult) -> None:
        if not result.findings:
            self._row([result.path, result.status, "", "", "", "", "", "", "", result.error,
                       ""])
            return
        for f in result.findings:
            self._row([result.path, result.status, f.rule, f.severity, f.sheet, f.cell, f.actual,
                       f.expected, "true" if f.certain else "false", f.message, f.explained])

    def close(self, tally: Tally) -> None:
        self.stream.flush()


class FileSink:
    """A CSV or JSON sink writing into a temporary file beside ``path``, which replaces
    ``path`` only when the batch closes it: a failed or stopped run leaves no partial file."""

    def __init__(self, path: Path, encoding: str) -> None:
        make_folder(path)
        remove_stale(path.parent)
        self.path, self.tmp = path, temp_path(path)
        self.fh = self.tmp.open("w", encoding=encoding, newline="")
        self.inner: Sink = CsvSink(self.fh) if path.suffix.lower() == ".csv" else JsonSink(self.fh)

    def add(self, result: FileResult) -> None:
        self.inner.add(result)

    def close(self, tally: Tally) -> None:
        self.inner.close(tally)
        self.fh.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        """Remove the temporary file (a no-op once ``close`` has renamed it)."""
        with contextlib.suppress(OSError):  # closing flushes, which fails on a full disk again
            self.fh.close()
        self.tmp.unlink(missing_ok=True)


def severity_counts(result: FileResult) -> list[int]:
    """Problems per count key, as the text report counts them."""
    c = problem_counts(result.findings)
    return [c.get(s, 0) for s in COUNTS]
