"""Error localisation on real files: generated sample workbooks with injected errors, saved by
openpyxl and read back through calamine, recognition, the rules and the engine."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlbudget.engine import analyse, check_file
from xlbudget.findings import FileResult
from xlbudget.generate import Sample
from xlbudget.locate.identifiable import identifiable_cells
from xlbudget.model import CellRef
from xlbudget.sources.files import read_workbook

LAYOUTS = ("shanghai", "central", "stacked")
#: conftest's ``edit_copy``: (sample, [(sheet, cell, value), …]) -> path of an edited copy
EditCopy = Callable[..., Path]


class Book:
    """A clean sample and what localisation can know about its cells."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        identities = analyse(read_workbook(str(sample.path)), str(sample.path)).identities
        self.identifiable = identifiable_cells(identities)
        self.tolerance: dict[CellRef, Decimal] = {}
        for ident in identities:
            for t in ident.terms:
                r = t.amount.ref
                self.tolerance[r] = max(self.tolerance.get(r, Decimal(0)),
                                        ident.tolerance / t.amount.scale)

    def ref(self, key: tuple) -> CellRef:
        return CellRef(*self.sample.cells[key])

    def keys(self, identifiable: bool) -> list[tuple]:
        return [k for k, v in self.sample.shown.items() if v not in (None, Decimal(0))
                and (self.ref(k) in self.identifiable) == identifiable]

    def check(self, edit_copy: EditCopy, edits: dict[tuple, Decimal | None],
              **kw: float) -> FileResult:
        """Check a copy of the sample with ``edits`` (amount key -> new value) injected."""
        path = edit_copy(self.sample, [(*self.sample.cells[k], None if v is None else float(v))
                                       for k, v in edits.items()])
        return check_file(path, **kw)


@pytest.fixture(scope="module")
def books(make_sample: Callable[..., Sample]) -> dict[str, Book]:
    return {layout: Book(make_sample(layout, 3)) for layout in LAYOUTS}


