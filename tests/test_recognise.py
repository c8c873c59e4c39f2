"""Every layout variant is read to the same model: each amount of the generated truth is found at
the address the generator wrote it, under the same table, block, row and column keys."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlbudget.sources.files import read_workbook
from xlbudget.tables.recognise import recognise


def _model_cells(model):
    out = {}
    for t in model.tables.values():
        for r in t.rows:
            for col, a in r.values.items():
                out[(t.key, r.block, r.key or r.code, col)] = a
    return out


VARIANTS = [
    ("shanghai", {}),
    ("central", {}),
    ("stacked", {}),
    ("central", {"sheet_names": "number"}),
    ("shanghai", {"t7": "blocked"}),
    ("shanghai", {"t7": "vertical", "split_codes": True}),
    ("central", {"t7": "interleaved", "t6_blocks": 2, "line_numbers": False}),
    ("stacked", {"t5_total_last": True, "text_numbers": 1.0}),
    # Layouts real publishers use that the presets do not: T4's spending columns under a
    # 本年支出 group on a third header row; label headers merged down so that a sub-header row
    # (合计 | 基本支出 | 项目支出) has blank label cells; empty T8/T9 as blank ruled rows; files
    # without merge information (WPS/HTML exports, Excel on the web).
    ("central", {"t4_spending_group": True}),
    ("shanghai", {"t4_spending_group": True, "merges": False}),
    ("shanghai", {"label_header": "merged", "empty_body": "blank"}),
    ("central", {"label_header": "merged", "empty_body": "blank", "merges": False}),
    ("stacked", {"label_header": "merged", "t4_spending_group": True, "merges": False}),
    ("central", {"income_group": True, "label_header": "merged", "merges": False}),
    ("shanghai", {"income_group": True}),
]


@pytest.mark.parametrize(("layout", "style"), VARIANTS)
@pytest.mark.parametrize("seed", [1, 4, 6])
def test_every_amount_at_its_address(make_sample, layout, style, seed) -> None:
    sample = make_sample(layout, seed, **style)
    model = recognise(read_workbook(sample.path), str(sample.path))
    assert sorted(model.tables) == [f"T{i}" for i in range(1, 10)]
    got = _model_cells(model)
    for key, (sheet, cell) in sample.cells.items():
        assert key in got, f"{key} not recognised ({sheet}!{cell})"
        a = got[key]
        assert (a.ref.sheet, a.ref.cell) == (sheet, cell), key
        shown = sample.shown[key]
        if shown is None:
            assert a.value in (None, Decimal(0)), key
        else:
            assert a.value == shown, key
    # nothing recognised beyond the truth except blank rows a layout prints for every class
    for key, a in got.items():
        if key not in sample.cells:
            assert a.value in (None, Decimal(0)), key


@pytest.mark.parametrize("layout", ["shanghai", "central", "stacked"])
def test_units_years_and_ignored_sheets(make_sample, layout) -> None:
    sample = make_sample(layout, 2)
    model = recognise(read_workbook(sample.path), str(sample.path))
    for key, unit in sample.units.items():
        assert model.tables[key].unit == unit
    assert model.year == sample.dataset.year
    if layout == "stacked":
        assert set(model.ignored_sheets) >= {"封面", "说明"}
    else:
        assert model.ignored_sheets == []


def test_same_model_in_every_layout(make_sample) -> None:
    """The three layouts of one dataset give the same amounts, in 元."""
    models = []
    for layout in ("shanghai", "central", "stacked"):
        s = make_sample(layout, 3)
        m = recognise(read_workbook(s.path), str(s.path))
        models.append({k: a.yuan for k, a in _model_cells(m).items() if a.value})
    assert models[0].keys() == models[1].keys() == models[2].keys()
    for k in models[0]:
        # the stacked layout shows T6 in 元: exact there, rounded to 0.01 万元 elsewhere
        assert abs(models[0][k] - models[2][k]) <= 50, k
        assert models[0][k] == models[1][k], k


@pytest.mark.parametrize(("layout", "style"), VARIANTS)
def test_without_merge_information(make_sample, layout, style) -> None:
    """Excel on the web sends values without merged ranges: group headers (预算数 over six
    columns, 收入/支出 over a block) must still reach the columns under them."""
    sample = make_sample(layout, 2, **style)
    grids = read_workbook(sample.path)
    for g in grids:
        g.merges = []
    got = _model_cells(recognise(grids, str(sample.path)))
    for key, (sheet, cell) in sample.cells.items():
        assert key in got, f"{key} not recognised ({sheet}!{cell})"
        assert (got[key].ref.sheet, got[key].ref.cell) == (sheet, cell), key


@pytest.mark.parametrize("name", ["表5", "公开05表", "C05 一般公共预算财政拨款支出决算表",
                                  "一般公共预算财政拨款支出决算表"[:12]])
def test_sheet_name_when_the_title_is_missing(make_sample, edit_copy, name) -> None:
    """No title cell: the sheet name, in every form seen, names the table."""
    from openpyxl import load_workbook

    sample = make_sample("shanghai", 3)
    sheet, cell = sample.titles["T5"]
    path = edit_copy(sample, [(sheet, cell, None)])
    wb = load_workbook(path)
    wb[sheet].title = name
    wb.save(path)
    model = recognise(read_workbook(path), str(path))
    assert model.tables["T5"].sheet == name
    truth = {k: v for k, v in sample.shown.items() if k[0] == "T5" and v is not None}
    got = _model_cells(model)
    assert all(got[k].value == v for k, v in truth.items())


def test_exports_without_merges_carry_none(make_sample) -> None:
    """The ``merges=False`` family really is a file without merged ranges, not a stripped grid."""
    sample = make_sample("central", 1, merges=False, t4_spending_group=True)
    assert all(not g.merges for g in read_workbook(sample.path))
