"""Sample generator: exact identities in 元, rounding per cell, layouts read back by calamine."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from xlbudget.generate import LAYOUTS, Dataset, generate, write
from xlbudget.generate.inject import inject
from xlbudget.generate.style import EMPTY_NOTES, TITLES
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, from_a1, to_a1

SEEDS = range(40)
INCOME = ("gpb", "fund", "soe", "superior_subsidy", "business", "operating", "affiliated_remit",
          "other")


def identity_failures(ds: Dataset) -> list[str]:
    """Every identity of reference §3.1/§3.2 checked exactly in 元; independent of the rules."""
    y = ds.yuan
    bad: list[str] = []

    def v(t: str, b: str, r: str, c: str) -> int:
        return y[(t, b, r, c)]

    def eq(rule: str, a: int, b: int) -> None:
        if a != b:
            bad.append(f"{rule}: {a} != {b}")

    def le(rule: str, a: int, b: int) -> None:
        if a > b:
            bad.append(f"{rule}: {a} > {b}")

    def codes(t: str, b: str = "main") -> list[str]:
        return [r for r in ds.rows[(t, b)] if r.isdigit()]

    def hierarchy(rule: str, t: str, columns: tuple[str, ...]) -> None:
        rows = codes(t)
        for col in columns:
            eq(rule, v(t, "main", "total", col),
               sum(v(t, "main", c, col) for c in rows if len(c) == 3))
            for parent in rows:
                children = [c for c in rows if len(c) == len(parent) + 2 and c.startswith(parent)]
                if children:
                    eq(rule, v(t, "main", parent, col),
                       sum(v(t, "main", c, col) for c in children))

    def per_row(rule: str, t: str, total: str, parts: tuple[str, ...]) -> None:
        for r in ds.rows[(t, "main")]:
            eq(rule, v(t, "main", r, total), sum(v(t, "main", r, p) for p in parts))

    t1 = {r: v("T1", "income", r, "amount") for r in ds.rows[("T1", "income")]}
    t1e = {r: v("T1", "expense", r, "amount") for r in ds.rows[("T1", "expense")]}
    eq("T1-a", t1["income_total"], sum(t1[k] for k in INCOME))
    eq("T1-b", t1e["expense_total"], sum(t1e[c] for c in codes("T1", "expense")))
    eq("T1-c", t1["grand_total"],
       t1["income_total"] + t1["use_nonfiscal_balance"] + t1["opening_balance"])
    eq("T1-d", t1e["grand_total"],
       t1e["expense_total"] + t1e["balance_distribution"] + t1e["closing_balance"])
    eq("T1-e", t1["grand_total"], t1e["grand_total"])
    t2_cols = ds.columns[("T2", "main")]
    per_row("T2-a", "T2", "total", t2_cols[1:])
    hierarchy("T2-b", "T2", t2_cols)
    per_row("T3-a", "T3", "total",
            ("basic", "project", "remit_superior", "operating", "subsidy_affiliated"))
    hierarchy("T3-b", "T3", ds.columns[("T3", "main")])

    t4 = {r: v("T4", "income", r, "amount") for r in ds.rows[("T4", "income")]}
    t4_rows = ds.rows[("T4", "expense")]
    for r in t4_rows:
        eq("T4-a", v("T4", "expense", r, "total"),
           sum(v("T4", "expense", r, m) for m in ("gpb", "fund", "soe")))
    eq("T4-b", t4["income_total"], t4["gpb"] + t4["fund"] + t4["soe"])
    for col in ("total", "gpb", "fund", "soe"):
        eq("T4-c", v("T4", "expense", "expense_total", col),
           sum(v("T4", "expense", c, col) for c in codes("T4", "expense")))
        eq("T4-e", v("T4", "expense", "grand_total", col),
           v("T4", "expense", "expense_total", col) + v("T4", "expense", "closing", col))
    eq("T4-d", t4["opening"], t4["opening_gpb"] + t4["opening_fund"] + t4["opening_soe"])
    eq("T4-e", t4["grand_total"], t4["income_total"] + t4["opening"])
    eq("T4-e", t4["grand_total"], v("T4", "expense", "grand_total", "total"))
    for m in ("gpb", "fund", "soe"):
        eq("T4-f", t4[f"opening_{m}"] + t4[m],
           v("T4", "expense", "expense_total", m) + v("T4", "expense", "closing", m))

    per_row("T5-a", "T5", "total", ("basic", "project"))
    hierarchy("T5-b", "T5", ("total", "basic", "project"))
    t6 = {r: v("T6", "main", r, "amount") for r in ds.rows[("T6", "main")]}
    for cls in (c for c in t6 if len(c) == 3):
        eq("T6-a", t6[cls], sum(a for c, a in t6.items() if len(c) == 5 and c[:3] == cls))
    eq("T6-b", t6["personnel_total"], t6.get("301", 0) + t6.get("303", 0))
    eq("T6-c", t6["public_total"], sum(t6.get(c, 0) for c in ("302", "307", "309", "310", "399")))
    t7 = {c: v("T7", "main", "total", c) for c in ds.columns[("T7", "main")]}
    for kind in ("budget", "final"):
        eq("T7-a", t7[f"total_{kind}"],
           t7[f"abroad_{kind}"] + t7[f"vehicle_{kind}"] + t7[f"reception_{kind}"])
        eq("T7-b", t7[f"vehicle_{kind}"],
           t7[f"vehicle_purchase_{kind}"] + t7[f"vehicle_operation_{kind}"])
    for amount in t7.values():
        le("T7-c", 0, amount)
    for t in ("T8", "T9"):
        per_row(f"{t}-a", t, "exp_total", ("exp_basic", "exp_project"))
        for r in ds.rows[(t, "main")]:
            eq(f"{t}-b", v(t, "main", r, "opening") + v(t, "main", r, "income")
               - v(t, "main", r, "exp_total"), v(t, "main", r, "closing"))
        hierarchy(f"{t}-c", t, ds.columns[(t, "main")])

    t2 = {c: v("T2", "main", "total", c) for c in t2_cols}
    eq("X1", t1["income_total"], t2["total"])
    eq("X2", t1["gpb"] + t1["fund"] + t1["soe"], t2["fiscal"])
    eq("X2", t2["fiscal"], t4["income_total"])
    for k in INCOME[3:]:
        eq("X3", t1[k], t2[k])
    eq("X4", t1e["expense_total"], v("T3", "main", "total", "total"))
    for c in codes("T1", "expense"):
        eq("X5", t1e[c], v("T3", "main", c, "total"))
    for k in ("gpb", "fund", "soe"):
        eq("X6", t1[k], t4[k])
    for c in codes("T4", "expense"):
        eq("X7", v("T4", "expense", c, "gpb"), y.get(("T5", "main", c, "total"), 0))
        le("X11", v("T4", "expense", c, "total"), t1e[c])
    eq("X7", v("T4", "expense", "expense_total", "gpb"), v("T5", "main", "total", "total"))
    for t, m in (("T8", "fund"), ("T9", "soe")):
        eq("X8/X9", t4[m], v(t, "main", "total", "income"))
        eq("X8/X9", v("T4", "expense", "expense_total", m), v(t, "main", "total", "exp_total"))
        eq("X8/X9", t4[f"opening_{m}"], v(t, "main", "total", "opening"))
        eq("X8/X9", v("T4", "expense", "closing", m), v(t, "main", "total", "closing"))
    eq("X10", v("T5", "main", "total", "basic"), t6["personnel_total"] + t6["public_total"])
    le("X12", t4["opening"], t1["opening_balance"])
    le("X12", v("T4", "expense", "closing", "total"), t1e["closing_balance"])
    nf_closing = t1e["closing_balance"] - v("T4", "expense", "closing", "total")
    nf_opening = t1["opening_balance"] - t4["opening"]
    eq("X13", nf_closing,
       nf_opening + (t1["income_total"] - t4["income_total"]) + t1["use_nonfiscal_balance"]
       - (t1e["expense_total"] - v("T4", "expense", "expense_total", "total"))
       - t1e["balance_distribution"])
    for c in codes("T3"):
        if len(c) != 3:
            continue
        for t3_col, col in (("basic", "basic"), ("project", "project")):
            money = y.get(("T5", "main", c, col), 0) + sum(
                y.get((t, "main", c, f"exp_{col}"), 0) for t in ("T8", "T9"))
            le("X14/X15", money, v("T3", "main", c, t3_col))
    for item, col in (("30212", "abroad"), ("30217", "reception"),
                      ("30231", "vehicle_operation"), ("31013", "vehicle_purchase")):
        le("X16", t6.get(item, 0), t7[f"{col}_final"])
    le("X17", t7["total_final"], v("T4", "expense", "expense_total", "total"))
    for key, amount in y.items():
        le(f"non-negative {key}", 0, amount)
    return bad


@pytest.fixture(scope="module")
def datasets() -> list[Dataset]:
    return [generate(seed) for seed in SEEDS]


def test_every_identity_holds_exactly_in_yuan(datasets: list[Dataset]) -> None:
    for ds in datasets:
        assert identity_failures(ds) == [], ds.seed
        assert ds.prior is not None
        assert identity_failures(ds.prior) == [], f"prior of {ds.seed}"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**9), year=st.integers(2016, 2030))
def test_identities_hold_for_any_seed_and_year(seed: int, year: int) -> None:
    ds = generate(seed, year)
    assert identity_failures(ds) == []
    assert ds.prior is not None and identity_failures(ds.prior) == []


def test_names_follow_the_year() -> None:
    ds = generate(3, 2019)
    assert ds.names["210"] == "卫生健康支出"
    assert ds.prior is not None and ds.prior.names["210"] == "医疗卫生与计划生育支出"


def test_department_structure(datasets: list[Dataset]) -> None:
    for ds in datasets:
        classes = [c for c in ds.rows[("T1", "expense")] if c.isdigit()]
        assert {"201", "208", "210", "221"} <= set(classes)
        assert 4 <= len(classes) <= 6
        ordinary = [c for c in classes if c not in ("223", "229")]
        codes = [c for c in ds.rows[("T3", "main")] if c != "total"]
        assert codes == sorted(codes), "类/款/项 in pre-order"
        for cls in ordinary:
            kuan = [c for c in codes if len(c) == 5 and c.startswith(cls)]
            assert 1 <= len(kuan) <= 3
            for k in kuan:
                assert 1 <= len([c for c in codes if len(c) == 7 and c.startswith(k)]) <= 3


def test_seeds_cover_the_cases_real_documents_have(datasets: list[Dataset]) -> None:
    fund = [ds.seed for ds in datasets if not ds.is_empty("T8")]
    soe = [ds.seed for ds in datasets if not ds.is_empty("T9")]
    assert fund and soe
    assert len(fund) < len(datasets) and len(soe) < len(datasets)
    nonfiscal = [ds for ds in datasets
                 if ds.value("T1", "income", "income_total", "amount")
                 != ds.value("T4", "income", "income_total", "amount")]
    assert 0 < len(nonfiscal) < len(datasets)


def _shown(yuan: int, scale: int = 10000) -> Decimal:
    return (Decimal(yuan) / scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_shown_values_are_rounded_per_cell_with_real_residuals(datasets: list[Dataset]) -> None:
    residuals = 0
    for ds in datasets:
        for key in ds.amount_keys():
            assert ds.shown(key) == _shown(ds.yuan[key])
        # T1-a on shown values: off by rounding only, within the interval band of §0.3.
        parts = [ds.shown(("T1", "income", k, "amount")) for k in INCOME]
        total = ds.shown(("T1", "income", "income_total", "amount"))
        assert abs(total - sum(parts)) <= Decimal("0.005") * (len(parts) + 1)
        for t in ("T2", "T3", "T5"):
            cols = ds.columns[(t, "main")]
            for row in ds.rows[(t, "main")]:
                diff = ds.shown((t, "main", row, cols[0])) - sum(
                    ds.shown((t, "main", row, c)) for c in cols[1:])
                assert abs(diff) <= Decimal("0.005") * len(cols)
                residuals += diff != 0
    assert residuals > 20, "rounding per cell must leave visible 0.01 residuals"


def test_deterministic_per_seed() -> None:
    a, b = generate(11), generate(11)
    assert a == b and a.prior == b.prior
    assert generate(12) != a


def test_prior_is_same_department_other_year() -> None:
    ds = generate(4, 2022)
    prior = ds.prior
    assert prior is not None and prior.prior is None
    assert (prior.year, prior.organisation) == (2021, ds.organisation)
    assert prior.rows[("T3", "main")] == ds.rows[("T3", "main")]
    this, last = (d.value("T1", "income", "income_total", "amount") for d in (ds, prior))
    assert this != last and 0.6 < this / last < 1.6
    # This year's opening balances are last year's closing ones (年初 = 上年年末).
    assert ds.value("T1", "income", "opening_balance", "amount") == prior.value(
        "T1", "expense", "closing_balance", "amount")
    assert ds.value("T4", "income", "opening", "amount") == prior.value(
        "T4", "expense", "closing", "total")
    for t in ("T8", "T9"):
        for row in ds.rows[(t, "main")]:
            assert ds.value(t, "main", row, "opening") == prior.value(t, "main", row, "closing")


def _read(path: Path) -> dict[str, Grid]:
    return {g.name: g for g in read_workbook(path)}


def _cell(grids: dict[str, Grid], sheet: str, a1: str) -> object:
    return grids[sheet].value(*from_a1(a1))


def _as_decimal(value: object) -> Decimal | None:
    """A cell as the user sees it: blank -> None, '-' -> 0, text with separators -> number."""
    if value is None or value == "":
        return None
    if value == "-":
        return Decimal("0.00")
    if isinstance(value, str):
        return Decimal(value.replace(",", ""))
    return Decimal(repr(float(value)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", [0, 3, 8])
def test_layout_reads_back_at_the_recorded_cells(tmp_path: Path, layout: str, seed: int) -> None:
    ds = generate(seed)
    sample = write(ds, tmp_path / f"{layout}.xlsx", layout)
    grids = _read(sample.path)
    assert set(sample.cells) == set(ds.amount_keys())
    for key, (sheet, a1) in sample.cells.items():
        got = _as_decimal(_cell(grids, sheet, a1))
        assert got == sample.shown[key], (key, sheet, a1)
        if got is not None:
            unit = 1 if sample.units[key[0]] == "元" else 10000
            assert got == _shown(ds.yuan[key], unit), key
    for (table, _block, row), (sheet, a1) in sample.labels.items():
        text = str(_cell(grids, sheet, a1))
        if row.isdigit():
            assert text.strip("\u3000").endswith(ds.names[row]), (table, row, text)
    for table, (sheet, a1) in sample.titles.items():
        assert _cell(grids, sheet, a1) == TITLES[table]


def test_shanghai_layout(tmp_path: Path) -> None:
    ds = generate(3)
    sample = write(ds, tmp_path / "s.xlsx", "shanghai")
    grids = _read(sample.path)
    assert list(grids) == list(TITLES.values())
    t2 = grids[sample.sheets["T2"]]
    assert t2.text(1, 0) == "编制单位：" + ds.organisation
    assert t2.text(1, t2.width - 1) == "单位：万元"
    assert (0, 0, 0, t2.width - 1) in t2.merges  # title across the table
    # 合计 first in T2, last in T5; codes in one column as text.
    assert from_a1(sample.labels[("T2", "main", "total")][1])[0] < min(
        from_a1(sample.labels[("T2", "main", c)][1])[0] for c in ds.rows[("T2", "main")][1:])
    t5_rows = {r: from_a1(a1)[0] for (t, _b, r), (_s, a1) in sample.labels.items() if t == "T5"}
    assert t5_rows["total"] == max(t5_rows.values())
    leaf = next(c for c in ds.rows[("T2", "main")] if len(c) == 7)
    assert leaf in {v for row in t2.rows for v in row}
    # T7 interleaved: 预算数, 决算数 per item on one header row, one data row of 12 numbers.
    t7 = grids[sample.sheets["T7"]]
    data_row = from_a1(sample.cells[("T7", "main", "total", "total_budget")][1])[0]
    assert [t7.text(data_row - 1, c) for c in range(4)] == ["预算数", "决算数", "预算数", "决算数"]
    assert t7.text(data_row - 3, 0) == "合计"
    # The body of T3 lists numbers stored as numbers.
    sheet, a1 = sample.cells[("T3", "main", "total", "total")]
    assert isinstance(_cell(grids, sheet, a1), float)


def test_central_layout(tmp_path: Path) -> None:
    ds = generate(3)
    sample = write(ds, tmp_path / "c.xlsx", "central")
    grids = _read(sample.path)
    assert list(grids) == [f"公开{i:02d}表" for i in range(1, 10)]
    t2 = grids["公开02表"]
    assert t2.text(0, t2.width - 1) == "公开02表"
    assert t2.text(2, t2.width - 1) == "金额单位：万元"
    assert [t2.text(5, c) for c in range(3)] == ["类", "款", "项"]
    assert t2.text(6, 0) == "栏次" and t2.text(6, 4) == "1"
    leaf = next(c for c in ds.rows[("T2", "main")] if len(c) == 7)
    row = from_a1(sample.labels[("T2", "main", leaf)][1])[0]
    assert [t2.text(row, c) for c in range(3)] == [leaf[:3], leaf[3:5], leaf[5:]]
    t1 = grids["公开01表"]
    assert "行次" in [t1.text(4, c) for c in range(t1.width)]
    labels = [t1.text(r, 3) for r in range(t1.height)]
    assert "二、外交支出" in labels  # every class listed, with ordinals
    # T7 blocked: six 预算数 columns, then six 决算数.
    assert from_a1(sample.cells[("T7", "main", "total", "total_final")][1])[1] == 6


def test_stacked_layout(tmp_path: Path) -> None:
    texts, dashes = 0, 0
    for seed in (0, 3, 8):
        ds = generate(seed)
        sample = write(ds, tmp_path / f"t{seed}.xlsx", "stacked")
        grids = _read(sample.path)
        assert list(grids) == ["封面", "说明", "决算公开表"]
        assert set(sample.sheets.values()) == {"决算公开表"}
        sheet = grids["决算公开表"]
        values = [v for row in sheet.rows for v in row]
        assert "单位：元" in values and f"{ds.year}年度部门决算" in grids["封面"].rows[1]
        texts += sum(isinstance(v, str) and "," in v for v in values)
        dashes += values.count("-")
        assert sample.units["T6"] == "元"
        key = ("T6", "main", "personnel_total", "amount")
        assert sample.shown[key] == Decimal(ds.yuan[key])
        # T7 vertical: one row per item, 预算数 | 决算数.
        r, c = from_a1(sample.cells[("T7", "main", "total", "reception_final")][1])
        assert sheet.text(r, 0) == "公务接待费" and c == 2
    assert texts > 0 and dashes > 0


def test_empty_fund_table_has_its_note(tmp_path: Path) -> None:
    ds = next(d for d in (generate(s) for s in SEEDS) if d.is_empty("T8"))
    sample = write(ds, tmp_path / "e.xlsx", "shanghai")
    grids = _read(sample.path)
    values = [v for row in grids[sample.sheets["T8"]].rows for v in row]
    assert EMPTY_NOTES["T8"] in values
    assert sample.shown[("T8", "main", "total", "income")] is None


def test_layout_options_override_the_preset(tmp_path: Path) -> None:
    sample = write(generate(2), tmp_path / "o.xlsx", "central", sheet_names="number",
                   t7="interleaved")
    assert list(_read(sample.path)) == [f"表{i}" for i in range(1, 10)]
    with pytest.raises(ValueError, match="未知的版式"):
        write(generate(2), tmp_path / "x.xlsx", "beijing")
    with pytest.raises(ValueError, match="未知的版式选项：colour"):
        write(generate(2), tmp_path / "x.xlsx", "central", colour="red")
    with pytest.raises(ValueError, match="t7"):
        write(generate(2), tmp_path / "x.xlsx", "central", t7="diagonal")
    # Every preset can take every grouping of T7 and T6 and still reads back exactly.
    ds = generate(2)
    for layout, t7, blocks in (("stacked", "interleaved", 3), ("shanghai", "vertical", 3),
                               ("central", "vertical", 2)):
        sample = write(ds, tmp_path / f"{layout}-{t7}.xlsx", layout, t7=t7, t6_blocks=blocks)
        grids = _read(sample.path)
        for key in ds.amount_keys("T7") + ds.amount_keys("T6"):
            assert _as_decimal(_cell(grids, *sample.cells[key])) == sample.shown[key], key


def test_inject_changes_values_and_keeps_formats(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sample = write(generate(5), tmp_path / "clean.xlsx", "shanghai")
    sheet, a1 = sample.cells[("T3", "main", "total", "basic")]
    inject(sample.path, tmp_path / "bad.xlsx", [(sheet, a1, 123.45)])
    assert _as_decimal(_cell(_read(tmp_path / "bad.xlsx"), sheet, a1)) == Decimal("123.45")
    assert load_workbook(tmp_path / "bad.xlsx")[sheet][a1].number_format == "#,##0.00"
    assert _cell(_read(sample.path), sheet, a1) != 123.45  # the input is untouched
    with pytest.raises(ValueError, match="合并区域"):
        inject(sample.path, tmp_path / "bad2.xlsx", [(sheet, "B1", 1)])
    with pytest.raises(ValueError, match="没有工作表"):
        inject(sample.path, tmp_path / "bad3.xlsx", [("无此表", "A1", 1)])


def test_sample_command(tmp_path: Path) -> None:
    from xlbudget.cli import main

    out, prior = tmp_path / "a.xlsx", tmp_path / "a-prior.xlsx"
    args = ["sample", str(out), "--layout", "central", "--seed", "9", "--prior", str(prior)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and str(prior) in result.output
    assert next(iter(_read(out))) == "公开01表"
    assert "2022年度" in _read(prior)["公开01表"].rows[2]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "已存在" in again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
    for bad, message in (([str(tmp_path / "a.xls")], ".xlsx"),
                         ([str(tmp_path / "无此目录" / "a.xlsx")], "不存在"),
                         ([str(tmp_path / "b.xlsx"), "--prior", str(tmp_path / "b.xlsx")],
                          "不能与输出文件相同"),
                         ([str(tmp_path / "c.xlsx"), "--layout", "beijing"], "beijing")):
        result = CliRunner().invoke(main, ["sample", *bad])
        assert result.exit_code == 2 and message in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)



def test_error_workbook_differs_from_its_clean_twin_exactly_at_the_listed_cells(
        tmp_path: Path) -> None:
    from xlbudget.generate.samples import ERRORS, ERRORS_SEED, build, mistype, swap_digits

    build(tmp_path)
    clean = _read(tmp_path / "sample-errors-clean.xlsx")
    bad = _read(tmp_path / "sample-errors.xlsx")
    diffs = {}
    for name, g in clean.items():
        for r in range(max(g.height, bad[name].height)):
            for c in range(max(g.width, bad[name].width)):
                if g.value(r, c) != bad[name].value(r, c):
                    diffs[(name, to_a1(r, c))] = (g.value(r, c), bad[name].value(r, c))
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    listed = [line.strip("| ").split(" | ") for line in readme.splitlines()
              if line.startswith("| ") and line[2].isdigit()]
    assert 5 <= len({row[0] for row in listed}) == len(ERRORS) <= 8
    assert {(row[2], row[3]) for row in listed} == set(diffs)

    def as_listed(value: object) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    for _n, _what, sheet, cell, wrong, right, *_ in listed:
        assert tuple(map(as_listed, diffs[(sheet, cell)])) == (right, wrong)
    # Error 2 is unique only through X16: the other two candidates fall below their T6 item.
    ds = generate(ERRORS_SEED)
    gap = ds.shown(("T7", "main", "total", "reception_final"))
    for item, t7_col in (("30212", "abroad_final"), ("30217", "reception_final")):
        t6 = ds.shown(("T6", "main", item, "amount")) if item in ds.names else Decimal(0)
        assert ds.shown(("T7", "main", "total", t7_col)) - gap < t6
    assert mistype(Decimal("1370.68")) == Decimal("1870.68")
    assert swap_digits(Decimal("286.94")) == Decimal("268.94")
    # The committed workbooks/ are this build (values and README), so they never go stale.
    repo = Path(__file__).resolve().parents[1] / "workbooks"
    assert (repo / "README.md").read_text(encoding="utf-8") == readme
    for path in sorted(tmp_path.glob("*.xlsx")):
        rebuilt = {n: g.rows for n, g in _read(path).items()}
        assert {n: g.rows for n, g in _read(repo / path.name).items()} == rebuilt, path.name


def test_reproducible_files_carry_no_build_time(tmp_path: Path) -> None:
    import zipfile

    from xlbudget.generate.samples import reproducible

    sample = write(generate(2), tmp_path / "r.xlsx", "shanghai")
    before = {n: g.rows for n, g in _read(sample.path).items()}
    reproducible(sample.path, 2023)
    with zipfile.ZipFile(sample.path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 8, 31, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert core.count("2024-08-31T00:00:00Z") == 2
    assert {n: g.rows for n, g in _read(sample.path).items()} == before
