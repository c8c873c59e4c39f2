"""Findings: the one plain-data result every output renders (the JSON contract of DESIGN.md),
and which findings are one problem (a *defect*), so that reports count problems, not lines.

A finding is one cell; one defect may span several:

- the candidates of one tie (any one of them is wrong: ``certain`` false, each in the others'
  ``related`` cells, same rule) are one defect;
- certain corrections that compensate each other in an identity that holds as shown (a row
  copied from elsewhere: its cells are all wrong, its own total still adds up) are one defect.
  The engine records this as the extra key ``defect`` (same number, same defect; see
  ``xlbudget.defects.link``), since only it sees the identities;
- findings of several rules on the same cell are one defect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
#: The counts of a file or batch: the severities, with explained findings (severity info, see
#: ``xlbudget.explain``) counted apart from the other infos.
COUNTS = (*SEVERITIES, "explained")
COUNT_ZH = {**SEVERITY_ZH, "explained": "已说明"}


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    actual: str | None = None
    expected: str | None = None
    certain: bool = True
    related: list[dict[str, str]] = field(default_factory=list)
    #: extra contract keys (e.g. ``location`` for narrative findings); never change meaning.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def explained(self) -> str | None:
        """The 出错说明 text when the finding is explained (it then has severity info)."""
        return self.extra.get("explained")

    @property
    def count_key(self) -> str:
        """Under which of ``COUNTS`` the finding is counted."""
        return "explained" if self.explained is not None else self.severity

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "sheet": self.sheet,
            "cell": self.cell,
            "actual": self.actual,
            "expected": self.expected,
            "certain": self.certain,
            "related": self.related,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        known = {k: data.get(k) for k in ("rule", "severity", "message", "sheet", "cell",
                                           "actual", "expected")}
        extra = {k: v for k, v in data.items()
                 if k not in known and k not in ("certain", "related")}
        return cls(**known, certain=bool(data.get("certain", True)),
                   related=list(data.get("related") or []), extra=extra)


@dataclass(slots=True)
class TableInfo:
    key: str
    sheet: str
    range: str
    unit: str
    #: the spec's amount columns found and not found (``block.column`` in two-block tables)
    columns_found: list[str] = field(default_factory=list)
    columns_missing: list[str] = field(default_factory=list)
    #: the spec's fixed rows (合计, 本年收入合计 …) not found
    rows_missing: list[str] = field(default_factory=list)
    #: the header cells (A1 range)
    header: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "sheet": self.sheet, "range": self.range, "unit": self.unit,
                "header": self.header, "columns_found": self.columns_found,
                "columns_missing": self.columns_missing, "rows_missing": self.rows_missing}


@dataclass(slots=True)
class FileResult:
    """The outcome of checking one file."""

    path: str
    status: str = "ok"
    error: str | None = None
    tables: list[TableInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    #: rule code -> what was checked: ``status`` built/skipped, ``identities`` built,
    #: ``skipped`` count and ``reasons`` (nothing is left unchecked in silence)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        if self.error is not None:
            self.status = "error"
        else:
            self.status = "findings" if self.findings else "ok"

    def counts(self) -> dict[str, int]:
        """Findings per severity; explained ones under ``explained``, not under ``info``."""
        c = dict.fromkeys(COUNTS, 0)
        for f in self.findings:
            c[f.count_key] += 1
        return c

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "tables": [t.to_json() for t in self.tables],
            "ignored_sheets": self.ignored_sheets,
            "coverage": self.coverage,
            "findings": [f.to_json() for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        r = cls(
            path=data["path"],
            error=data.get("error"),
            tables=[TableInfo(**t) for t in data.get("tables", [])],
            findings=[Finding.from_json(f) for f in data.get("findings", [])],
            ignored_sheets=list(data.get("ignored_sheets", [])),
            coverage=dict(data.get("coverage") or {}),
        )
        r.status = data.get("status", r.status)
        return r


def summary(results: Iterable[FileResult]) -> dict[str, int]:
    out = {"files": 0, **dict.fromkeys(COUNTS, 0), "unreadable": 0}
    for r in results:
        out["files"] += 1
        out["unreadable"] += r.status == "error"
        for sev, n in r.counts().items():
            out[sev] += n
    return out


def report_json(results: list[FileResult]) -> dict[str, Any]:
    """The whole ``--format json`` document; its summary also counts ``problems`` as the text
    report does (:func:`problem_counts`)."""
    problems = dict.fromkeys(COUNTS, 0)
    for r in results:
        for k, n in problem_counts(r.findings).items():
            problems[k] += n
    return {
        "version": 1,
        "files": [r.to_json() for r in results],
        "summary": {**summary(results), "problems": problems},
    }


def exit_code(results: list[FileResult]) -> int:
    """0 without error findings, 1 with one, 2 when no input could be read."""
    if results and all(r.status == "error" for r in results):
        return 2
    return 1 if any(f.severity == "error" for r in results for f in r.findings) else 0


class Tally:
    """Running totals of a batch: the ``summary`` of the JSON contract, the exit code, and the
    counts per rule."""

    def __init__(self) -> None:
        self.summary: dict[str, int] = summary([])
        self.status: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.rule_files: Counter[str] = Counter()
        self.rule_severity: dict[str, str] = {}
        self._codes: Counter[int] = Counter()
        #: problems per count key, as the text report counts them (``findings.problem_counts``)
        self.problems: Counter[str] = Counter()
        #: set when the batch was stopped before every file was done
        self.interrupted = False

    def add(self, result: FileResult) -> None:
        for key, n in summary([result]).items():
            self.summary[key] += n
        self.status[result.status] += 1
        self.problems.update(problem_counts(result.findings))
        self._codes[exit_code([result])] += 1
        per_file = Counter(f.rule for f in result.findings)
        self.rules.update(per_file)
        self.rule_files.update(per_file.keys())
        for f in result.findings:
            self.rule_severity.setdefault(f.rule, f.severity)

    @property
    def files(self) -> int:
        return self.summary["files"]

    def summary_json(self) -> dict[str, Any]:
        """The JSON report's ``summary``, as ``findings.report_json`` gives it for all the
        results at once."""
        doc: dict[str, Any] = dict(self.summary)
        doc["problems"] = {k: self.problems[k] for k in COUNTS}
        if self.interrupted:
            doc["interrupted"] = True
        return doc

    def exit_code(self) -> int:
        """As ``findings.exit_code`` over every file: 2 when none could be read, 1 with an error
        finding, else 0."""
        if self.files and self._codes[2] == self.files:
            return 2
        return 1 if self._codes[1] else 0


class DisjointSets:
    """Union-find over the indices 0..n-1."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def defect_groups(findings: Sequence[Finding]) -> list[list[Finding]]:
    """The findings grouped into defects, each group in the findings' order, groups ordered by
    their worst severity and then first appearance."""
    union = DisjointSets(len(findings))
    by_cell: dict[tuple[str, str], int] = {}
    by_defect: dict[object, int] = {}
    for i, f in enumerate(findings):
        if f.sheet and f.cell and not f.extra.get("rounding"):
            union.join(by_cell.setdefault((f.sheet, f.cell), i), i)
        if f.extra.get("defect") is not None:
            union.join(by_defect.setdefault(f.extra["defect"], i), i)
    ties: dict[tuple[str, str, str], int] = {}
    for i, f in enumerate(findings):
        if not f.certain and f.expected is not None and f.sheet and f.cell:
            ties[(f.rule, f.sheet, f.cell)] = i
    for i, f in enumerate(findings):
        if (f.rule, f.sheet, f.cell) not in ties:
            continue
        for r in f.related:
            j = ties.get((f.rule, r.get("sheet") or "", r.get("cell") or ""))
            if j is not None:
                union.join(i, j)
    groups: dict[int, list[Finding]] = {}
    for i, f in enumerate(findings):
        groups.setdefault(union.find(i), []).append(f)
    out = list(groups.values())
    out.sort(key=lambda g: min(SEVERITIES.index(f.severity) for f in g))
    for g in out:
        g.sort(key=lambda f: SEVERITIES.index(f.severity))
    return out


def problem_counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Problems per count key (``error``/``warning``/``info``/``explained``, a problem counted
    by its worst finding); rounding notes are no problem and are left out."""
    out: dict[str, int] = {}
    for g in defect_groups([f for f in findings if not f.extra.get("rounding")]):
        out[g[0].count_key] = out.get(g[0].count_key, 0) + 1
    return out
