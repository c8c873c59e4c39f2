"""The library: one function per thing xlbudget does, the same code every door runs.

``check`` (one file, several, or folders), ``read`` (the recognised tables), ``mark``, ``fix``,
``charts`` and ``clean`` (a checked copy written beside the input). The command line, its batch
workers, the narrative and explanation commands and the sample builder call these (the Excel
add-in reads the open workbook instead of a file and enters ``engine.analyse`` directly); see
``docs/api.md`` for examples.

Bad input raises :class:`XlbudgetError` (a Chinese message naming the file) from the writing
functions; ``check`` never raises for a bad file: its result has ``status == "error"``.

Imports sit inside the functions on purpose: ``import xlbudget`` and the command line start
without pandas, openpyxl, scipy or the rule catalog, which load when a function needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
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
)
from xlbudget.tables.specs import SPECS

if TYPE_CHECKING:
    import pandas as pd

    from xlbudget.engine import Analysis
    from xlbudget.model import Table, WorkbookModel
    from xlbudget.sources.grid import Grid

PathLike = str | os.PathLike[str]
Codes = str | Sequence[str] | None

#: Workbooks xlbudget can write into (``.xls`` can only be read).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class XlbudgetError(Exception):
    """Input that cannot be used or a write that was refused; the message is Chinese and names
    the file. The command line prints it and exits with code 2."""


# -- check --------------------------------------------------------------------------------------

def _codes(value: Codes) -> tuple[str, ...]:
    """``"T7,x1*"``, ``["T7", "X1"]`` or None -> normalised patterns, as ``--select`` takes
    them; a pattern matching no rule is an XlbudgetError naming the close matches."""
    if value is None:
        return ()
    from xlbudget.rules.selection import SelectionError, parse_selection

    try:
        return parse_selection([value] if isinstance(value, str) else [str(v) for v in value])
    except SelectionError as exc:
        raise XlbudgetError(str(exc)) from exc


def check_file(path: PathLike, *, select: Codes = None, ignore: Codes = None,
               narrative: PathLike | None = None, prior: PathLike | None = None) -> FileResult:
    """Check one workbook, with its narrative (.docx) when one is given or lies beside it.

    Never raises for bad input: an unreadable file gives a result with ``status == "error"``.
    This is what each worker of ``xlbudget check`` (and of :func:`check`) runs for one file.
    """
    from xlbudget.engine import check_file as check_workbook
    from xlbudget.narrative import check_with_narrative, paired_narrative

    sel, ign = _codes(select), _codes(ignore)
    docx = narrative or paired_narrative(path)
    if docx:
        return check_with_narrative(str(path), docx, prior=prior, select=sel, ignore=ign)
    return check_workbook(str(path), select=sel, ignore=ign)


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
    from xlbudget.batch.discover import discover
    from xlbudget.batch.pool import ProcessPool, default_jobs, inline_pool
    from xlbudget.batch.run import map_files
    from xlbudget.batch.worker import Task

    given = [source] if isinstance(source, str | os.PathLike) else list(source)
    files = [str(p) for p in discover(given, include=include, exclude=exclude)]
    if narrative is not None and len(files) != 1:
        raise XlbudgetError("narrative 只能与一个工作簿一起使用；"
                            "校验文件夹时会自动配对同名的 .docx")
    options = {"select": _codes(select), "ignore": _codes(ignore),
               "narrative": None if narrative is None else str(narrative),
               "prior": None if prior is None else str(prior)}
    task = Task(check_file, options, timeout=timeout)
    n = min(jobs or default_jobs(), max(len(files), 1))
    pool = inline_pool() if n <= 1 else ProcessPool(n)
    return Report(list(map_files(task, files, pool, ordered=True)))


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
        from xlbudget.findings import report_json

        return report_json(self.files)

    def text(self, *, verbose: bool = False) -> str:
        """The text report ``xlbudget check`` prints."""
        from xlbudget.text_report import report_text

        return report_text(self.files, verbose=verbose)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: ``file`` (name) and ``path``, the rule and its severity, the
        cell, ``actual``/``expected`` as numbers (NaN for text or blank) beside the exact
        strings ``actual_text``/``expected_text``, ``certain``, ``defect`` (findings of one
        problem share it within a file), the message, ``explained`` (the 出错说明 text, if any)
        ``rounding`` (a note on differences within rounding, not a problem), and for findings
        in the 情况说明 ``document``, ``paragraph`` and ``quote`` (the sentence). A file that
        could not be read is one row with ``status == "error"`` and its message."""
        import pandas as pd


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
        import pandas as pd


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
        from html import escape

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


