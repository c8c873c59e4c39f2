"""Translate identities into the mixed-integer program of Fellegi–Holt error localisation.

For every cell i of a group of identities let d_i be its change and z_i ∈ {0, 1} say whether it
is changed. An unchanged cell may still move inside its rounding band (|d_i| ≤ h_i: a shown
value stands for an interval); a changed cell is free within a big-M bound taken from the data:

    d_i − M_i z_i ≤ h_i,    −d_i − M_i z_i ≤ h_i,

and each identity Σ c_j·x_j (= | ≤) 0 with x_j = v_j + d_j becomes Σ c_j·d_j (= | ≤) −Σ c_j·v_j.
Minimising Σ w_i·z_i gives a minimum-weight set of cells whose change makes every identity hold
(errorlocate's model, there in ``mip_rule.R``/``linear.R``).

Amounts are in 元 as Decimal; the program works in floats, so every quantity is divided by one
unit per system (the smallest shown step, e.g. 100 元 for 0.01 万元): rounding bands become
about 0.5 and totals of tables in 万元 stay below ~1e8, well inside the solver's tolerances. A
system that mixes a table in 元 with tables in 万元 takes the 元 step, so its 万元 totals reach
~1e10 units; there the check that a cell moved beyond its band counts as changed
(:meth:`System.moved`) and the exact verification in Decimal guard against tolerance
effects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from scipy.sparse import csr_array, diags_array, eye_array, hstack, vstack

from xlbudget.locate.solver import Program
from xlbudget.model import Amount, CellRef
from xlbudget.rules.identity import Identity, Term

#: A change smaller than this (in units, beyond the band) is solver noise, not a change.
NOISE = 1e-6


@dataclass(slots=True)
class System:
    """Identities over a set of cells, ready to become a program.

    ``cells[i]`` is the first Amount seen for a cell; equal refs are one variable.
    ``coefs[k]`` maps the cell indexes of identity k to their (summed) coefficients.
    """

    identities: list[Identity]
    cells: list[Amount]
    index: dict[CellRef, int]
    coefs: list[dict[int, int]]
    unit: Decimal
    value: np.ndarray
    band: np.ndarray
    residual: np.ndarray
    big_m: np.ndarray
    #: identity indexes per cell
    by_cell: list[list[int]] = field(default_factory=list)
    #: whether each identity fails as shown
    failing: list[bool] = field(default_factory=list)
    _rows: tuple | None = None
    _base: tuple | None = None

    @classmethod
    def build(cls, identities: Sequence[Identity]) -> System:
        cells: list[Amount] = []
        index: dict[CellRef, int] = {}
        coefs: list[dict[int, int]] = []
        for ident in identities:
            row: dict[int, int] = {}
            for t in ident.terms:
                i = index.get(t.amount.ref)
                if i is None:
                    i = index[t.amount.ref] = len(cells)
                    cells.append(t.amount)
                row[i] = row.get(i, 0) + t.coef
            coefs.append({i: c for i, c in row.items() if c})
        steps = [2 * a.half_band_yuan for a in cells if a.half_band_yuan > 0]
        unit = min(steps) if steps else Decimal(1)
        value = np.array([float(a.yuan / unit) for a in cells])
        band = np.array([float(a.half_band_yuan / unit) for a in cells])
        residual = np.array([
            float(sum((c * cells[i].yuan for i, c in row.items()), Decimal(0)) / unit)
            for row in coefs
        ])
        by_cell: list[list[int]] = [[] for _ in cells]
        for k, row in enumerate(coefs):
            for i in row:
                by_cell[i].append(k)
        system = cls(list(identities), cells, index, coefs, unit, value, band, residual,
                     np.zeros(len(cells)), by_cell, [i.fails for i in identities])
        system.big_m = system._big_m()
        return system

    @property
    def n(self) -> int:
        return len(self.cells)

    @property
    def lp_band(self) -> np.ndarray:
        """The bands as the programs use them: a shown value's interval is closed, and a sum
        that reaches its tolerance exactly holds (``Identity.fails``); floats summing totals of
        ~1e8 units miss that edge by ~1e-8, so each band gets NOISE more. Every repair is
        verified exactly in Decimal afterwards."""
        return self.band + NOISE

    def _big_m(self) -> np.ndarray:
        """A bound on any plausible change of each cell, from the data.

        Changing cell i alone to satisfy identity k moves it by at most the sum of the other
        magnitudes in k plus its own; doubling that leaves room for a second change in the same
        identity. A program that is infeasible under these bounds is re-solved with
        :meth:`widen` (one bound for all).
        """
        size = np.abs(self.value) + self.band
        m = np.zeros(self.n)
        for row in self.coefs:
            total = sum(abs(c) * size[i] for i, c in row.items())
            for i in row:
                m[i] = max(m[i], total)
        return 2 * (m + size) + 1

    def widen(self) -> None:
        """Give every cell the bound of the largest identity (the fallback of :meth:`_big_m`)."""
        bound = 2 * float(self.big_m.max()) + 2 * float(np.abs(self.value).sum())
        self.big_m = np.full(self.n, bound)
        self._base = None

    def _identity_rows(self, width: int):
        """Identity rows over the first ``n`` of ``width`` variables, with their bounds."""

        if self._rows is None:
            rows, cols, data, lo, hi = [], [], [], [], []
            for k, row in enumerate(self.coefs):
                for i, c in row.items():
                    rows.append(k)
                    cols.append(i)
                    data.append(float(c))
                lo.append(-np.inf if self.identities[k].op == "<=" else -self.residual[k])
                hi.append(-self.residual[k])
            a = csr_array((data, (rows, cols)), shape=(len(self.coefs), self.n))
            self._rows = (a, np.array(lo), np.array(hi))
        a, lo, hi = self._rows
        if width > self.n:
            a = hstack([a, csr_array((a.shape[0], width - self.n))], format="csr")
        return a, lo, hi

    def common_cells(self) -> list[int]:
        """The cells that appear in every failing identity."""
        rows = [set(row) for k, row in enumerate(self.coefs) if self.failing[k]]
        return sorted(set.intersection(*rows)) if rows else []

    def packing_bound(self, weights: np.ndarray) -> float:
        """A cheap lower bound on the hitting set: failing identities without a common cell
        (taken greedily) each need a cell of their own."""
        used: set[int] = set()
        bound = 0.0
        for k, row in enumerate(self.coefs):
            if self.failing[k] and not used.intersection(row):
                used.update(row)
                bound += float(min(weights[i] for i in row))
        return bound

    def hitting_set(self, weights: np.ndarray) -> Program:
        """The cheapest set of cells meeting every failing identity: a lower bound on any
        repair (a failing identity cannot hold while all its cells stay in their bands)."""

        failing = [row for k, row in enumerate(self.coefs) if self.failing[k]]
        rows = [k for k, row in enumerate(failing) for _ in row]
        cols = [i for row in failing for i in row]
        a = csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(failing), self.n))
        return Program(c=weights, integrality=np.ones(self.n), lb=np.zeros(self.n),
                       ub=np.ones(self.n), A=a, b_l=np.ones(len(failing)),
                       b_u=np.full(len(failing), np.inf))

    def localisation(self, weights: np.ndarray, *, cap: float | None = None,
                     cuts: Iterable[Collection[int]] = (),
                     unchanged: Collection[int] = ()) -> Program:
        """The program over ``[d, z]``: minimum total weight of changed cells.

        ``cap`` bounds the total weight (to enumerate repairs of the optimal weight), ``cuts``
        excludes change sets already found (no-good cuts), ``unchanged`` forbids changing cells.
        """

        n = self.n
        if self._base is None:
            ident, lo, hi = self._identity_rows(2 * n)
            m = diags_array(self.big_m)
            eye = eye_array(n)
            self._base = (vstack([ident, hstack([eye, -m]), hstack([-eye, -m])], format="csr"),
                          np.concatenate([lo, np.full(2 * n, -np.inf)]),
                          np.concatenate([hi, self.lp_band, self.lp_band]))
        base, base_l, base_u = self._base
        blocks, b_l, b_u = [base], [base_l], [base_u]
        extra = []
        if cap is not None:
            extra.append((weights, cap))
        for s in cuts:
            v = np.zeros(n)
            v[list(s)] = 1.0
            extra.append((v, len(s) - 1.0))
        if extra:
            blocks.append(csr_array(np.array([np.concatenate([np.zeros(n), v]) for v, _ in extra])))
            b_l.append(np.full(len(extra), -np.inf))
            b_u.append(np.array([b for _, b in extra]))
        z_ub = np.ones(n)
        z_ub[list(unchanged)] = 0.0
        return Program(
            c=np.concatenate([np.zeros(n), weights]),
            integrality=np.concatenate([np.zeros(n), np.ones(n)]),
            lb=np.concatenate([self._floor(), np.zeros(n)]),
            ub=np.concatenate([self.big_m, z_ub]),
            A=vstack(blocks, format="csr"),
            b_l=np.concatenate(b_l),
            b_u=np.concatenate(b_u),
        )

    def flagged(self, x: np.ndarray) -> frozenset[int]:
        """The cells a solution of :meth:`localisation` marks as changed."""
        return frozenset(int(i) for i in np.flatnonzero(x[self.n:] > 0.5))

    def moved(self, x: np.ndarray) -> frozenset[int]:
        """The cells a solution moves beyond their band (flagged or not: the solver accepts a
        flag within its integrality tolerance of 0, which lets the cell move by that fraction
        of its big-M bound)."""
        d = x[:self.n]
        return frozenset(int(i) for i in np.flatnonzero(
            np.abs(d) > self.band + NOISE * np.maximum(1.0, self.band)))

    def _bounds(self, changed: Collection[int]) -> tuple[np.ndarray, np.ndarray]:
        free = np.zeros(self.n, dtype=bool)
        free[list(changed)] = True
        ub = np.where(free, self.big_m, self.lp_band)
        return np.where(free, self._floor(), -self.lp_band), ub

    def _floor(self) -> np.ndarray:
        """The lowest change of each cell: a cell shown ≥ 0 is not repaired to a negative.

        Final-accounts amounts are money received, spent or carried over; a negative figure is
        itself an error (T7-c says so for 三公). Without this bound a detail row that copied
        its class total would be "repaired" by driving two sibling rows negative, a cheaper
        but absurd change. The floor is the bottom of the cell's rounding band, as in the
        confrontation (``Identity.fails``), so that both judge the same identities as holding;
        a repaired value that would then show below zero (-0.01) is refused when the repair is
        verified (``Search._verified``). Cells shown negative stay free (the sign may be
        what is wrong).
        """
        return np.where(self.value >= 0, np.maximum(-self.big_m, -(self.value + self.band)),
                        -self.big_m)

    def closest(self, changed: Collection[int]) -> Program:
        """The LP over ``[d, t]`` that keeps the unchanged cells as near their shown values as
        the identities allow (min Σ|d_j|, t_j ≥ |d_j|); the changed cells are free."""

        n = self.n
        keep = [i for i in range(n) if i not in set(changed)]
        ident, lo, hi = self._identity_rows(2 * n)
        k = len(keep)
        r = np.arange(k)
        # rows t_j - d_j >= 0 and t_j + d_j >= 0 for each kept cell j
        pos = csr_array((np.concatenate([-np.ones(k), np.ones(k)]),
                         (np.concatenate([r, r]), np.concatenate([keep, np.add(keep, n)]))),
                        shape=(k, 2 * n))
        neg = csr_array((np.ones(2 * k), (np.concatenate([r, r]),
                                          np.concatenate([keep, np.add(keep, n)]))),
                        shape=(k, 2 * n))
        d_lb, d_ub = self._bounds(changed)
        t_ub = np.zeros(n)
        t_ub[keep] = self.lp_band[keep]
        return Program(
            c=np.concatenate([np.zeros(n), np.ones(n)]),
            integrality=np.zeros(2 * n),
            lb=np.concatenate([d_lb, np.zeros(n)]),
            ub=np.concatenate([d_ub, t_ub]),
            A=vstack([ident, pos, neg], format="csr"),
            b_l=np.concatenate([lo, np.zeros(2 * k)]),
            b_u=np.concatenate([hi, np.full(2 * k, np.inf)]),
        )

    def repair(self, changed: Collection[int], objective: np.ndarray | None = None) -> Program:
        """The LP over ``d`` with ``changed`` free and every other cell in its band: feasible
        exactly when changing ``changed`` can make every identity hold."""
        ident, lo, hi = self._identity_rows(self.n)
        d_lb, d_ub = self._bounds(changed)
        c = np.zeros(self.n) if objective is None else objective
        return Program(c=c, integrality=np.zeros(self.n), lb=d_lb, ub=d_ub, A=ident, b_l=lo, b_u=hi)

    def extreme(self, changed: Collection[int], cell: int, sign: float) -> Program:
        """:meth:`repair` minimising ``sign·d_cell``: its range tells whether the identities
        determine the cell's value."""
        c = np.zeros(self.n)
        c[cell] = sign
        return self.repair(changed, c)

    def shown_value(self, cell: int, change: float) -> Decimal:
        """The value cell ``cell`` takes after ``change`` units, in its own unit (unrounded)."""
        a = self.cells[cell]
        yuan = a.yuan + Decimal(repr(float(change))) * self.unit
        return yuan / a.scale

    def slack(self, cell: int) -> float:
        """How far (in units) rounding alone lets the value of ``cell`` move: the tolerance of
        the identities that hold it."""
        return max((sum(abs(c) * self.band[j] for j, c in self.coefs[k].items())
                    for k in self.by_cell[cell]), default=0.0)


def with_values(identity: Identity, values: dict[CellRef, Decimal]) -> Identity:
    """The identity over the repaired values (an unchanged cell keeps its Amount)."""
    terms = [
        Term(t.coef, replace(t.amount, value=values[t.amount.ref]))
        if t.amount.ref in values else t
        for t in identity.terms
    ]
    target = identity.target
    if target.ref in values:
        target = replace(target, value=values[target.ref])
    return Identity(identity.rule, terms, identity.op, target, identity.text)
