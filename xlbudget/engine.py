"""One workbook through the whole pipeline: grids -> model -> identities -> findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlbudget import explain
from xlbudget.confront import rounding_notes
from xlbudget.coverage import Coverage
from xlbudget.defects import link as link_defects
from xlbudget.explain import Stored
from xlbudget.findings import SEVERITIES, FileResult, Finding, TableInfo
from xlbudget.model import Problem, Table, WorkbookModel
from xlbudget.rules.catalog import RULES
from xlbudget.rules.identity import Identity
from xlbudget.rules.registry import WORKBOOK_PHASES
from xlbudget.rules.selection import selected
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, SourceError, from_a1
from xlbudget.sources.own import own_sheets
from xlbudget.tables.recognise import recognise


@dataclass(slots=True)
class Analysis:
    model: WorkbookModel
    identities: list[Identity] = field(default_factory=list)
    result: FileResult = field(default_factory=lambda: FileResult(path=""))
    #: the workbook's 出错说明 (sheet and report column), as judged into ``result``
    explanations: Stored = field(default_factory=Stored)


def analyse(grids: list[Grid], path: str, *, select: tuple[str, ...] | list[str] = (),
            ignore: tuple[str, ...] | list[str] = ()) -> Analysis:
    """Recognise, confront and locate. Raises nothing for bad content: it becomes findings."""
    name = Path(path).name
    ours = own_sheets(grids)  # xlbudget's report and state sheets are not the user's tables
    stored = explain.read(grids)  # the explanations' sheet and the report's column
    grids = [g for g in grids if g.name not in ours and g.name != explain.SHEET]
    model = recognise(grids, path)
    # What the reader left out (stray far-away cells, a misnamed format): IN-f warnings.
    model.problems.extend(Problem("IN-f", "warning", n) for g in grids for n in g.notes)
    result = FileResult(path=path, ignored_sheets=list(model.ignored_sheets))
    result.tables = [_table_info(t) for t in sorted(model.tables.values(), key=lambda t: t.key)]
    if not grids or all(g.height == 0 for g in grids):
        result.error = f"{name}：工作簿为空，没有任何数据"
        result.refresh_status()
        return Analysis(model, [], result)
    if not model.tables:
        sheets = "、".join(g.name for g in grids[:8])
        result.error = (f"{name}：未识别到任何部门决算公开表（工作表：{sheets}）。"
                        "请确认表名（如“收入支出决算总表”）在表格上方或工作表名中")
        result.refresh_status()
        return Analysis(model, [], result)
    findings: list[Finding] = []
    identities: list[Identity] = []
    coverage = Coverage()
    for phase in WORKBOOK_PHASES:  # units before identities: a unit slip rescales a table
        for rule in RULES:
            if rule.phase != phase or not selected(rule.code, select, ignore):
                continue
            if rule.identities:
                identities.extend(coverage.take(rule.code, rule.build(model)))
            elif rule.check is not None:
                findings.extend(rule.check(model))
    result.coverage = coverage.to_json()
    if any(i.fails for i in identities):
        # numpy/scipy load only when something is wrong: a clean file starts fast
        from xlbudget.locate import locate

        findings.extend(locate(identities))
        link_defects(findings, identities)  # cells of one defect, for counting problems
    findings.extend(rounding_notes(identities))
    findings.extend(explain.apply(findings, stored, grids,
                                  lambda code: selected(code, select, ignore)))
    result.findings = sorted(findings, key=_order)
    result.refresh_status()
    return Analysis(model, identities, result, stored)


def _table_info(t: Table) -> TableInfo:
    def keys(by_block: dict[str, list[str]]) -> list[str]:
        return [k if len(by_block) == 1 else f"{b}.{k}" for b, ks in by_block.items() for k in ks]

    return TableInfo(t.key, t.sheet, t.range, t.unit, keys(t.columns_found),
                     keys(t.columns_missing), keys(t.rows_missing), t.header)


def _order(f: Finding) -> tuple[int, str, int, int, str]:
    r, c = from_a1(f.cell) if f.cell else (-1, -1)
    return SEVERITIES.index(f.severity), f.sheet or "", r, c, f.rule


def read_model(path: str | Path) -> WorkbookModel:
    """Read and recognise a workbook without checking it (xlbudget's own sheets left out).
    Raises SourceError when the file cannot be read."""
    grids = read_workbook(str(path))
    ours = own_sheets(grids)
    return recognise([g for g in grids if g.name not in ours], str(path))


def read_and_analyse(path: str | Path, *, select: tuple[str, ...] | list[str] = (),
                     ignore: tuple[str, ...] | list[str] = ()) -> tuple[list[Grid], Analysis]:
    """Read a workbook file and :func:`analyse` it: the sheets as read (one read serves both)
    and the analysis. Every door that starts from a file goes through here. Raises SourceError
    when the file cannot be read; bad content becomes findings."""
    grids = read_workbook(str(path))
    return grids, analyse(grids, str(path), select=select, ignore=ignore)


def check_file(path: str | Path, *, select: tuple[str, ...] | list[str] = (),
               ignore: tuple[str, ...] | list[str] = ()) -> FileResult:
    """Check one file; never raises for bad input (the result has status 'error')."""
    p = str(path)
    try:
        return read_and_analyse(p, select=select, ignore=ignore)[1].result
    except SourceError as exc:
        return FileResult(path=p, error=str(exc))
    except Exception as exc:  # a bug must not stop a batch nor show a traceback
        return FileResult(path=p, error=f"{Path(p).name}：校验时发生内部错误"
                                        f"（{type(exc).__name__}: {exc}），请将此文件反馈给开发者")