# -- read ---------------------------------------------------------------------------------------

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
        import pandas as pd

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
        import pandas as pd

        rows = [{"表": k, "名称": t.name, "工作表": t.sheet, "单位": t.unit,
                 "行数": len(t.table.rows)} for k, t in self.tables.items()]
        return pd.DataFrame(rows).to_html(index=False)


def read(path: PathLike) -> Workbook:
    """Read and recognise a workbook (no checks). Raises XlbudgetError when it cannot be read."""
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError
    from xlbudget.sources.own import own_sheets
    from xlbudget.tables.recognise import recognise

    try:
        grids = read_workbook(str(path))
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
    ours = own_sheets(grids)
    return Workbook(str(path), recognise([g for g in grids if g.name not in ours], str(path)))


# -- writing ------------------------------------------------------------------------------------

@dataclass
class Written:
    """What ``mark``/``fix``/``charts``/``clean`` wrote.

    ``marked`` cells were coloured and noted, ``fixed`` cells got their expected value (as
    ``"sheet!cell"``), ``cleaned`` cells had earlier marks removed (and ``removed_sheets``
    were dropped), ``charts`` are the chart
    sheets written; ``skipped`` are Chinese reasons for what was not done and ``lost`` what the
    written copy could not keep. ``result`` is the check the marks come from.
    """

    path: Path
    backup: Path | None = None
    result: FileResult | None = None
    marked: int = 0
    fixed: list[str] = field(default_factory=list)
    cleaned: int = 0
    charts: list[str] = field(default_factory=list)
    #: sheets xlbudget had added (the 校验结果 sheet) and ``clean`` removed
    removed_sheets: list[str] = field(default_factory=list)
    #: per chart written: ``name``, ``title``, ``rows`` and ``note`` (``xlbudget.chart_data``)
    chart_data: list[Any] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def writable_workbook(path: PathLike) -> Path:
    """``path`` as a Path when it is a workbook xlbudget can write; else XlbudgetError."""
    from xlbudget.sources.formats import identify
    from xlbudget.sources.grid import SourceError

    p = Path(path)
    if not p.exists():
        raise XlbudgetError(f"{p}：文件不存在")
    try:
        kind = identify(p)  # by content first: an HTML "xls" is no workbook at all
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
    if kind == "xls":
        raise XlbudgetError(f"{p.name}：Excel 97-2003 (.xls) 文件不能写入，"
                            "请先在 Excel 中另存为 .xlsx 后再执行")
    if p.suffix.lower() == ".xls":
        raise XlbudgetError(f"{p.name}：文件内容是 .xlsx 工作簿，扩展名却是 .xls，"
                            "请先把扩展名改为 .xlsx 后再执行")
    if p.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise XlbudgetError(f"{p.name}：不支持的文件类型“{p.suffix}”（支持 .xlsx、.xlsm）")
    return p


def analyse(path: PathLike, *, select: Codes = None, ignore: Codes = None
            ) -> tuple[Analysis, bool]:
    """Read and check one workbook for writing: the analysis, and whether the file carries
    earlier xlbudget marks. Raises XlbudgetError for a file that cannot be read or checked."""
    from xlbudget.sources.own import own_sheets

    grids, analysis = read_and_analyse(path, select=select, ignore=ignore)
    return analysis, bool(own_sheets(grids))


