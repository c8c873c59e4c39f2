"""Nothing is read or checked by halves in silence: each table knows the columns and fixed rows
it found, a required one that is missing is a TB-d finding naming the header, and an identity
with a term that cannot be resolved is not checked but listed in the coverage with its reason."""

from __future__ import annotations

import json

import pytest

from xlbudget.engine import analyse
from xlbudget.generate.dataset import Key
from xlbudget.model import Amount, CellRef, Row, Table, WorkbookModel
from xlbudget.rules.catalog import RULES
from xlbudget.rules.equations import Equation
from xlbudget.rules.identity import Identity
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import from_a1, to_a1
from xlbudget.tables.specs import SPECS

#: Layout families, including those real publishers use and the presets do not.
FAMILIES = [
    ("shanghai", {}),
    ("central", {}),
    ("stacked", {}),
    ("central", {"t4_spending_group": True, "merges": False}),
    ("shanghai", {"label_header": "merged", "empty_body": "blank"}),
    ("central", {"label_header": "merged", "empty_body": "blank", "merges": False,
                 "t4_spending_group": True}),
    ("shanghai", {"income_group": True, "label_header": "merged"}),
]


def _truth_model(sample) -> WorkbookModel:
    """The model the generator's truth implies, built without recognition: every amount at
    the cell it was written to, each table with all the columns of its dataset."""
    ds = sample.dataset
    model = WorkbookModel(path=str(sample.path))
    for (t, block), rows in ds.rows.items():
        table = model.tables.setdefault(t, Table(t, SPECS[t].name, sample.sheets[t], "",
                                                 unit=sample.units[t]))
        table.columns_found[block] = list(ds.columns[(t, block)])
        empty = t in ("T8", "T9") and ds.is_empty(t)
        if empty:
            table.note = "注：本单位本年度无数据"
        for row in rows:
            values = {}
            for col in ds.columns[(t, block)]:
                key: Key = (t, block, row, col)
                if key in sample.cells:
                    sheet, cell = sample.cells[key]
                    values[col] = Amount(sample.shown[key], 2, CellRef(sheet, cell),
                                         scale=table.scale)
            if values:
                table.rows.append(Row(ds.names.get(row, row), values, 0,
                                      key=None if row.isdigit() else row,
                                      code=row if row.isdigit() else None, block=block))
        table.columns = sorted({k for r in table.rows for k in r.values})
    return model


def _built(model: WorkbookModel) -> dict[str, int]:
    out: dict[str, int] = {}
    for rule in RULES:
        if rule.identities:
            out[rule.code] = sum(isinstance(i, Identity) for i in rule.build(model))
    return out


@pytest.mark.parametrize(("layout", "style"), FAMILIES)
@pytest.mark.parametrize("seed", [1, 2, 6])
def test_every_implied_identity_is_built(make_sample, layout, style, seed) -> None:
    """On every complete generated workbook: no TB-d, nothing skipped, and per rule exactly as
    many identities as the generator's truth implies (a column read by halves would lose some).
    T1/T4 list only the classes used, so the read rows are the truth's rows."""
    sample = make_sample(layout, seed, all_classes=False, **style)
    if seed == 6:  # non-fiscal carry-over spent: 本年支出 exceeds 本年收入 (X13's case)
        y = sample.dataset.yuan
        assert y[("T1", "income", "use_nonfiscal_balance", "amount")] > 0
        assert y[("T1", "expense", "expense_total", "amount")] > \
            y[("T1", "income", "income_total", "amount")]
    a = analyse(read_workbook(sample.path), str(sample.path))
    assert [f for f in a.result.findings if f.rule == "TB-d"] == []
    assert {c: v for c, v in a.result.coverage.items() if v["skipped"]} == {}
    built: dict[str, int] = {}
    for i in a.identities:
        built[i.rule] = built.get(i.rule, 0) + 1
    implied = _built(_truth_model(sample))
    for code in implied:
        if code in ("T7-c",):  # one per non-blank cell: depends on blanks, not on the spec
            continue
        assert built.get(code, 0) == implied[code], code
    assert all(f.severity != "error" for f in a.result.findings)


