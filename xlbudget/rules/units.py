"""万元/元 confusion: a table whose figures are ten thousand times off from the tables it must
agree with, because its unit line says 万元 over figures in 元 (or the reverse).

Left alone, such a table fails every cross-table identity by a factor of 10 000 and localisation
would "repair" dozens of correct cells. So the unit is judged first, from the cross-table
equalities X1 … X10 (``rules.cross``): a table that disagrees by that factor with tables which
themselves agree with others, and agrees with none, has the wrong unit. Its amounts are then
read in the right unit for every other rule, and the unit cell gets one finding.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from xlbudget.findings import Finding
from xlbudget.model import UNIT_SCALE, Table, WorkbookModel
from xlbudget.rules import cross
from xlbudget.rules.equations import Equation
from xlbudget.rules.identity import Identity
from xlbudget.tables.specs import SPECS

CODE = "IN-e"
#: the cross-table equalities a unit slip shows in
_EQUALITIES = frozenset(f"X{i}" for i in range(1, 11))
_FACTOR = Decimal(10000)
_NEAR = Decimal("0.01")  # relative: a unit slip is exact up to rounding of the figures


def _near(ratio: Decimal, target: Decimal) -> bool:
    return abs(ratio - target) <= _NEAR * target


def judge_units(model: WorkbookModel) -> list[Finding]:
    """Find tables whose unit contradicts the others, correct their scale in ``model``, and
    return one finding per such table (at its unit cell)."""
    owner = {id(a): t.key for t in model.tables.values() for a in t.amounts()}
    votes: dict[str, list[tuple[str, int]]] = defaultdict(list)  # key -> (other key, ±1)
    agree: dict[str, set[str]] = defaultdict(set)
    for rule in (r for r in cross.RULES if r.code in _EQUALITIES):
        for eq in rule.identities:
            if not isinstance(eq, Equation) or eq.op != "=":
                continue
            for ident in eq.identities(model, rule.code):
                if not isinstance(ident, Identity):
                    continue  # not built: counted in the coverage by the identity pass
                left = {owner.get(id(t.amount)) for t in ident.terms if t.coef > 0}
                right = {owner.get(id(t.amount)) for t in ident.terms if t.coef < 0}
                if len(left) != 1 or len(right) != 1 or left == right:
                    continue
                a, b = left.pop(), right.pop()
                sa = sum((t.amount.yuan for t in ident.terms if t.coef > 0), Decimal(0))
                sb = sum((t.amount.yuan for t in ident.terms if t.coef < 0), Decimal(0))
                if a is None or b is None or sa <= 0 or sb <= 0:
                    continue
                ratio = sa / sb
                if _near(ratio, Decimal(1)):
                    agree[a].add(b)
                    agree[b].add(a)
                elif _near(ratio, _FACTOR):
                    votes[a].append((b, 1))
                    votes[b].append((a, -1))
                elif _near(1 / ratio, _FACTOR):
                    votes[a].append((b, -1))
                    votes[b].append((a, 1))
    findings = []
    for key, vs in votes.items():
        if agree[key] or not all(agree[other] for other, _ in vs):
            continue  # agrees with something, or the other side is no more trusted
        direction = {d for _, d in vs}
        if len(direction) != 1:
            continue
        findings.append(_correct(model.tables[key], direction.pop(), sorted({o for o, _ in vs})))
    return [f for f in findings if f is not None]


def _correct(table: Table, direction: int, others: list[str]) -> Finding | None:
    """``direction`` +1: figures ten thousand times too large for the stated unit."""
    by_scale = {v: k for k, v in UNIT_SCALE.items()}
    new_scale = table.scale // 10000 if direction > 0 else table.scale * 10000
    new_unit = by_scale.get(new_scale)
    if new_unit is None:
        return None
    old_unit = table.unit
    table.rescale(new_unit)
    names = "、".join(SPECS[o].name for o in others)
    where = table.unit_cell
    return Finding(
        CODE, "error",
        f"{SPECS[table.key].name}的金额单位为“{old_unit}”，但其数值与{names}正好相差一万倍："
        f"数值实际是以“{new_unit}”为单位填的。请把单位改为“{new_unit}”，"
        f"或把数值换算为{old_unit}（以下校验已按“{new_unit}”计算）",
        sheet=where.sheet if where else table.sheet,
        cell=where.cell if where else table.range.split(":")[0],
        actual=old_unit, expected=new_unit, certain=True)
