"""Property: a consistent generated workbook gives no error finding; changing one amount cell by
more than its rounding band gives an error finding at that cell (the one certain finding when
the cell is identifiable, else one of the candidates)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pinned import assert_pinned

from xlbudget.engine import analyse, check_file
from xlbudget.locate.identifiable import identifiable_cells
from xlbudget.model import CellRef
from xlbudget.sources.files import read_workbook

LAYOUTS = ("shanghai", "central", "stacked")
_CACHE: dict[str, list] = {}


def _identities(path) -> list:
    if str(path) not in _CACHE:
        _CACHE[str(path)] = analyse(read_workbook(path), str(path)).identities
    return _CACHE[str(path)]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(layout=st.sampled_from(LAYOUTS), seed=st.integers(1, 6))
def test_consistent_workbook_has_no_error(make_sample, layout, seed) -> None:
    r = check_file(make_sample(layout, seed).path)
    assert r.status != "error"
    assert [f for f in r.findings if f.severity == "error"] == []


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(layout=st.sampled_from(LAYOUTS), seed=st.integers(1, 6), pick=st.integers(0, 10**6),
       cents=st.integers(1, 500_000), sign=st.sampled_from([1, -1]))
def test_one_broken_cell_is_reported(make_sample, edit_copy, layout, seed, pick, cents,
                                     sign) -> None:
    sample = make_sample(layout, seed)
    keys = sorted(k for k, v in sample.shown.items() if v is not None)
    key = keys[pick % len(keys)]
    sheet, cell = sample.cells[key]
    unit = Decimal(1) if sample.units[key[0]] == "元" else Decimal("0.01")
    # beyond the widest rounding band of any identity through the cell, so one must fail
    band = max((i.tolerance / i.target.scale for i in _identities(sample.path)
                if any(t.amount.ref.cell == cell and t.amount.ref.sheet == sheet
                       for t in i.terms)), default=Decimal(0))
    delta = max(cents * unit, 2 * band + unit)
    new = sample.shown[key] + sign * delta
    path = edit_copy(sample, [(sheet, cell, float(new))])
    r = check_file(path)
    errors = [f for f in r.findings if f.severity == "error"]
    assert errors, key
    broken = CellRef(sheet, cell)
    assert_pinned(errors, broken, broken in identifiable_cells(_identities(sample.path)))
