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

from collections.abc import Sequence

from xlbudget.confront import severity_of
from xlbudget.findings import Finding
from xlbudget.locate import messages
from xlbudget.locate.groups import Group, components, touching, unsettled
from xlbudget.locate.mip import System
from xlbudget.locate.publish import Findings
from xlbudget.locate.search import Outcome, Search
from xlbudget.locate.solver import Solver, get_solver
from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity

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


class _Localiser:
    """The ring-by-ring search over the groups of failing identities of one workbook."""

    def __init__(self, solver: Solver, solve_budget: int) -> None:
        self.search = Search(solver, solve_budget)
        self.pool: list[Identity] = []
        self.frozen: set[CellRef] = set()
        self.outcomes: list[Outcome] = []

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
        return Findings(soft_failing, outcomes).build()

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
        groups = [Group([i for i in part if i.fails])
                  for part in components(touching(hard, ring))]
        for allowance in range(MAX_EXCESS + 1):
            for group in list(groups):
                if not group.open:
                    continue
                if self._search(group, groups, allowance):
                    continue
                if len(components(group.failing)) > 1:
                    # Jointly not explained: try each defect alone, so that one failure
                    # nothing explains does not hold back the others.
                    parts = [Group(c, parent=group) for c in components(group.failing)]
                    group.open = False
                    at = groups.index(group)
                    groups[at:at + 1] = parts
                    for part in parts:
                        part.ring = self._grown(part.ring, groups, part, allowance)
                        self._search(part, groups, allowance, grow=False)
        # What stays unexplained is reported once per group; defects split from one group
        # that all stay unexplained are reported as that group.
        left = [g for g in groups if g.open or g.unexplained]
        roots: dict[int, list[Group]] = {}
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

    def _grown(self, ring: set[CellRef], groups: list[Group], group: Group,
               times: int) -> set[CellRef]:
        base = self._base(groups, group)
        for _ in range(times):
            ring = {t.amount.ref for i in touching(base, ring) for t in i.terms}
        return ring

    def _base(self, groups: list[Group], group: Group) -> list[Identity]:
        """The pool without the failing identities of the other unsettled groups (open, or
        given up as unexplained)."""
        hidden = {id(i) for o in unsettled(groups, group) for i in o.failing}
        return [i for i in self.pool if id(i) not in hidden]

    def _search(self, group: Group, groups: list[Group], allowance: int,
                grow: bool = True) -> bool:
        """Search ``group`` on its ring (grown once first unless ``grow`` is False); settle it
        when the repair is proven minimal within the allowance, close it as unexplained when
        the allowance is spent or its ring stopped growing. True when it was settled."""
        base = self._base(groups, group)
        if allowance and grow:
            wider = {t.amount.ref for i in touching(base, group.ring) for t in i.terms}
            group.final = wider == group.ring
            group.ring = wider
        blocked = self.frozen | {t.amount.ref for o in unsettled(groups, group)
                                 for i in o.failing for t in i.terms}
        part = touching(base, group.ring)
        changeable = group.ring - blocked
        last = group.final or allowance == MAX_EXCESS
        if len(changeable) > MAX_CHANGEABLE:
            group.limited = True
            start, excess = None, None
        else:
            limits = self.search.limits
            start = self.search.start(System.build(part), changeable)
            excess = 0.0 if start.outcome is not None else self.search.excess(start)
            group.limited = self.search.limits > limits
        if start is not None and excess is not None and \
                excess <= (MAX_EXCESS if last else allowance) + 1e-9:
            outcome = self.search.finish(start)
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
