"""The verb ``locate``: which cells are wrong and what they should hold (Fellegi–Holt).

All amount cells and all identities of a workbook form one system with rounding intervals. The
engine looks for a minimum-weight set of cells whose change makes every identity hold
(:mod:`xlbudget.locate.mip`, solved by :mod:`xlbudget.locate.solver`), enumerates the other
minimal sets (no-good cuts) to tell a certain cell from candidates, computes each changed cell's
value and verifies the repaired identities exactly in Decimal.

Identities of warning and info rules (inequalities such as X11 that usually hold) never drive
localisation: a failing one is no constraint (it must not make the solver change error-checked
cells to satisfy it), it is reported as it is, unless the repair of the error identities happens
to resolve it. A warning identity that holds is kept as a constraint: the true values satisfy
it, so it never excludes the right repair, and it keeps a repair from creating a new failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from xlbudget.confront import related_cells, severity_of
from xlbudget.findings import Finding
from xlbudget.locate import messages
from xlbudget.locate.mip import System, with_values
from xlbudget.locate.solver import Program, Solution, Solver, get_solver
from xlbudget.locate.weights import cell_weights
from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity, round_half_up

#: At most this many minimal repairs are enumerated per group; beyond, certainty is proven
#: cell by cell instead.
MAX_REPAIRS = 40
#: A failure whose minimum repair changes more than this many cells beyond its lower bound is
#: not a few wrong cells: it is reported as unexplained (a misread table, a wrong rule), never
#: "repaired" by rewriting dozens of cells.
MAX_EXCESS = messages.MAX_EXCESS_CELLS
#: Solver calls one workbook may use (a work limit, so that results never depend on the
#: clock); what is not settled when it runs out is reported as unexplained.
SOLVE_BUDGET = 4000
#: Cells one search may change (a problem-size limit): a few wrong cells need rings of tens
#: of cells; a group that needs hundreds is reported as unexplained without a search.
MAX_CHANGEABLE = 200


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


def locate(identities: list[Identity], *, solve_budget: int = SOLVE_BUDGET) -> list[Finding]:
    """Findings for the failing identities: the cells to change and their values.

    ``identities`` are all identities of a workbook, holding and failing; ``solve_budget``
    bounds the solver calls for the whole workbook. Failures that no change of a few cells
    explains (more than MAX_EXCESS beyond their lower bound) are reported once per group,
    without a cell judged wrong.

    >>> from decimal import Decimal as D
    >>> from xlbudget.model import Amount, CellRef
    >>> from xlbudget.rules.identity import Identity, Term
    >>> a = [Amount(D(v), 2, CellRef("表7", c)) for v, c in (("7.21", "A7"), ("1.00", "B7"),
    ...                                                      ("6.77", "C7"))]
    >>> terms = [Term(1, a[0]), Term(-1, a[1]), Term(-1, a[2])]
    >>> i = Identity("T7-a", terms, "=", a[0], "合计 = 各项")
    >>> [(f.cell, f.expected) for f in locate([i])]  # a tie: each cell is a candidate
    [('A7', '7.77'), ('B7', '0.44'), ('C7', '6.21')]
    """
    return _Localiser(get_solver(), solve_budget).run(identities)


@dataclass(slots=True)
class _Start:
    """A search begun on one system: either finished already (``outcome``) or with its first
    minimum repair ``first`` of weight ``best`` (None: no repair with these cells free)."""

    system: System
    weights: np.ndarray
    fixed: list[int] = field(default_factory=list)
    outcome: Outcome | None = None
    first: frozenset[int] | None = None
    best: float = 0.0


@dataclass(slots=True, eq=False)
class _Group:
    """Failing identities searched together, and the ring searched so far."""

    failing: list[Identity]
    ring: set[CellRef] = field(default_factory=set)
    open: bool = True
    #: the ring stopped growing: the last search was over every cell that could matter
    final: bool = False
    #: the last search hit the work limit
    limited: bool = False
    #: closed without a repair: more than MAX_EXCESS cells beyond the bound, or a work limit
    unexplained: bool = False
    #: the group this one was split from (None: a group of the start)
    parent: _Group | None = None

    def __post_init__(self) -> None:
        self.ring = {t.amount.ref for i in self.failing for t in i.terms}

    @property
    def root(self) -> _Group:
        return self if self.parent is None else self.parent.root


class _Localiser:
    def __init__(self, solver: Solver, solve_budget: int) -> None:
        self.solver = solver
        self.budget = solve_budget
        #: solves stopped by a work limit so far
        self.limits = 0
        self.pool: list[Identity] = []
        self.frozen: set[CellRef] = set()
        self.outcomes: list[Outcome] = []

    def _solve(self, program: Program) -> Solution:
        if self.budget <= 0:
            self.limits += 1
            return Solution("limit")
        self.budget -= 1
        sol = self.solver.solve(program)
        self.limits += sol.status == "limit"
        return sol

    def run(self, identities: Sequence[Identity]) -> list[Finding]:
        judged = [i for i in identities
                  if i.terms and not any(t.amount.unknown for t in i.terms)]
        hard: list[Identity] = []
        soft_failing: list[Identity] = []
        failing: list[Identity] = []
        for ident in judged:
            fails = ident.fails
            if severity_of(ident) == "error" or not fails:
                hard.append(ident)
                if fails:
                    failing.append(ident)
            else:
                soft_failing.append(ident)
        outcomes = self._localise_all(hard, failing) if failing else []
        return _Findings(soft_failing, outcomes).build()

    def _localise_all(self, hard: list[Identity], failing: list[Identity]) -> list[Outcome]:
        """Localise near the failures, widening ring by ring where needed.

        In a minimal repair every changed cell is linked to a failing identity through
        identities whose cells are changed too (a cluster of changes touching no failing
        identity could be undone). Let ring 1 be the cells of the failing identities and ring
        k+1 add the cells sharing an identity with ring k. Every repair changes a cell of each
        failing identity, so it costs at least the cheapest hitting set H of those identities;
        a repair that changes a cell outside ring k also changes a chain of at least k cells
        outside ring 1, so it costs at least H + k. Hence a repair found with only ring-k cells
        changeable that costs at most H + k − 1 is minimal, and so are all its ties, which the
        restricted search then lists completely.

        The failing identities start in groups: those the identities touching ring 1 link.
        A group is searched with the failing identities of the other open groups left out and
        their cells kept as shown. A group not explained jointly is split into its defects
        (failing identities sharing cells), each searched alone, so that one failure nothing
        explains (a misread table, a wrong rule) holds back no other. A settled group is kept:
        its failing identities leave the pool and its cells are not changed by later searches.
        A group not settled on ring MAX_EXCESS + 1 (or on the ring where it stops growing)
        needs more than MAX_EXCESS cells beyond its bound: it is reported once, unexplained.
        The whole workbook is never searched at once.
        """
        self.pool = list(hard)
        self.frozen = set()
        self.outcomes = []
        ring = {t.amount.ref for i in failing for t in i.terms}
        groups = [_Group([i for i in part if i.fails])
                  for part in _components(_touching(hard, ring))]
        for allowance in range(MAX_EXCESS + 1):
            for group in list(groups):
                if not group.open:
                    continue
                if self._search(group, groups, allowance):
                    continue
                if len(_components(group.failing)) > 1:
                    # Jointly not explained: try each defect alone, so that one failure
                    # nothing explains does not hold back the others.
                    parts = [_Group(c, parent=group) for c in _components(group.failing)]
                    group.open = False
                    at = groups.index(group)
                    groups[at:at + 1] = parts
                    for part in parts:
                        part.ring = self._grown(part.ring, groups, part, allowance)
                        self._search(part, groups, allowance, grow=False)
        # What stays unexplained is reported once per group; defects split from one group
        # that all stay unexplained are reported as that group.
        left = [g for g in groups if g.open or g.unexplained]
        roots: dict[int, list[_Group]] = {}
        for g in groups:
            roots.setdefault(id(g.root), []).append(g)
        done: set[int] = set()
        for g in left:
            family = roots[id(g.root)]
            if all(m.open or m.unexplained for m in family) and len(family) > 1:
                if id(g.root) in done:
                    continue
                done.add(id(g.root))
                g = g.root
                g.limited = any(m.limited for m in family)
            self.outcomes.append(Outcome(System.build(g.failing), limited=g.limited))
        return self.outcomes

    def _grown(self, ring: set[CellRef], groups: list[_Group], group: _Group,
               times: int) -> set[CellRef]:
        base = self._base(groups, group)
        for _ in range(times):
            ring = {t.amount.ref for i in _touching(base, ring) for t in i.terms}
        return ring

    def _base(self, groups: list[_Group], group: _Group) -> list[Identity]:
        """The pool without the failing identities of the other unsettled groups (open, or
        given up as unexplained)."""
        hidden = {id(i) for o in _unsettled(groups, group) for i in o.failing}
        return [i for i in self.pool if id(i) not in hidden]

    def _search(self, group: _Group, groups: list[_Group], allowance: int,
                grow: bool = True) -> bool:
        """Search ``group`` on its ring (grown once first unless ``grow`` is False); settle it
        when the repair is proven minimal within the allowance, close it as unexplained when
        the allowance is spent or its ring stopped growing. True when it was settled."""
        base = self._base(groups, group)
        if allowance and grow:
            wider = {t.amount.ref for i in _touching(base, group.ring) for t in i.terms}
            group.final = wider == group.ring
            group.ring = wider
        blocked = self.frozen | {t.amount.ref for o in _unsettled(groups, group)
                                 for i in o.failing for t in i.terms}
        part = _touching(base, group.ring)
        changeable = group.ring - blocked
        last = group.final or allowance == MAX_EXCESS
        if len(changeable) > MAX_CHANGEABLE:
            group.limited = True
            start, excess = None, None
        else:
            limits = self.limits
            start = self._start(System.build(part), changeable)
            excess = 0.0 if start.outcome is not None else self._excess(start)
            group.limited = self.limits > limits
        if start is not None and excess is not None and \
                excess <= (MAX_EXCESS if last else allowance) + 1e-9:
            outcome = self._finish(start)
            self.outcomes.append(outcome)
            group.open = False
            # The cells this search could change are decided; the cells around them were only
            # assumed as shown, and may still be another group's wrong cells.
            self.frozen |= changeable
            # Its failures are explained, and so is every identity a repair of it changes:
            # later searches must not hold other groups to this group's wrong shown values.
            changed = {start.system.cells[i].ref for r in outcome.repairs for i in r}
            settled = {id(i) for i in group.failing}
            self.pool = [i for i in self.pool if id(i) not in settled
                         and not any(t.amount.ref in changed for t in i.terms)]
            return True
        if last:
            group.open = False
            group.unexplained = True
        return False

    def _start(self, system: System, changeable: set[CellRef] | None) -> _Start:
        """The first step on ``system`` with only ``changeable`` cells free (None: all): the
        single-cell repairs when there are some, else one minimum repair."""
        start = _Start(system, cell_weights(system.cells))
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

    def _excess(self, start: _Start) -> float | None:
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

    def _finish(self, start: _Start) -> Outcome:
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
    ``_Localiser._values``); None when there is none."""
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


