"""Outcomes of the search turned into findings: one per changed cell, one per unexplained group,
and the failing warnings no repair resolves."""

from __future__ import annotations

from decimal import Decimal

from xlbudget.confront import related_cells, severity_of
from xlbudget.findings import Finding
from xlbudget.locate import messages
from xlbudget.locate.mip import with_values
from xlbudget.locate.search import Outcome
from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity


class Findings:
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
