"""Rules on the names of classification codes (NM-…): the same name in every table, the name
the code has, a name not outdated for the year."""

from __future__ import annotations

from collections.abc import Iterator

from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.findings import Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import CODED, SPECS
from xlbudget.tables.text import canon_item, label


def _name_of(code: str) -> str | None:
    return FUNCTION_CLASSES.get(code) or FUNCTION_ITEMS.get(code)


def _same(a: str, b: str) -> bool:
    return canon_item(label(a)).removesuffix("支出") == canon_item(label(b)).removesuffix("支出")


def _names_across_tables(model: WorkbookModel) -> Iterator[Finding]:
    first: dict[str, tuple[str, str, str]] = {}
    for key in CODED:
        t = model.tables.get(key)
        if t is None:
            continue
        for row in t.code_rows():
            if not row.label or row.code is None:
                continue
            seen = first.get(row.code)
            if seen is None:
                first[row.code] = (row.label, t.key, t.sheet)
            elif not _same(seen[0], row.label):
                yield Finding("NM-a", "warning",
                              f"科目 {row.code} 在{SPECS[seen[1]].name}中名为“{seen[0]}”，"
                              f"在{SPECS[key].name}中名为“{row.label}”",
                              sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                              expected=seen[0], certain=False)


def _label_cell(table, row) -> str | None:
    """The cell holding the row's name; its first amount when the name was not in a cell."""
    if row.label_ref is not None:
        return row.label_ref.cell
    a = next(iter(row.values.values()), None)
    return None if a is None else a.ref.cell


def _code_names(rule: str):
    """NM-b: a 类 code whose name is another class's; NM-c: a name outdated for the year."""

    def check(model: WorkbookModel) -> Iterator[Finding]:
        for t in model.tables.values():
            for row in t.code_rows():
                code = row.code or ""
                current = _name_of(code)
                old = OUTDATED.get(code)
                outdated = bool(old and model.year and model.year >= old[1]
                                and _same(row.label, old[0]))
                if rule == "NM-c" and outdated:
                    yield Finding("NM-c", "warning",
                                  f"科目 {code} 的名称“{row.label}”已过时，"
                                  f"{model.year} 年应为“{current}”",
                                  sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                                  expected=current)
                elif (rule == "NM-b" and not outdated and current and row.label
                      and len(code) == 3 and not _same(row.label, current)
                      and t.key in CODED):
                    yield Finding("NM-b", "warning",
                                  f"科目编码 {code} 对应“{current}”，表中名称为“{row.label}”",
                                  sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                                  expected=current)

    return check


RULES = (
    Rule("NM-a", "同一科目在各表中名称一致", "warning", "workbook", RuleDoc(
        "同一功能分类科目编码在收入、支出、财政拨款各表中应使用同一名称。",
        "名称不一致说明某张表用了旧模板或填错了编码。",
        "2080505 在收入决算表中为“机关事业单位基本养老保险缴费支出”，"
        "在支出决算表中为“行政单位离退休”。",
        "统一为当年政府收支分类科目的名称。"), explainable=True, check=_names_across_tables),
    Rule("NM-b", "科目编码与名称对应", "warning", "workbook", RuleDoc(
        "类级科目编码应与当年政府收支分类科目名称对应。",
        "编码与名称不符是科目错填的信号。", "编码 205 对应的名称写成“科学技术支出”。",
        "按政府收支分类科目核对编码和名称。"), explainable=True, check=_code_names("NM-b")),
    Rule("NM-c", "科目名称已过时", "warning", "workbook", RuleDoc(
        "检查是否仍在使用已改名的科目名称（如 2018 年后的“医疗卫生与计划生育支出”）。",
        "沿用旧名称说明使用了过期模板，公开后会被指出。",
        "2023 年度决算中出现“医疗卫生与计划生育支出”。",
        "改为当年名称，如“卫生健康支出”“文化旅游体育与传媒支出”“行政事业单位养老支出”。"),
         check=_code_names("NM-c")),
)
