"""One search on one system of identities: a minimum repair, its ties (no-good cuts), the cells
certain to be wrong and the values they must take, within a budget of solver calls."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from xlbudget.locate.mip import System, with_values
from xlbudget.locate.solver import Program, Solution, Solver
from xlbudget.locate.weights import cell_weights
from xlbudget.model import CellRef
from xlbudget.rules.identity import round_half_up

#: At most this many minimal repairs are enumerated per group; beyond, certainty is proven
#: cell by cell instead.
MAX_REPAIRS = 40


@dataclass(slots=True)
class Outcome:
    """The localisation of one connected group of identities.

    ``repairs`` are minimal change sets, each mapping a cell index to its expected value (None
    when the identities do not determine it); ``certain`` are the cells in every minimal repair;
    ``complete`` is False when a work limit stopped the listing of ties (then no cell is
    certain); no repair: the failures need more than MAX_EXCESS cells beyond their lower
    bound, or (``limited``) the work limit was reached before a repair was settled.
    """

    system: System
    repairs: list[dict[int, Decimal | None]] = field(default_factory=list)
    certain: frozenset[int] = frozenset()
    complete: bool = True
    limited: bool = False


@dataclass(slots=True)
class Start:
    """A search begun on one system: either finished already (``outcome``) or with its first
    minimum repair ``first`` of weight ``best`` (None: no repair with these cells free)."""

    system: System
    weights: np.ndarray
    fixed: list[int] = field(default_factory=list)
    outcome: Outcome | None = None
    first: frozenset[int] | None = None
    best: float = 0.0


class Search:
    """The searches of one workbook, sharing its budget of solver calls."""

    def __init__(self, solver: Solver, solve_budget: int) -> None:
        self.solver = solver
        self.budget = solve_budget
        #: solves stopped by a work limit so far
        self.limits = 0

    def _solve(self, program: Program) -> Solution:
        if self.budget <= 0:
            self.limits += 1
            return Solution("limit")
        self.budget -= 1
        sol = self.solver.solve(program)
        self.limits += sol.status == "limit"
        return sol

    def start(self, system: System, changeable: set[CellRef] | None) -> Start:
        """The first step on ``system`` with only ``changeable`` cells free (None: all): the
        single-cell repairs when there are some, else one minimum repair."""
        start = Start(system, cell_weights(system.cells))
        if changeable is not None:
            start.fixed = [i for i, a in enumerate(system.cells) if a.ref not in changeable]
        weights = start.weights
        if start.fixed and weights.min() == weights.max():
            singles = self._single_cell_repairs(system, start.fixed)
            if singles:
                start.outcome = Outcome(system, [self._values(system, s) for s in singles],
                                        frozenset.intersection(*singles))
        if start.outcome is None:
            sol = self._solve(system.localisation(weights, unchanged=start.fixed))
            if sol.status == "infeasible" and not start.fixed:
                system.widen()  # the data-derived bounds were too tight
                sol = self._solve(system.localisation(weights))
            if sol.status == "optimal":
                start.first = self._repair_set(system, sol.x)
                start.best = float(weights[list(start.first)].sum())
        return start

    def excess(self, start: Start) -> float | None:
        """How much the first repair costs above the hitting-set bound of its failing
        identities; None when there is no repair with these cells free or no bound within the
        work limit."""
        if start.first is None:
            return None
        bound = start.system.packing_bound(start.weights)
        if start.best > bound + 1e-9:
            sol = self._solve(start.system.hitting_set(start.weights))
            if sol.status != "optimal":
                return None
            bound = sol.objective
        return max(0.0, start.best - bound)

    def finish(self, start: Start) -> Outcome:
        """Every repair as cheap as the first (no-good cuts), what is certain, the values."""
        if start.outcome is not None:
            return start.outcome
        system, weights, fixed = start.system, start.weights, start.fixed
        out = Outcome(system)
        best = start.best
        found = [start.first]
        complete = proven = False
        while len(found) < MAX_REPAIRS:
            cap = best + 1e-6 * max(1.0, best)
            nxt = self._solve(system.localisation(weights, cap=cap, cuts=found, unchanged=fixed))
            if nxt.status == "infeasible":
                complete = proven = True
                break
            if nxt.status != "optimal":
                break
            s = self._repair_set(system, nxt.x)
            if s in found:  # solver noise: the cut did not exclude it; stop enumerating
                break
            weight = float(weights[list(s)].sum())
            if weight < best - 1e-9:
                # An earlier solution carried a change it did not need: start again from here.
                best, found = weight, []
            found.append(s)
        certain = frozenset.intersection(*found)
        if not complete:
            # Too many ties to list: a cell is certain when no optimal repair leaves it alone.
            cap = best + 1e-6 * max(1.0, best)
            statuses = {i: self._solve(system.localisation(
                weights, cap=cap, unchanged=[*fixed, i])).status for i in sorted(certain)}
            proven = all(v in ("infeasible", "optimal") for v in statuses.values())
            certain = frozenset(i for i, v in statuses.items() if v == "infeasible")
        out.certain = certain if proven else frozenset()
        out.complete = proven
        out.repairs = [self._values(system, s) for s in found]
        return out

    def _repair_set(self, system: System, x: np.ndarray) -> frozenset[int]:
        """The cells a solution of the program changes: those it flags, when the LP confirms
        that changing them is enough; otherwise also those it moved beyond their band."""
        flagged = system.flagged(x)
        if self._solve(system.repair(flagged)).status == "optimal":
            return flagged
        return flagged | system.moved(x)

    def _single_cell_repairs(self, system: System, fixed: list[int]) -> list[frozenset[int]]:
        """Every repair that changes one cell, when all cells weigh the same.

        Such a repair is minimal (some cell must change), and its cell lies in every failing
        identity; so the cells common to all failing identities, each checked by the LP solver
        with that cell free and every other cell in its band, are exactly the minimal repairs.
        This spares the mixed-integer search for the usual case of one wrong cell. A cell whose
        recomputed value already makes every identity holding it true exactly (a witness) needs
        no LP: the LP could only confirm it. The LP decides the others.
        """
        out = []
        frozen = set(fixed)
        for i in system.common_cells():
            if i in frozen:
                continue
            value = _direct_value(system, frozenset([i]), i)
            if value is not None and self._verified(system, {i: value}):
                out.append(frozenset([i]))
                continue
            sol = self._solve(system.repair([i]))
            if sol.status == "optimal":
                out.append(frozenset([i]))
        return out

    def _values(self, system: System, changed: frozenset[int]) -> dict[int, Decimal | None]:
        """The value each changed cell must take, rounded to its decimals; None where the
        identities leave it open or the rounded repair does not verify exactly.

        A cell alone among the changed cells of an equality takes the value that equality gives
        with the other cells as shown (what a reader would recompute). Where several equalities
        give it, a copy in another table (an equality of two cells) wins, as it carries the same
        rounding as the original, then the value most of them agree on. Other cells, and any
        repair these values do not verify, take the values of the LP that keeps the unchanged
        cells nearest to their shown values, where the identities determine them.
        """
        order = sorted(changed)
        direct = {i: _direct_value(system, changed, i) for i in order}
        if all(v is not None for v in direct.values()) and self._verified(system, direct):
            return direct
        sol = self._solve(system.closest(order))
        if sol.status != "optimal":
            return dict.fromkeys(order)
        out: dict[int, Decimal | None] = {}
        for i in order:
            if direct[i] is not None or self._determined(system, changed, i):
                out[i] = round_half_up(system.shown_value(i, sol.x[i]), system.cells[i].decimals)
            else:
                out[i] = None
        if any(v is None for v in out.values()):
            return out  # an open value: nothing exact to verify
        return out if self._verified(system, out) else dict.fromkeys(order)

    @staticmethod
    def _verified(system: System, values: dict[int, Decimal | None]) -> bool:
        """Whether every identity touching a changed cell holds, exactly in Decimal."""
        known = {system.cells[i].ref: v for i, v in values.items() if v is not None}
        if any(v < 0 <= (system.cells[i].value or 0) for i, v in values.items()
               if v is not None):
            return False  # a figure shown ≥ 0 is never repaired to a negative, not even -0.01
        touched = sorted({k for i in values for k in system.by_cell[i]})
        return not any(with_values(system.identities[k], known).fails for k in touched)

    def _determined(self, system: System, changed: frozenset[int], cell: int) -> bool:
        # Alone among changed cells in some identity: that identity fixes it up to rounding.
        for k in system.by_cell[cell]:
            if not any(j in changed for j in system.coefs[k] if j != cell):
                return True
        lo = self._solve(system.extreme(changed, cell, 1.0))
        hi = self._solve(system.extreme(changed, cell, -1.0))
        if lo.status != "optimal" or hi.status != "optimal":
            return False
        return hi.x[cell] - lo.x[cell] <= 2 * system.slack(cell) + 1.0


def _direct_value(system: System, changed: frozenset[int], cell: int) -> Decimal | None:
    """The value the equalities in which ``cell`` is the only changed cell give it (see
    ``Search._values``); None when there is none."""
    values: list[tuple[int, Decimal]] = []
    for k in system.by_cell[cell]:
        row = system.coefs[k]
        if system.identities[k].op == "=" and not any(j in changed for j in row if j != cell):
            v = system.identities[k].expected_for(system.cells[cell])
            if v is not None:
                values.append((len(row), v))
    if not values:
        return None
    copies = [v for n, v in values if n == 2]
    pool = copies or [v for _, v in values]
    return Counter(pool).most_common(1)[0][0]