def _unsettled(groups: list[_Group], but: _Group) -> list[_Group]:
    """The groups other than ``but`` that are open or were given up as unexplained."""
    return [o for o in groups if (o.open or o.unexplained) and o is not but]


def _touching(identities: list[Identity], cells: set[CellRef]) -> list[Identity]:
    """The identities that hold at least one of ``cells``."""
    return [i for i in identities if any(t.amount.ref in cells for t in i.terms)]


def _components(identities: list[Identity]) -> list[list[Identity]]:
    """Connected groups of identities (sharing cells), in input order."""
    parent: dict[CellRef, CellRef] = {}

    def find(r: CellRef) -> CellRef:
        while parent.setdefault(r, r) != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for ident in identities:
        root = find(ident.terms[0].amount.ref)
        for t in ident.terms[1:]:
            other = find(t.amount.ref)
            if other != root:
                parent[other] = root
    groups: dict[CellRef, list[Identity]] = {}
    for ident in identities:
        groups.setdefault(find(ident.terms[0].amount.ref), []).append(ident)
    return list(groups.values())


class _Findings:
    """Turns outcomes into findings, one per changed cell, plus what could not be located."""

    def __init__(self, soft_failing: list[Identity], outcomes: list[Outcome]) -> None:
        self.soft_failing = soft_failing
        self.outcomes = outcomes
        # The first repair of every group, to see which failing warnings it resolves.
        self.repaired: dict[CellRef, Decimal] = {}
        for o in outcomes:
            if o.repairs:
                for i, v in o.repairs[0].items():
                    if v is not None:
                        self.repaired[o.system.cells[i].ref] = v
        self.resolved = [i for i in soft_failing
                         if any(t.amount.ref in self.repaired for t in i.terms)
                         and not with_values(i, self.repaired).fails]

    def build(self) -> list[Finding]:
        out: list[Finding] = []
        for o in self.outcomes:
            if o.repairs:
                out.extend(self._repairs(o))
            else:
                out.append(self._unexplained(o))
        resolved = {id(i) for i in self.resolved}
        for ident in self.soft_failing:
            if id(ident) not in resolved:
                out.append(self._plain(ident, messages.soft(ident), severity_of(ident)))
        return out

    def _repairs(self, o: Outcome) -> list[Finding]:
        system = o.system
        union = sorted(set().union(*o.repairs))
        certain = o.certain
        candidates = [i for i in union if i not in certain]
        out = []
        for i in union:
            amount = system.cells[i]
            values = {r[i] for r in o.repairs if i in r}
            expected = values.pop() if len(values) == 1 else None
            containing = [ident for ident in system.identities + self.resolved
                          if any(t.amount.ref == amount.ref for t in ident.terms)]
            failing = [ident for ident in containing if ident.fails]
            involved = failing or containing
            errors = [ident for ident in failing if severity_of(ident) == "error"]
            text = messages.shown(expected, amount.decimals)
            alternatives = [system.cells[j].ref for j in candidates if j != i] \
                if i not in certain else []
            out.append(Finding(
                rule=(errors or involved)[0].rule,
                # Only error identities drive a repair, whatever else the cell is part of.
                severity="error",
                message=messages.repair(amount, text, failing=failing, holding=containing,
                                        alternatives=alternatives,
                                        size=max(len(r) for r in o.repairs if i in r),
                                        incomplete=not o.complete),
                sheet=amount.ref.sheet,
                cell=amount.ref.cell,
                actual=messages.shown(amount.value, amount.decimals),
                expected=text,
                certain=i in certain,
                related=related_cells(involved, amount.ref),
            ))
        return out

    @staticmethod
    def _unexplained(o: Outcome) -> Finding:
        """One finding for a group of failures no few cells explain: at the first failing
        identity's derived cell, with no value and no candidates."""
        failing = [i for i in o.system.identities if i.fails]
        t = failing[0].target
        return Finding(rule=failing[0].rule, severity=severity_of(failing[0]),
                       message=messages.unexplained(failing, o.limited), sheet=t.ref.sheet,
                       cell=t.ref.cell, actual=messages.shown(t.value, t.decimals),
                       expected=None, certain=False, related=related_cells(failing, t.ref),
                       extra={"unexplained": True})

    @staticmethod
    def _plain(ident: Identity, message: str, severity: str) -> Finding:
        t = ident.target
        return Finding(rule=ident.rule, severity=severity, message=message, sheet=t.ref.sheet,
                       cell=t.ref.cell, actual=messages.shown(t.value, t.decimals),
                       expected=None, certain=False, related=related_cells([ident], t.ref))