def read_and_analyse(path: PathLike, *, select: Codes = None, ignore: Codes = None
                     ) -> tuple[list[Grid], Analysis]:
    """The sheets as read and their analysis (one read serves both); XlbudgetError for a file
    that cannot be read or checked."""
    from xlbudget.engine import analyse as analyse_grids
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError

    try:
        grids = read_workbook(str(path))
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
    analysis = analyse_grids(grids, str(path), select=_codes(select), ignore=_codes(ignore))
    if analysis.result.status == "error":
        raise XlbudgetError(analysis.result.error or f"{Path(path).name}：无法读取")
    return grids, analysis


def write_checked(src: Path, dst: Path, produce: Callable[[Path], None],
                  verify: Callable[[list], None], **options: Any) -> Any:
    """``marks.safe.write_safely`` (through a checked temporary file, backup when in place)
    with its refusal as XlbudgetError."""
    from xlbudget.marks.safe import WriteError, write_safely

    # Anything else is a bug and propagates (the command line exits 3); the input is untouched.
    try:
        return write_safely(src, dst, produce, verify, **options)
    except WriteError as exc:
        raise XlbudgetError(str(exc)) from exc


def _output(src: Path, output: PathLike | None, tag: str) -> Path:
    from xlbudget.marks.safe import default_output

    return Path(output) if output is not None else default_output(src, tag)


def _mark_or_fix(path: PathLike, output: PathLike | None, *, fix: bool, in_place: bool,
                 force: bool, select: Codes, ignore: Codes) -> Written:
    from xlbudget.explain import to_save
    from xlbudget.marks.plan import build_plan
    from xlbudget.marks.safe import verify_marks
    from xlbudget.marks.xlsx import render_file

    src = writable_workbook(path)
    if in_place and output is not None:
        raise XlbudgetError("--in-place 与 -o 不能同时使用")
    analysis, had_marks = analyse(src, select=select, ignore=ignore)
    # Explanations written in the report sheet move into the 出错说明 sheet (the report goes).
    plan = build_plan(analysis.result, fix=fix, explanations=to_save(analysis.explanations))
    done: dict[str, Any] = {}

    def produce(tmp: Path) -> None:
        done["render"] = render_file(plan, src, tmp)

    # Earlier marks are replaced, so their notes may be fewer: not a loss of the user's notes.
    rep = write_checked(src, _output(src, output, "修正" if fix else "标注"), produce,
                 verify_marks(done), in_place=in_place, force=force,
                 expect_fewer=("批注",) if had_marks else ())
    render = done["render"]
    return Written(rep.path, rep.backup, analysis.result, marked=render.marked,
                   fixed=[f"{v.sheet}!{v.cell}" for v in render.fixed], cleaned=render.cleaned,
                   skipped=list(render.skipped), lost=list(rep.lost))


def mark(path: PathLike, output: PathLike | None = None, *, select: Codes = None,
         ignore: Codes = None) -> Written:
    """Check a workbook and write a marked copy (``单位_标注.xlsx`` beside it unless
    ``output``): each problem cell coloured with a note, and a 校验结果 sheet. The input is not
    changed."""
    return _mark_or_fix(path, output, fix=False, in_place=False, force=False, select=select,
                        ignore=ignore)


def fix(path: PathLike, output: PathLike | None = None, *, in_place: bool = False,
        force: bool = False, select: Codes = None, ignore: Codes = None) -> Written:
    """As :func:`mark`, and write each certain correction into its cell (number format kept,
    the old value in the note). ``in_place`` replaces the input after a backup; it is refused
    when the copy would lose content (pictures, shapes) unless ``force``."""
    return _mark_or_fix(path, output, fix=True, in_place=in_place, force=force, select=select,
                        ignore=ignore)


