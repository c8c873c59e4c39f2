"""Each rule holds on a consistent workbook and fails when a cell it covers is broken.

Arithmetic rules are tested at the identity level (the rule is confronted with the values) and
at the findings level (the broken cell is a finding's own ``cell``: the certain one when it is
identifiable, else one of the candidates).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pinned import assert_pinned

from xlbudget.engine import analyse, check_file
from xlbudget.generate import generate, write
from xlbudget.locate.identifiable import identifiable_cells
from xlbudget.rules.catalog import REGISTRY, RULES
from xlbudget.sources.files import read_workbook

SEEDS = range(1, 9)


def _analysis(path):
    return analyse(read_workbook(path), str(path))


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    return [write(generate(s), root / f"s{s}.xlsx", "shanghai") for s in SEEDS]


def _pick(samples, code):
    """A sample, one identity of ``code`` whose target shows a non-zero value, and whether a
    single error in that target is identifiable in the sample."""
    for s in samples:
        identities = _analysis(s.path).identities
        for ident in identities:
            if ident.rule == code and ident.target.value not in (None, Decimal(0)):
                return s, ident, ident.target.ref in identifiable_cells(identities)
    return None, None, False


def test_clean_samples_hold_every_rule(samples) -> None:
    for s in samples:
        a = _analysis(s.path)
        failing = [i for i in a.identities if i.fails]
        assert failing == [], [(i.rule, i.text) for i in failing]
        assert [f for f in a.result.findings if f.severity != "info"] == []


ARITHMETIC = sorted(r.code for r in RULES if r.identities)


@pytest.mark.parametrize("code", ARITHMETIC)
def test_rule_fails_when_its_cell_is_broken(samples, edit_copy, code) -> None:
    sample, ident, identifiable = _pick(samples, code)
    assert sample is not None, f"no generated workbook exercises {code}"
    a = ident.target
    c = ident.coef_of(a)
    if ident.op == "<=":
        # push the left side past the right by more than any slack
        slack = -ident.residual / a.scale
        new = a.value + c * (slack + Decimal(100)) if c > 0 else Decimal(-5)
    else:
        new = a.value + Decimal(123)
    broken = edit_copy(sample, [(a.ref.sheet, a.ref.cell, float(new))])
    after = _analysis(broken)
    assert any(i.rule == code and i.fails for i in after.identities), code
    assert_pinned([f for f in after.result.findings if f.severity != "info"], a.ref,
                  identifiable)
    # the worst failing identity decides the severity reported for the cell
    failing = {REGISTRY[i.rule].severity for i in after.identities if i.fails}
    worst = "error" if "error" in failing else "warning"
    assert REGISTRY[code].severity in failing
    assert any(f.severity == worst for f in after.result.findings)


def test_every_rule_has_a_page() -> None:
    for rule in REGISTRY.values():
        page = rule.page()
        for section in ("什么", "为什么", "例子", "如何修正"):
            assert section in page
        # the headings alone would pass with empty fields: each section says something
        doc = rule.doc
        empty = [name for name, text in (("title", rule.title), ("what", doc.what),
                                         ("why", doc.why), ("example", doc.example),
                                         ("fix", doc.fix)) if not text.strip()]
        assert empty == [], (rule.code, empty)
        assert rule.severity in ("error", "warning", "info")


def test_each_page_is_written_for_its_rule() -> None:
    """No two rules share a section of their page (shared fix texts once said nothing)."""
    for section in ("what", "why", "example", "fix"):
        texts: dict[str, list[str]] = {}
        for rule in RULES:
            texts.setdefault(getattr(rule.doc, section), []).append(rule.code)
        assert [codes for codes in texts.values() if len(codes) > 1] == [], section


def test_the_catalog_lists_every_rule_once_in_an_explicit_order() -> None:
    """Each family module's rules are in the catalog, none twice, and nothing registers a
    rule by being imported (the catalog is a plain tuple)."""
    import importlib
    import pkgutil

    import xlbudget.rules as package

    listed = [r.code for r in RULES]
    assert len(listed) == len(set(listed)) == len(REGISTRY)
    for info in pkgutil.iter_modules(package.__path__):
        family = importlib.import_module(f"xlbudget.rules.{info.name}")
        if info.name != "catalog" and hasattr(family, "RULES"):
            assert {r.code for r in family.RULES} <= set(listed), info.name
    assert listed[:4] == ["TB-a", "TB-b", "TB-c", "TB-d"] and listed[-1] == "B-mark"
    for rule in RULES:  # identities run in the identities phase only, checks elsewhere
        assert bool(rule.identities) == (rule.phase == "identities"), rule.code


# -- rules that are not identities ------------------------------------------------------------

def _findings(path, rule):
    return [f for f in check_file(path).findings if f.rule == rule]


def test_missing_table_is_reported(make_sample, tmp_path) -> None:
    from openpyxl import load_workbook

    s = make_sample("shanghai", 1)
    wb = load_workbook(s.path)
    del wb[s.sheets["T9"]]
    out = tmp_path / "no-t9.xlsx"
    wb.save(out)
    found = _findings(out, "TB-a")
    assert len(found) == 1 and "国有资本经营预算财政拨款收入支出决算表" in found[0].message
    assert found[0].severity == "info" and found[0].cell is None
    assert _findings(s.path, "TB-a") == []


def test_empty_table_without_note(make_sample, edit_copy) -> None:
    s = next(make_sample("shanghai", seed) for seed in SEEDS
             if generate(seed).is_empty("T8"))
    assert _findings(s.path, "TB-b") == []
    from xlbudget.sources.files import read_workbook as rw

    grid = next(g for g in rw(s.path) if g.name == s.sheets["T8"])
    notes = [(r, c) for r, row in enumerate(grid.rows) for c, v in enumerate(row)
             if isinstance(v, str) and v.startswith("注")]
    from xlbudget.sources.grid import to_a1

    broken = edit_copy(s, [(s.sheets["T8"], to_a1(r, c), None) for r, c in notes])
    found = _findings(broken, "TB-b")
    assert len(found) == 1 and found[0].sheet == s.sheets["T8"]


@pytest.mark.parametrize(("value", "rule"), [("12,3a", "IN-a"), ("=SUM(A1:A2)", "IN-c")])
def test_unreadable_cells(make_sample, edit_copy, value, rule) -> None:
    s = make_sample("shanghai", 1)
    sheet, cell = s.cells[("T2", "main", "total", "fiscal")]
    broken = edit_copy(s, [(sheet, cell, value)])
    found = _findings(broken, rule)
    assert [(f.sheet, f.cell) for f in found] == [(sheet, cell)]
    assert value in found[0].message or rule == "IN-a"
    # never read as zero: no identity through that cell is judged
    res = check_file(broken)
    assert not any(f.cell == cell and f.sheet == sheet and f.rule.startswith(("T", "X"))
                   for f in res.findings if f.severity != "info")


def test_error_value_cell(make_sample, tmp_path) -> None:
    from openpyxl import load_workbook

    s = make_sample("shanghai", 1)
    sheet, cell = s.cells[("T3", "main", "total", "basic")]
    wb = load_workbook(s.path)
    wb[sheet][cell].value = "#DIV/0!"
    wb[sheet][cell].data_type = "e"
    out = tmp_path / "err.xlsx"
    wb.save(out)
    found = _findings(out, "IN-b")
    assert [(f.sheet, f.cell, f.actual) for f in found] == [(sheet, cell, "#DIV/0!")]
    assert found[0].severity == "error"


def test_outdated_class_name(make_sample, edit_copy) -> None:
    s = make_sample("shanghai", 1)
    sheet, cell = s.labels[("T3", "main", "210")]
    broken = edit_copy(s, [(sheet, cell, "医疗卫生与计划生育支出")])
    found = _findings(broken, "NM-c")
    assert len(found) == 1 and found[0].expected == "卫生健康支出"
    assert found[0].sheet == sheet
    # and the same name in another table differs now
    assert _findings(broken, "NM-a")


def test_code_name_mismatch(make_sample, edit_copy) -> None:
    s = make_sample("shanghai", 1)
    sheet, cell = s.labels[("T2", "main", "201")]
    broken = edit_copy(s, [(sheet, cell, "科学技术支出")])
    found = _findings(broken, "NM-b")
    assert len(found) == 1 and found[0].expected == "一般公共服务支出"


def test_missing_unit(make_sample, edit_copy) -> None:
    s = make_sample("shanghai", 1)
    model = _analysis(s.path).model
    ref = model.tables["T5"].unit_cell
    broken = edit_copy(s, [(ref.sheet, ref.cell, None)])
    found = _findings(broken, "IN-d")
    assert len(found) == 1 and found[0].sheet == ref.sheet


@pytest.mark.parametrize(("layout", "table", "label", "right"),
                         [("shanghai", "T6", "单位：元", "万元"),
                          ("stacked", "T6", "单位：万元", "元"),
                          ("shanghai", "T3", "单位：元", "万元")])
def test_unit_line_that_contradicts_the_figures(make_sample, edit_copy, layout, table, label,
                                                right) -> None:
    """万元/元 confused: one finding at the unit cell, and every other check reads the table in
    the right unit (no cross-table error is reported for it)."""
    s = make_sample(layout, 1)
    unit = _analysis(s.path).model.tables[table].unit_cell
    broken = edit_copy(s, [(unit.sheet, unit.cell, label)])
    result = check_file(broken)
    found = [f for f in result.findings if f.rule == "IN-e"]
    assert [(f.sheet, f.cell, f.expected) for f in found] == [(unit.sheet, unit.cell, right)]
    assert [f for f in result.findings if f.severity == "error" and f.rule != "IN-e"] == []
    assert _findings(s.path, "IN-e") == []
