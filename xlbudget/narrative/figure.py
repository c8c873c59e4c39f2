"""A figure stated in the narrative (its value, unit, role, subject and links) and a stretch of
template residue; the units a figure can carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget.narrative.parse import Sentence

AMOUNT_UNITS = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
COUNT_UNITS = ("批次", "人次", "团组", "个", "辆", "次", "人", "家", "项", "台", "套", "户", "名")


@dataclass(slots=True)
class Figure:
    """One stated figure.

    ``kind`` is 'amount', 'percent', 'pp' (percentage points) or 'count'. ``role`` says what a
    figure is: 'level' (an amount or count of something), 'change' (an amount of increase or
    decrease, signed by ``sign``), 'share', 'growth', 'completion', 'budget', 'overrun' (final
    minus budget, "决算数大于预算数B万元") or '' (unknown).
    ``sign`` is 0 when the text leaves the direction open ("增加（减少）").
    ``start``/``end`` are offsets into the paragraph text. ``bare`` marks a percentage written
    without its % sign; ``vs_budget`` a change or rate stated against the year's budget.
    """

    kind: str
    value: Decimal
    unit: str
    decimals: int
    start: int
    end: int
    text: str
    sentence: Sentence
    role: str = "level"
    sign: int = 1
    subject: str = ""
    base: str = ""
    cmp_year: int | None = None
    anchor: Figure | None = None
    budget: Figure | None = None
    whole: Figure | None = None
    index: int = 0
    clause: str = ""
    coordinated: list[Figure] = field(default_factory=list)
    bare: bool = False
    vs_budget: bool = False

    @property
    def para(self) -> int:
        return self.sentence.para

    @property
    def scale(self) -> int:
        return AMOUNT_UNITS.get(self.unit, 1)

    @property
    def yuan(self) -> Decimal:
        """An amount in 元."""
        return self.value * self.scale

    @property
    def half_yuan(self) -> Decimal:
        """Half a unit in the last shown decimal, in 元; zero for counts, which are exact."""
        if self.kind == "count":
            return Decimal(0)
        return Decimal(5).scaleb(-self.decimals - 1) * self.scale

    @property
    def unit_class(self) -> str:
        """Figures that can be added up share a unit class (all amounts; counts per unit)."""
        return "amount" if self.kind == "amount" else f"{self.kind}:{self.unit}"

    @property
    def signed(self) -> Decimal:
        return self.value * self.sign

    def __repr__(self) -> str:  # short form for test failures
        return f"Figure({self.role} {self.subject!r} {self.text!r} p{self.para})"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Template residue: ``kind`` is 'placeholder', 'alternative' or 'instruction'."""

    text: str
    start: int
    end: int
    sentence: Sentence
    kind: str = "placeholder"
