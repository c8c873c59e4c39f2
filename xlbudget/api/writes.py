"""The library's writing functions: ``mark``, ``fix``, ``clean`` and ``charts``, each writing a
checked copy (or the input in place, after a backup) through ``marks.safe.write_safely``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlbudget.api.common import (
    WORKBOOK_SUFFIXES,
    Codes,
    PathLike,
    XlbudgetError,
    analyse,
    read_and_analyse,
)
from xlbudget.chart_data import PriorValuesError, chart_data, read_prior_values, this_year_figures
from xlbudget.explain import to_save
from xlbudget.findings import FileResult
from xlbudget.marks.atomic import WriteError
from xlbudget.marks.chart_sheets import find_chart_sheets, plan_sheets
from xlbudget.marks.plan import Plan, build_plan
from xlbudget.marks.safe import default_output, verify_marks, write_safely
from xlbudget.marks.xlsx import clean_file, render_file
from xlbudget.sources.files import read_workbook
from xlbudget.sources.formats import identify
from xlbudget.sources.grid import SourceError
from xlbudget.sources.own import STATE_SHEET


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


def write_checked(src: Path, dst: Path, produce: Callable[[Path], None],
                  verify: Callable[[list], None], **options: Any) -> Any:
    """``marks.safe.write_safely`` (through a checked temporary file, backup when in place)
    with its refusal as XlbudgetError."""
    # Anything else is a bug and propagates (the command line exits 3); the input is untouched.
    try:
        return write_safely(src, dst, produce, verify, **options)
    except WriteError as exc:
        raise XlbudgetError(str(exc)) from exc


def _output(src: Path, output: PathLike | None, tag: str) -> Path:
    return Path(output) if output is not None else default_output(src, tag)


def _mark_or_fix(path: PathLike, output: PathLike | None, *, fix: bool, in_place: bool,
                 force: bool, select: Codes, ignore: Codes) -> Written:
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