def _header_cell(path, sheet: str, text: str, right_of: int = 0) -> str:
    grid = next(g for g in read_workbook(path) if g.name == sheet)
    for r, row in enumerate(grid.rows[:12]):
        for c, v in enumerate(row):
            if c >= right_of and v == text:
                return to_a1(r, c)
    raise AssertionError(f"{text} not in {sheet}")


def test_unreadable_t4_column_is_reported_and_its_identities_not_checked(make_sample,
                                                                          edit_copy) -> None:
    """T4's 一般公共预算 spending column under a header nobody recognises: TB-d names the
    header, the identities needing that column (T4-a, T4-c, T4-e, T4-f, X7) are skipped with
    the reason, and X13, which needs only the 合计 column, is still built in full."""
    sample = make_sample("central", 2, t4_spending_group=True)
    sheet = sample.sheets["T4"]
    cell = _header_cell(sample.path, sheet, "一般公共预算财政拨款", right_of=4)
    path = edit_copy(sample, [(sheet, cell, "其他")])
    a = analyse(read_workbook(path), str(path))
    tbd = [f for f in a.result.findings if f.rule == "TB-d"]
    assert len(tbd) == 1 and tbd[0].sheet == sheet
    t4 = next(t for t in a.result.tables if t.key == "T4")
    assert tbd[0].cell == t4.header.split(":")[0]
    assert "一般公共预算财政拨款" in tbd[0].message and t4.header in tbd[0].message
    assert "expense.gpb" in t4.columns_missing and "expense.total" in t4.columns_found
    cov = a.result.coverage
    for code in ("T4-a", "T4-f", "X7"):
        assert cov[code]["skipped"] > 0, code
        assert any("一般公共预算财政拨款" in r for r in cov[code]["reasons"]), code
    assert cov["X13"]["skipped"] == 0 and cov["X13"]["identities"] == 1
    x13 = next(i for i in a.identities if i.rule == "X13")
    assert len(x13.terms) == 10
    assert [f for f in a.result.findings if f.severity == "error"] == []


def test_missing_fixed_row_skips_instead_of_dropping_the_term(make_sample, edit_copy) -> None:
    """T1 without a readable 结余分配 row: T1-d and X13 are not checked with a term missing
    (that gave false errors); they are skipped, and the file has no error."""
    sample = make_sample("shanghai", 3)
    sheet, cell = sample.labels[("T1", "expense", "balance_distribution")]
    path = edit_copy(sample, [(sheet, cell, "某某")])
    a = analyse(read_workbook(path), str(path))
    assert any(f.rule == "TB-d" and "结余分配" in f.message for f in a.result.findings)
    for code in ("T1-d", "X13"):
        assert a.result.coverage[code]["status"] == "skipped", code
    assert [f for f in a.result.findings if f.severity == "error"] == []


def test_empty_table_declared_without_data_counts_as_zero(make_sample, edit_copy) -> None:
    """T8 printed as blank ruled rows under 本表无数据: X8 is checked against zero, so fund
    money in T4 with an empty T8 is caught."""
    sample = make_sample("shanghai", 2, empty_body="blank")  # seed 2: no fund money
    key = ("T4", "income", "fund", "amount")
    sheet, cell = sample.cells[key]
    path = edit_copy(sample, [(sheet, cell, 12.5)])
    a = analyse(read_workbook(path), str(path))
    assert a.result.coverage["X8"]["identities"] == 4 and a.result.coverage["X8"]["skipped"] == 0
    assert any(f.rule in ("X8", "T4-b", "X6") and f.severity == "error"
               for f in a.result.findings)


def test_coverage_and_columns_in_json(make_sample, tmp_path) -> None:
    from click.testing import CliRunner

    from xlbudget.cli import main

    sample = make_sample("central", 1)
    out = CliRunner().invoke(main, ["check", str(sample.path), "--format", "json"])
    doc = json.loads(out.output)
    f = doc["files"][0]
    assert f["coverage"]["T4-a"]["status"] == "built" and f["coverage"]["T4-a"]["identities"]
    t4 = next(t for t in f["tables"] if t["key"] == "T4")
    assert t4["columns_missing"] == [] and "expense.soe" in t4["columns_found"]
    r, c = from_a1(t4["header"].split(":")[0])
    assert r > 0 and c == 0


