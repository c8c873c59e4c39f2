"""The strict form of "the broken cell is reported": pinned by a finding's own cell, never
merely listed among another finding's related cells."""

from __future__ import annotations

from collections.abc import Sequence

from xlbudget.findings import Finding
from xlbudget.model import CellRef


def assert_pinned(findings: Sequence[Finding], broken: CellRef, identifiable: bool) -> None:
    """``findings`` (the non-info ones) report the single ``broken`` cell as a finding's own
    cell, and no other cell is named with certainty. When an error there is identifiable (see
    ``identifiable_cells``) it is the one certain finding; otherwise it may still be certain (a
    failing inequality, e.g. a sign flip, can tell it apart) or be one of the candidate
    findings (certain false) of a tie."""
    seen = [(f.rule, f.sheet, f.cell, f.certain) for f in findings]
    assert broken in {CellRef(f.sheet, f.cell) for f in findings}, (str(broken), seen)
    certain = [CellRef(f.sheet, f.cell) for f in findings if f.certain]
    if identifiable:
        assert certain == [broken], seen
    else:
        assert set(certain) <= {broken}, seen
