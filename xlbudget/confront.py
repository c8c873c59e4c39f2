"""Confront identities with the shown values: what fails, and what differs only by rounding.

Failed identities go to ``locate``, which judges the cells; what stays here is shared by it
(severity, related cells) and the summary of differences that are only rounding.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from xlbudget.findings import Finding
from xlbudget.rules.catalog import REGISTRY
from xlbudget.rules.identity import Identity


def severity_of(identity: Identity) -> str:
    rule = REGISTRY.get(identity.rule)
    return rule.severity if rule else "error"


def fmt(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def related_cells(identities: list[Identity], exclude: object = None) -> list[dict[str, str]]:
    """The cells of ``identities`` other than ``exclude`` (a CellRef), each once, in order."""
    out: list[dict[str, str]] = []
    seen = {exclude}
    for ident in identities:
        for t in ident.terms:
            if t.amount.ref not in seen:
                seen.add(t.amount.ref)
                out.append({"sheet": t.amount.ref.sheet, "cell": t.amount.ref.cell})
    return out


def _in_unit(ident: Identity) -> Decimal:
    return (ident.residual / ident.target.scale).normalize()


def rounding_notes(identities: list[Identity]) -> list[Finding]:
    """One info finding per rule and table whose identities differ only by rounding."""
    groups: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    for i in identities:
        if i.rounding_only:
            groups[(i.rule, i.target.ref.sheet)].append(i)
    out = []
    for (rule, sheet), idents in groups.items():
        worst = max(idents, key=lambda i: abs(i.residual))
        cells = "、".join(i.target.ref.cell for i in idents[:5]) + ("等" if len(idents) > 5 else "")
        out.append(Finding(
            rule, "info",
            f"{len(idents)} 处合计与明细相差不超过 {fmt(abs(_in_unit(worst)))}，"
            "在各数分别四舍五入的"
            f"误差范围内，不视为错误（{cells}）",
            sheet=sheet, cell=idents[0].target.ref.cell, certain=True,
            related=[{"sheet": i.target.ref.sheet, "cell": i.target.ref.cell} for i in idents[1:]],
            extra={"rounding": True}))
    return out