def errors(result: FileResult) -> list:
    return [f for f in result.findings if f.severity != "info"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_samples_have_no_findings(books: dict[str, Book], layout: str) -> None:
    assert errors(check_file(books[layout].sample.path)) == []


def assert_repaired(book: Book, edit_copy: EditCopy, key: tuple, result: FileResult) -> None:
    """The injected cell is the one certain finding, and its expected value, written back,
    leaves a workbook without findings (it may differ from the printed original within the
    rounding band of the cell's identities)."""
    [f] = errors(result)
    assert (CellRef(f.sheet, f.cell), f.certain) == (book.ref(key), True)
    assert abs(Decimal(f.expected) - book.sample.shown[key]) <= book.tolerance[book.ref(key)]
    assert errors(book.check(edit_copy, {key: Decimal(f.expected)})) == []


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("key", [("T5", "main", "total", "basic"), ("T1", "expense", "208",
                                                                     "amount"),
                                 ("T7", "main", "total", "vehicle_final"),
                                 ("T3", "main", "2080505", "basic")])
def test_injected_typo_is_the_certain_finding(books: dict[str, Book], edit_copy: EditCopy,
                                              layout: str, key: tuple) -> None:
    book = books[layout]
    assert book.ref(key) in book.identifiable
    result = book.check(edit_copy, {key: book.sample.shown[key] + Decimal("81.30")})
    assert_repaired(book, edit_copy, key, result)
    assert "应为" in result.findings[0].message


@pytest.mark.parametrize("layout", LAYOUTS)
def test_detail_row_copying_its_class_total(books: dict[str, Book], edit_copy: EditCopy,
                                            layout: str) -> None:
    book = books[layout]
    key = ("T3", "main", "20805", "total")
    result = book.check(edit_copy, {key: book.sample.shown[("T3", "main", "208", "total")]})
    assert_repaired(book, edit_copy, key, result)


def test_two_errors_in_two_tables(books: dict[str, Book], edit_copy: EditCopy) -> None:
    book = books["central"]
    a, b = ("T2", "main", "208", "fiscal"), ("T4", "expense", "221", "gpb")
    result = book.check(edit_copy, {a: -book.sample.shown[a], b: book.sample.shown[b] * 10})
    found = {CellRef(f.sheet, f.cell): f for f in errors(result)}
    assert set(found) == {book.ref(a), book.ref(b)}
    assert all(f.certain for f in found.values())
    fixed = {a: Decimal(found[book.ref(a)].expected), b: Decimal(found[book.ref(b)].expected)}
    assert errors(book.check(edit_copy, fixed)) == []


def test_unidentifiable_error_gives_candidates(books: dict[str, Book], edit_copy: EditCopy) -> None:
    book = books["shanghai"]
    key = next(k for k in book.keys(identifiable=False) if k[0] == "T6")
    result = book.check(edit_copy, {key: book.sample.shown[key] + Decimal("12.00")})
    found = errors(result)
    assert len(found) >= 2 and not any(f.certain for f in found)
    assert book.ref(key) in {CellRef(f.sheet, f.cell) for f in found}
    assert all("可能有误" in f.message for f in found)


def test_many_wrong_cells_never_give_a_partial_or_negative_repair(books: dict[str, Book],
                                                                  edit_copy: EditCopy) -> None:
    """Thirty cells tripled: every error finding is either a repair of a settled group or one
    unexplained finding per group (no value, no candidates); no figure shown ≥ 0 is repaired
    to a negative; the same file gives the same findings every time."""
    book = books["stacked"]
    rng = random.Random(5)
    keys = rng.sample(book.keys(identifiable=True), 30)
    edits = {k: book.sample.shown[k] * 3 for k in keys}
    result = book.check(edit_copy, edits)
    found = errors(result)
    assert found
    for f in found:
        if f.extra.get("unexplained"):
            assert f.expected is None and not f.certain
            assert "无法用少数几个单元格解释" in f.message
        elif f.expected is not None and f.actual is not None and Decimal(f.actual) >= 0:
            assert Decimal(f.expected) >= 0, f
    again = book.check(edit_copy, edits)
    assert [x.to_json() for x in again.findings] == [x.to_json() for x in result.findings]


def test_same_json_alone_and_under_load(books: dict[str, Book], edit_copy: EditCopy,
                                        tmp_path: Path) -> None:
    """Work limits, not the clock, decide the results: the JSON of one file is byte for byte
    the same checked alone and with two checks running in parallel beside it."""
    import subprocess
    import sys

    book = books["central"]
    rng = random.Random(11)
    keys = rng.sample(book.keys(identifiable=True) + book.keys(identifiable=False), 6)
    path = edit_copy(book.sample, [(*book.sample.cells[k], float(book.sample.shown[k] * 2 + 1))
                                   for k in keys])
    cmd = [sys.executable, "-m", "xlbudget", "check", str(path), "--format", "json"]
    alone = subprocess.run(cmd, capture_output=True, timeout=300).stdout
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE) for _ in range(3)]
    loaded = [p.communicate(timeout=300)[0] for p in procs]
    assert alone and all(out == alone for out in loaded)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(LAYOUTS), pick=st.integers(0, 10_000),
       kind=st.sampled_from(("typo", "sign", "scale")), digit=st.integers(1, 9))
def test_single_error_property(books: dict[str, Book], edit_copy: EditCopy, layout: str,
                               pick: int, kind: str, digit: int) -> None:
    """Any single error outside the rounding band is found (the injected cell among the
    findings); where the cell is identifiable it is the one certain finding."""
    book = books[layout]
    keys = sorted(book.keys(identifiable=True) + book.keys(identifiable=False))
    key = keys[pick % len(keys)]
    shown = book.sample.shown[key]
    wrong = {"typo": shown + Decimal(digit) * 10, "sign": -shown, "scale": shown * 10}[kind]
    result = book.check(edit_copy, {key: wrong})
    if abs(wrong - shown) <= book.tolerance[book.ref(key)]:
        return  # inside the rounding band: nothing to find
    assert book.ref(key) in {CellRef(f.sheet, f.cell) for f in errors(result)}
    if book.ref(key) in book.identifiable:
        assert_repaired(book, edit_copy, key, result)


def test_a_settled_defect_does_not_freeze_its_neighbours(books: dict[str, Book],
                                                         edit_copy: EditCopy) -> None:
    """A wrong T6 class total and a wrong 三公 item, linked by X16 (T6 item ≤ 三公 item): the
    T6 defect settled first must not keep the 三公 cell around it as shown; both are found,
    certain, with their printed values."""
    book = books["stacked"]
    sample = book.sample
    t6 = ("T6", "main", "302", "amount")
    t7 = ("T7", "main", "total", "vehicle_operation_final")
    edits = {t6: sample.shown[t6] * 10, t7: sample.shown[t7] + Decimal("27.00")}
    result = book.check(edit_copy, edits)
    certain = {CellRef(f.sheet, f.cell): f.expected for f in errors(result) if f.certain}
    for key in edits:
        assert certain.get(book.ref(key)) == f"{sample.shown[key]:.2f}", key
    assert not any(f.extra.get("unexplained") for f in result.findings)
