"""What the library returns for reading: :class:`Report` (findings of one or more files) and
:class:`Workbook` with its :class:`TableView` s (the recognised tables), each with pandas
frames and a Jupyter rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlbudget.findings import (
    COUNTS,
    SEVERITY_ZH,
    FileResult,
    Finding,
    defect_groups,
    exit_code,
    problem_counts,
    report_json,
)
from xlbudget.tables.specs import SPECS
from xlbudget.text_report import report_text

if TYPE_CHECKING:
    import pandas as pd

    from xlbudget.model import Table, WorkbookModel


@dataclass
class Report:
    """The findings of one or more files, as the command line reports them.

    ``files`` holds one :class:`~xlbudget.findings.FileResult` per file (the JSON contract);
    ``to_frame()`` gives all findings as one pandas DataFrame, and in Jupyter a Report shows as
    a table.
    """

    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file, in file order."""
        return [f for r in self.files for f in r.findings]

    @property
    def exit_code(self) -> int:
        """The exit code ``xlbudget check`` gives for these results (0, 1 or 2)."""
        return exit_code(self.files)

    def counts(self) -> dict[str, int]:
        """Findings (lines of the JSON report) per kind over all files."""
        out = dict.fromkeys(COUNTS, 0)
        for r in self.files:
            for k, v in r.counts().items():
                out[k] += v
        return out

    def problems(self) -> dict[str, int]:
        """Problems per kind (``error``/``warning``/``info``/``explained``) over all files,
        counting the candidate cells of a tie and the cells of one defect once and leaving
        rounding notes out, as the text report's 合计 does."""

        out = dict.fromkeys(COUNTS, 0)
        for r in self.files:
            for k, n in problem_counts(r.findings).items():
                out[k] += n
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``--format json`` document."""
        return report_json(self.files)

    def text(self, *, verbose: bool = False) -> str:
        """The text report ``xlbudget check`` prints."""
        return report_text(self.files, verbose=verbose)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: ``file`` (name) and ``path``, the rule and its severity, the
        cell, ``actual``/``expected`` as numbers (NaN for text or blank) beside the exact
        strings ``actual_text``/``expected_text``, ``certain``, ``defect`` (findings of one
        problem share it within a file), the message, ``explained`` (the 出错说明 text, if any)
        ``rounding`` (a note on differences within rounding, not a problem), and for findings
        in the 情况说明 ``document``, ``paragraph`` and ``quote`` (the sentence). A file that
        could not be read is one row with ``status == "error"`` and its message."""
        import pandas as pd  # deferred: pandas is slow to import

        rows: list[dict[str, Any]] = []
        for r in self.files:
            base = {"file": Path(r.path).name, "path": r.path, "status": r.status}
            if r.status == "error":
                rows.append({**base, "severity": "error", "message": r.error})
                continue
            defect = {id(f): n for n, g in enumerate(defect_groups(r.findings), 1) for f in g}
            for f in r.findings:
                loc = f.extra.get("location") or {}
                rows.append({**base, "rule": f.rule, "severity": f.severity, "sheet": f.sheet,
                             "cell": f.cell, "actual_text": f.actual,
                             "expected_text": f.expected, "certain": f.certain,
                             "defect": defect.get(id(f)), "message": f.message,
                             "explained": f.explained,
                             "rounding": bool(f.extra.get("rounding")),
                             "document": loc.get("file"), "paragraph": loc.get("paragraph"),
                             "quote": loc.get("quote")})
        frame = pd.DataFrame(rows, columns=list(_FINDING_COLUMNS))
        frame.insert(frame.columns.get_loc("actual_text"), "actual",
                     pd.to_numeric(frame["actual_text"], errors="coerce"))
        frame.insert(frame.columns.get_loc("expected_text"), "expected",
                     pd.to_numeric(frame["expected_text"], errors="coerce"))
        frame["defect"] = frame["defect"].astype("Int64")
        frame["certain"] = frame["certain"].astype("boolean")
        frame["rounding"] = frame["rounding"].astype("boolean")
        frame["paragraph"] = frame["paragraph"].astype("Int64")
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per file: status, recognised tables, findings and problems per severity."""
        import pandas as pd  # deferred: pandas is slow to import

        rows = []
        for r in self.files:
            c = r.counts()
            d = problem_counts(r.findings)
            rows.append({"file": Path(r.path).name, "path": r.path, "status": r.status,
                         "tables": len(r.tables), "problems_error": d.get("error", 0),
                         "problems_warning": d.get("warning", 0), "findings_error": c["error"],
                         "findings_warning": c["warning"], "findings_info": c["info"],
                         "error": r.error})
        return pd.DataFrame(rows, columns=["file", "path", "status", "tables", "problems_error",
                                           "problems_warning", "findings_error",
                                           "findings_warning", "findings_info", "error"])

    def __repr__(self) -> str:
        c = self.problems()
        return (f"<Report {len(self.files)} 个文件：错误 {c['error']} 处，警告 {c['warning']} 处"
                f"（{len(self.findings)} 条记录）>")

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        rounding = frame["rounding"].fillna(False).astype(bool)
        # rounding notes are no problem: counted in the heading, not listed
        shown = frame.loc[~rounding, ["file", "severity", "rule", "sheet", "cell", "actual_text",
                                      "expected_text", "certain", "message"]].copy()
        shown["severity"] = shown["severity"].map(lambda s: SEVERITY_ZH.get(s, s))
        shown.columns = ["文件", "级别", "规则", "工作表", "单元格", "表中为", "应为", "确定",
                         "说明"]
        head = escape(repr(self).strip("<>"))
        if rounding.any():
            head += f"；另有 {int(rounding.sum())} 组差异在四舍五入误差范围内（未列出）"
        return f"<p>{head}</p>" + shown.to_html(index=False, na_rep="", escape=True)


_FINDING_COLUMNS = ("file", "path", "status", "rule", "severity", "sheet", "cell", "actual_text",
                    "expected_text", "certain", "defect", "message", "explained", "rounding",
                    "document", "paragraph", "quote")


@dataclass
class TableView:
    """A recognised table (T1 … T9) with its rows and cell addresses."""

    table: Table

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def name(self) -> str:
        return SPECS[self.table.key].name

    @property
    def sheet(self) -> str:
        return self.table.sheet

    @property
    def unit(self) -> str:
        return self.table.unit

    def to_frame(self) -> pd.DataFrame:
        """One row per table row: ``block``, ``key`` (fixed rows such as ``total``), ``code``
        (科目编码), ``name`` (the row's label) and ``row`` (Excel row number), then for each
        column its amount in the table's unit (float; NaN when blank) and ``<column>_cell``,
        the cell's Excel address. ``frame.attrs`` holds ``table``, ``sheet``, ``unit`` and
        ``labels`` (column key -> Chinese header)."""
        import pandas as pd  # deferred: pandas is slow to import

        columns: list[str] = []
        for row in self.table.rows:
            for c in row.values:
                if c not in columns:
                    columns.append(c)
        records = []
        for row in self.table.rows:
            rec: dict[str, Any] = {"block": row.block, "key": row.key, "code": row.code,
                                   "name": row.label, "row": row.excel_row}
            for c in columns:
                a = row.values.get(c)
                rec[c] = None if a is None or a.value is None else float(a.value)
                rec[f"{c}_cell"] = None if a is None else a.ref.cell
            records.append(rec)
        order = ["block", "key", "code", "name", "row"]
        for c in columns:
            order += [c, f"{c}_cell"]
        frame = pd.DataFrame(records, columns=order)
        for c in columns:
            frame[c] = frame[c].astype("float64")
        frame.attrs.update(table=self.key, sheet=self.sheet, unit=self.unit,
                           labels={c: SPECS[self.key].column_label(c) for c in columns})
        return frame

    def __repr__(self) -> str:
        rows = len(self.table.rows)
        return f"<{self.key} {self.name}（工作表 {self.sheet}，{rows} 行，{self.unit}）>"

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, na_rep="")


@dataclass
class Workbook:
    """A workbook as xlbudget recognised it: ``tables`` by key (``"T1"`` … ``"T9"``)."""

    path: str
    model: WorkbookModel

    @property
    def tables(self) -> dict[str, TableView]:
        return {k: TableView(self.model.tables[k]) for k in sorted(self.model.tables)}

    @property
    def year(self) -> int | None:
        return self.model.year

    @property
    def ignored_sheets(self) -> list[str]:
        """Sheets that are not one of the nine tables (cover pages, chart data …)."""
        return list(self.model.ignored_sheets)

    def __repr__(self) -> str:
        return f"<Workbook {Path(self.path).name}：{'、'.join(self.tables) or '未识别到表'}>"

    def _repr_html_(self) -> str:
        import pandas as pd  # deferred: pandas is slow to import

        rows = [{"表": k, "名称": t.name, "工作表": t.sheet, "单位": t.unit,
                 "行数": len(t.table.rows)} for k, t in self.tables.items()]
        return pd.DataFrame(rows).to_html(index=False)
