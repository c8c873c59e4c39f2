"""Findings: the one plain-data result every output renders (the JSON contract of DESIGN.md)."""

from __future__ import annotations

from collections.abc import Iterable
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
    report does (``defects.problem_counts``)."""
    from xlbudget.defects import problem_counts  # defects builds on this module

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
