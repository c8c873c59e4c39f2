"""Which findings are one problem (a *defect*), so that reports count problems, not lines.

A finding is one cell; one defect may span several:

- the candidates of one tie (any one of them is wrong: ``certain`` false, each in the others'
  ``related`` cells, same rule) are one defect;
- certain corrections that compensate each other in an identity that holds as shown (a row
  copied from elsewhere: its cells are all wrong, its own total still adds up) are one defect.
  The engine records this as the extra key ``defect`` (same number, same defect), since only it
  sees the identities;
- findings of several rules on the same cell are one defect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xlbudget.findings import SEVERITIES, Finding
from xlbudget.rules.identity import Identity


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def link(findings: list[Finding], identities: Iterable[Identity]) -> None:
    """Set ``extra["defect"]`` on certain corrections whose cells share an identity that holds
    as shown (their errors cancel there, so they were made together)."""
    fixes = {(f.sheet, f.cell): i for i, f in enumerate(findings)
             if f.certain and f.expected is not None and f.sheet and f.cell
             and f.severity == "error"}
    if len(fixes) < 2:
        return
    union = _Union(len(findings))
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


def defect_groups(findings: Sequence[Finding]) -> list[list[Finding]]:
    """The findings grouped into defects, each group in the findings' order, groups ordered by
    their worst severity and then first appearance."""
    union = _Union(len(findings))
    by_cell: dict[tuple[str, str], int] = {}
    by_defect: dict[object, int] = {}
    for i, f in enumerate(findings):
        if f.sheet and f.cell and not f.extra.get("rounding"):
            union.join(by_cell.setdefault((f.sheet, f.cell), i), i)
        if f.extra.get("defect") is not None:
            union.join(by_defect.setdefault(f.extra["defect"], i), i)
    ties: dict[tuple[str, str, str], int] = {}
    for i, f in enumerate(findings):
        if not f.certain and f.expected is not None and f.sheet and f.cell:
            ties[(f.rule, f.sheet, f.cell)] = i
    for i, f in enumerate(findings):
        if (f.rule, f.sheet, f.cell) not in ties:
            continue
        for r in f.related:
            j = ties.get((f.rule, r.get("sheet") or "", r.get("cell") or ""))
            if j is not None:
                union.join(i, j)
    groups: dict[int, list[Finding]] = {}
    for i, f in enumerate(findings):
        groups.setdefault(union.find(i), []).append(f)
    out = list(groups.values())
    out.sort(key=lambda g: min(SEVERITIES.index(f.severity) for f in g))
    for g in out:
        g.sort(key=lambda f: SEVERITIES.index(f.severity))
    return out


def problem_counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Problems per count key (``error``/``warning``/``info``/``explained``, a problem counted
    by its worst finding); rounding notes are no problem and are left out."""
    out: dict[str, int] = {}
    for g in defect_groups([f for f in findings if not f.extra.get("rounding")]):
        out[g[0].count_key] = out.get(g[0].count_key, 0) + 1
    return out