def test_a_mistyped_reference_fails_at_import() -> None:
    from xlbudget.rules.equations import NonNegative, RowSum, Tree

    with pytest.raises(ValueError, match="expense_totl"):
        Tree("T1", "expense", "expense_totl")
    with pytest.raises(ValueError, match="basik"):
        RowSum("T5", "main", "total", ("basik", "project"))
    with pytest.raises(ValueError, match="T10"):
        NonNegative("T10")
    with pytest.raises(ValueError, match="totl"):
        Equation(("T4.expense.closing.totl",), ("T1.expense.closing_balance.amount",))
    with pytest.raises(ValueError, match="closing_balanse"):
        Equation(("T4.expense.closing.total",), ("T1.expense.closing_balanse.amount",))




def test_text_report_says_what_was_not_checked(make_sample, edit_copy) -> None:
    from click.testing import CliRunner

    from xlbudget.cli import main

    sample = make_sample("shanghai", 3)
    sheet, cell = sample.labels[("T1", "expense", "balance_distribution")]
    path = edit_copy(sample, [(sheet, cell, "某某")])
    plain = CliRunner().invoke(main, ["check", str(path)]).output
    assert "未校验：2 条规则" in plain and "T1-d、X13" in plain and "[TB-d]" in plain
    full = CliRunner().invoke(main, ["check", str(path), "--coverage"]).output
    assert "原因：收入支出决算总表未找到“结余分配”行" in full
    clean = CliRunner().invoke(main, ["check", str(sample.path)]).output
    assert "未校验" not in clean


@pytest.mark.skipif(__import__("shutil").which("soffice") is None,
                    reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xlsx:Calc MS Excel 2007 XML", "xls:MS Excel 97"])
def test_real_layout_saved_by_libreoffice(make_sample, edit_copy, tmp_path, fmt) -> None:
    """The export-like family (three-row T4 header, merged label headers, blank empty tables,
    no merge information) written again by another program: read whole, nothing skipped,
    and one wrong cell located at the same address."""
    import subprocess

    from xlbudget.engine import check_file

    sample = make_sample("central", 4, label_header="merged", empty_body="blank",
                         merges=False, t4_spending_group=True)
    key = ("T4", "expense", "expense_total", "gpb")
    sheet, cell = sample.cells[key]
    wrong = edit_copy(sample, [(sheet, cell, float(sample.shown[key]) + 100)])
    out = tmp_path / "lo"
    for src in (sample.path, wrong):
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/p",
                        "--convert-to", fmt, "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=180)
    ext = fmt.split(":")[0]
    clean = check_file(out / f"{sample.path.stem}.{ext}")
    assert clean.status != "error", clean.error
    assert len(clean.tables) == 9
    assert {c: v for c, v in clean.coverage.items() if v["skipped"]} == {}
    assert [f for f in clean.findings if f.severity != "info"] == []
    broken = check_file(out / f"{wrong.stem}.{ext}")
    certain = [(f.sheet, f.cell, f.expected) for f in broken.findings if f.certain
               and f.severity == "error"]
    assert certain == [(sheet, cell, f"{sample.shown[key]:.2f}")]


def test_marked_copy_and_excel_alert_say_what_was_not_checked(make_sample, edit_copy,
                                                               tmp_path) -> None:
    from xlbudget.engine import check_file
    from xlbudget.excel.actions import summary
    from xlbudget.marks.plan import build_report

    sample = make_sample("shanghai", 3)
    sheet, cell = sample.labels[("T1", "expense", "balance_distribution")]
    result = check_file(edit_copy(sample, [(sheet, cell, "某某")]))
    assert "未校验：2 条规则" in summary(result)
    rows = build_report(result, "2026-12-05", set()).rows
    assert ["未校验", next(r[1] for r in rows if r and r[0] == "未校验")] in rows
    assert any(r and r[0] == "未校验" and "T1-d、X13" in r[1] for r in rows)
