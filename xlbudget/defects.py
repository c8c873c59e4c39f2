"""Which certain corrections are one defect: the engine links them through the identities
(see :mod:`xlbudget.findings` for how findings are counted as problems)."""

from __future__ import annotations

from collections.abc import Iterable

from xlbudget.findings import DisjointSets, Finding
from xlbudget.rules.identity import Identity


def link(findings: list[Finding], identities: Iterable[Identity]) -> None:
    """Set ``extra["defect"]`` on certain corrections whose cells share an identity that holds
    as shown (their errors cancel there, so they were made together)."""
    fixes = {(f.sheet, f.cell): i for i, f in enumerate(findings)
             if f.certain and f.expected is not None and f.sheet and f.cell
             and f.severity == "error"}
    if len(fixes) < 2:
        return
    union = DisjointSets(len(findings))
    for ident in identities:
        if ident.fails:
            continue
        hit = [fixes[k] for t in ident.terms if (k := (t.amount.ref.sheet, t.amount.ref.cell))
               in fixes]
        for j in hit[1:]:
            union.join(hit[0], j)
    groups: dict[int, list[int]] = {}
    for i in fixes.values():
        groups.setdefault(union.find(i), []).append(i)
    n = 0
    for members in groups.values():
        if len(members) > 1:
            n += 1
            for i in members:
                findings[i].extra["defect"] = n