def clean(path: PathLike, output: PathLike | None = None, *, in_place: bool = False) -> Written:
    """Remove what xlbudget added (fills, notes, the 校验结果 sheet); corrections and chart
    sheets stay. ``cleaned`` is the number of cells restored, counted as ``mark`` counts them.
    A workbook without marks is left alone (``path`` is the input, nothing written)."""
    from xlbudget.marks.safe import WriteError
    from xlbudget.marks.xlsx import clean_file
    from xlbudget.sources.files import read_workbook
    from xlbudget.sources.grid import SourceError
    from xlbudget.sources.own import STATE_SHEET

    src = writable_workbook(path)
    if in_place and output is not None:
        raise XlbudgetError("--in-place 与 -o 不能同时使用")
    try:
        state = next((g for g in read_workbook(src) if g.name == STATE_SHEET), None)
    except SourceError as exc:
        raise XlbudgetError(str(exc)) from exc
    if state is None:
        return Written(src)
    # Counted from the records as mark counts them: cells coloured and noted, and sheets added.
    records = [r for r in state.rows[1:] if len(r) > 2 and r[0]]
    cells = {(r[1], r[2]) for r in records if r[0] in ("fill", "note")}
    sheets = [str(r[1]) for r in records if r[0] == "sheet"]

    def produce(tmp: Path) -> None:
        clean_file(src, tmp)

    def verify(grids: list) -> None:
        if any(g.name == STATE_SHEET for g in grids):
            raise WriteError("清除后仍有 xlbudget 的记录表，已放弃写入")

    rep = write_checked(src, _output(src, output, "已清除"), produce, verify, in_place=in_place,
                 expect_fewer=("批注",))
    return Written(rep.path, rep.backup, cleaned=len(cells), removed_sheets=sheets,
                   lost=list(rep.lost))


def charts(path: PathLike, output: PathLike | None = None, *, prior: PathLike | None = None,
           prior_values: PathLike | None = None, in_place: bool = False,
           force: bool = False) -> Written:
    """Rebuild the chart data sheets (图1–图7) and their native charts from the tables.

    ``prior`` (last year's workbook) or ``prior_values`` (a CSV 项目,金额) give last year's
    figures for the 变动 charts. ``chart_data`` of the result lists what each chart shows;
    charts left out, and why, are in ``skipped``.
    """
    from xlbudget.chart_data import (
        PriorValuesError,
        chart_data,
        read_prior_values,
        this_year_figures,
    )
    from xlbudget.marks.chart_sheets import find_chart_sheets, plan_sheets
    from xlbudget.marks.plan import Plan
    from xlbudget.marks.safe import verify_marks
    from xlbudget.marks.xlsx import render_file

    if prior is not None and prior_values is not None:
        raise XlbudgetError("--prior 与 --prior-values 只能选一个")
    if in_place and output is not None:
        raise XlbudgetError("--in-place 与 -o 不能同时使用")
    src = writable_workbook(path)
    last: dict[str, Decimal] | None = None
    if prior is not None:
        last = this_year_figures(analyse(prior)[0].model)
    elif prior_values is not None:
        if not Path(prior_values).exists():
            raise XlbudgetError(f"{prior_values}：文件不存在"
                                "（可用 --prior-template 生成一个空白文件）")
        try:
            last = read_prior_values(Path(prior_values))
        except PriorValuesError as exc:
            raise XlbudgetError(str(exc)) from exc
    grids, analysis = read_and_analyse(src)
    data, missing = chart_data(analysis.model, last)
    if not data:
        raise XlbudgetError(f"{src.name}：没有识别出可生成图表的决算表")
    existing = find_chart_sheets(grids)
    plan = Plan(source=str(src), created=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                charts=plan_sheets(data, existing))
    done: dict[str, Any] = {}

    def produce(tmp: Path) -> None:
        done["render"] = render_file(plan, src, tmp)

    rep = write_checked(src, _output(src, output, "图表"), produce, verify_marks(done),
                 in_place=in_place, force=force, expect_fewer=("图表",) if existing else ())
    render = done["render"]
    return Written(rep.path, rep.backup, analysis.result, charts=list(render.charts),
                   chart_data=data, skipped=[*missing, *render.skipped], lost=list(rep.lost))
