"""Which cells a single error can be pinned on: the identifiability of the identity structure.

A wrong cell makes every identity that holds it fail (when the error is well outside the
rounding band). Another cell explains the same failures alone only if it sits in exactly the
same identities with proportional coefficients. So a single error in a cell is identifiable
exactly when no other cell shares its signature, the set of (identity, coefficient) pairs over
the error equalities, up to sign. Inequalities are left out: they tell cells apart only when
they fail (a value ≥ 0 check separates a sign flip, not a typo).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from xlbudget.confront import severity_of
from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity


def signatures(identities: Sequence[Identity]) -> dict[CellRef, tuple[tuple[int, int], ...]]:
    """Each cell's error equalities (index into ``identities``) and coefficients, up to sign."""
    rows: dict[CellRef, dict[int, int]] = defaultdict(dict)
    for k, ident in enumerate(identities):
        if ident.op != "=" or severity_of(ident) != "error":
            continue
        for t in ident.terms:
            row = rows[t.amount.ref]
            row[k] = row.get(k, 0) + t.coef
    out = {}
    for ref, row in rows.items():
        items = sorted((k, c) for k, c in row.items() if c)
        if items:
            sign = 1 if items[0][1] > 0 else -1
            out[ref] = tuple((k, c * sign) for k, c in items)
    return out


def identifiable_cells(identities: Sequence[Identity]) -> set[CellRef]:
    """The cells whose single error localisation can name with certainty.

    >>> from decimal import Decimal as D
    >>> from xlbudget.model import Amount
    >>> from xlbudget.rules.identity import Term
    >>> t, a, b = (Amount(D(1), 2, CellRef("表7", c)) for c in ("B7", "C7", "D7"))
    >>> x = Amount(D(1), 2, CellRef("表4", "H9"))
    >>> ids = [Identity("T7-a", [Term(1, t), Term(-1, a), Term(-1, b)], "=", t, ""),
    ...        Identity("X", [Term(1, t), Term(-1, x)], "=", t, "")]
    >>> sorted(r.cell for r in identifiable_cells(ids))  # C7 and D7 are interchangeable
    ['B7', 'H9']
    """
    sig = signatures(identities)
    counts = Counter(sig.values())
    return {ref for ref, s in sig.items() if counts[s] == 1}
