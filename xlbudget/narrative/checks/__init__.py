"""The narrative rules (N-…): every figure the tables determine is recomputed; the others are
checked for internal consistency (parts, rates against their amounts, repeated quantities).

The rules' pages are in ``rules/narrative.py``, with neither identities nor a workbook check:
they need the document, so ``run_checks`` runs them. Figures are compared as intervals, like
the table identities: a shown amount stands for ± half a unit of its last decimal; a share may
be off by 0.01 pp (shares tail-adjusted to 100) and a rate by 0.02 pp (rates computed from
元-level data), reference §3.3.

The checks are split by what they judge: ``figures`` (against the tables), ``document`` (the
text against itself), ``projects`` (a project's money and Word target tables); ``base`` holds
what they share.
"""

from __future__ import annotations

from xlbudget.findings import Finding
from xlbudget.narrative.checks.document import DocumentChecks
from xlbudget.narrative.checks.figures import FigureChecks
from xlbudget.narrative.checks.projects import ProjectChecks
from xlbudget.narrative.facts import Facts
from xlbudget.narrative.figure import Figure, Placeholder
from xlbudget.narrative.parse import Narrative

__all__ = ["Checker", "run_checks"]


class Checker(FigureChecks, DocumentChecks, ProjectChecks):
    """Every narrative rule over one document, in a fixed order."""

    __slots__ = ()

    def run(self) -> list[Finding]:
        self.check_years()
        self.check_outdated()
        self.check_placeholders()
        for f in self.figures:
            if f.kind == "amount" and f.role in ("level", "budget"):
                self.check_amount(f)
        for f in self.figures:
            if f.role == "share":
                self.check_share(f)
            elif f.role in ("change", "growth"):
                self.check_change(f)
            elif f.role == "completion":
                self.check_completion(f)
        for f in self.figures:
            if f.bare:
                self.emit("N-no-percent", f.sentence, f"“{f.text}”是比率，缺少“%”",
                          span=(f.start, f.end), actual=f.text, expected=f"{f.text}%")
        self.check_share_sums()
        self.check_projects()
        self.check_flows()
        self.check_itemised()
        self.check_copied_purposes()
        self.check_counts()
        self.check_parts()
        self.check_duplicates()
        for t in self.narrative.source.tables:
            self.check_word_table(t)
        return self.findings


def run_checks(narrative: Narrative, figures: list[Figure], placeholders: list[Placeholder],
               facts: Facts, prior: Facts | None, year: int | None) -> list[Finding]:
    """All narrative findings, in document order."""
    found = Checker(narrative, figures, placeholders, facts, prior, year).run()
    return sorted(found, key=lambda f: (f.extra["location"]["paragraph"],
                                        f.extra["location"]["start"]))
