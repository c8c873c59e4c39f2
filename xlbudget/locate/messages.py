"""The Chinese wording of localisation findings (no rule of its own: the findings carry the
codes of the identities that fail)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xlbudget.model import UNIT_SCALE, Amount, CellRef
from xlbudget.rules.identity import Identity

_UNIT_NAME = {v: k for k, v in UNIT_SCALE.items()}
#: Messages name at most this many identities, then say how many more.
_MAX_NAMED = 3
#: Mirrors ``locate.MAX_EXCESS`` (this module is imported by it, not the reverse).
MAX_EXCESS_CELLS = 3


def shown(value: Decimal | None, decimals: int) -> str | None:
    """An amount as the table shows it; None for a blank cell."""
    if value is None:
        return None
    if value == 0:
        value = abs(value)  # no "-0.00"
    return f"{value:.{max(decimals, 0)}f}"


def _actual(amount: Amount) -> str:
    s = shown(amount.value, amount.decimals)
    return "表中为空" if s is None else f"表中为 {s}"


def _identities(identities: Sequence[Identity]) -> str:
    named = "；".join(f"{i.rule}：{i.text}" for i in identities[:_MAX_NAMED])
    more = len(identities) - _MAX_NAMED
    return named + (f"；等共 {len(identities)} 条" if more > 0 else "")


def _place(ref: CellRef, home: str) -> str:
    return ref.cell if ref.sheet == home else f"{ref.sheet}!{ref.cell}"


def repair(amount: Amount, expected: str | None, *, failing: Sequence[Identity],
           holding: Sequence[Identity], alternatives: Sequence[CellRef] = (), size: int = 1,
           incomplete: bool = False) -> str:
    """The message of a cell judged wrong, or of one candidate of several (``alternatives``
    are the other candidates, ``size`` the number of cells each minimal repair changes;
    ``incomplete`` when the work limit stopped the listing of equally small repairs)."""
    why = (f"违反 {_identities(failing)}" if failing
           else f"为使 {_identities(holding)} 同时成立")
    note = "；同样少的改法太多，未能全部列出，无法确认是否唯一" if incomplete else ""
    if alternatives:
        named = "、".join(_place(r, amount.ref.sheet) for r in alternatives[:_MAX_NAMED + 2])
        if len(alternatives) > _MAX_NAMED + 2:
            named += f" 等共 {len(alternatives)} 处"
        value = f"若此格有误应为 {expected}" if expected is not None else "应为多少无法唯一确定"
        which = (f"此格或 {named}，改其中任一格即可，无法确定是哪一格" if size == 1 else
                 f"有多种同样少的改法（各改 {size} 格），还涉及 {named}，无法确定是哪几格")
        return f"可能有误（{which}）：{_actual(amount)}，{value}（{why}{note}）"
    value = (f"应为 {expected}" if expected is not None
             else "数值有误，应为多少无法由表间关系唯一确定")
    return f"{_actual(amount)}，{value}（{why}{note}）"


def difference(identity: Identity) -> str:
    """How far an identity is off, in its target cell's unit."""
    target = identity.target
    diff = abs(identity.residual) / target.scale
    unit = _UNIT_NAME.get(target.scale, f"{target.scale} 元")
    return f"{shown(diff, target.decimals)} {unit}"


def unexplained(failing: Sequence[Identity], limited: bool = False) -> str:
    """Failing identities that no change of a few cells explains (reported once, no cells);
    ``limited`` when the work limit stopped the search before that was settled."""
    first = failing[0]
    more = f"；同组还有 {_identities(failing[1:])} 不成立" if len(failing) > 1 else ""
    why = ("定位的计算量超过限度，未能找出少数几个可改的单元格" if limited else
           f"要使这些关系成立，需改动的单元格比最少需要的多出 {MAX_EXCESS_CELLS} 个以上，"
           "不像是个别数字填错")
    return (f"无法用少数几个单元格解释 — 请检查表格读取或此规则：{first.rule}：{first.text} "
            f"不成立，相差 {difference(first)}{more}（{why}）")


def soft(identity: Identity) -> str:
    """A failing identity of a warning or info rule that the repair does not explain."""
    return (f"{identity.rule}：{identity.text} 不成立，相差 {difference(identity)}"
            "（提示性检查，不参与错误单元格定位）")
