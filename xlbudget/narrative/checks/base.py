"""What the narrative checks share: the checker's state, a finding at a span of a sentence, an
amount figure's table fact, the completion-rate judgement, and the tolerances of reference §3.3."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget import calc
from xlbudget.findings import Finding
from xlbudget.narrative.facts import Facts, resolve
from xlbudget.narrative.figure import Figure, Placeholder
from xlbudget.narrative.parse import Narrative, Sentence, normalise
from xlbudget.rules.catalog import REGISTRY

SHARE_SLACK = Decimal("0.01")
RATE_SLACK = Decimal("0.02")
_HUNDRED = Decimal(100)


def _severity(code: str) -> str:
    return REGISTRY[code].severity


@dataclass(slots=True)
class CheckerBase:
    """One document's figures and placeholders against its facts; the check classes add the
    rules, ``Checker`` runs them."""

    narrative: Narrative
    figures: list[Figure]
    placeholders: list[Placeholder]
    facts: Facts
    prior: Facts | None
    year: int | None
    findings: list[Finding] = field(default_factory=list)
    _keys: dict[int, str | None] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)

    def emit(self, code: str, s: Sentence, message: str, *, span: tuple[int, int] | None = None,
             actual: object = None, expected: object = None, certain: bool = True,
             related: list[dict[str, str]] | None = None, figure: Figure | None = None) -> None:
        if figure is not None:
            span = (figure.start, figure.end)
            self.flagged.add(figure.index)
        start, end = span if span is not None else (s.start, s.end)
        location = {"file": self.narrative.file, "part": s.section.label,
                    "heading": s.heading or None, "paragraph": s.para,
                    "quote": s.text.strip(), "start": start, "end": end}
        self.findings.append(Finding(
            code, _severity(code), f"{message}（{s.section.label}）",
            None, None, None if actual is None else str(actual),
            None if expected is None else str(expected), certain, related or [],
            {"location": location}))

    def key(self, f: Figure) -> str | None:
        if f.kind != "amount":
            return None
        if f.index not in self._keys:
            pos = f.coordinated.index(f) if f.coordinated else 0
            key = resolve(f.subject, f.sentence.section.key, self.facts, pos)
            if f.role == "budget" and key is not None and not key.endswith("_budget"):
                key = None  # a budget is judged only against a table's 预算数 (三公)
            if "国内" in f.subject and (f.whole is not None or _PART_OF.search(f.sentence.norm)):
                key = None  # "其中：国内公务接待支出A万元，外宾接待支出B万元": a part of the item
            self._keys[f.index] = key
        return self._keys[f.index]

    def in_unit(self, yuan: Decimal, f: Figure) -> Decimal:
        return calc.round_half_up(yuan / f.scale, f.decimals)

    def _rate(self, s: Sentence, f: Figure | None, final: Decimal, fband: Decimal,
              budget: Decimal, bband: Decimal, label: str, related: list[dict[str, str]],
              stated: Decimal | None = None, decimals: int = 2,
              span: tuple[int, int] | None = None) -> None:
        value = f.value if f is not None else stated
        if value is None:
            return
        if budget == 0:
            self.emit("N-zero-budget", s, f"{label}预算数为零，完成率无意义，文中却写为 {value}%",
                      figure=f, span=span, actual=value, related=related)
            return
        expected = calc.rate(final, budget)
        slack = (fband / abs(budget) + abs(final) * bband / (budget * budget)) * _HUNDRED
        half = _half(f) if f is not None else Decimal(5).scaleb(-decimals - 1)
        if abs(value - expected) > slack + RATE_SLACK + half:
            self.emit("N-completion", s, f"{label}的预算完成率应为 {expected}%，文中为 {value}%",
                      figure=f, span=span, actual=value, expected=expected, related=related)


#: Words that make a figure a part of an item (其中, 外宾接待), not the item itself.
_PART_OF = re.compile(r"外宾|外事|其中|主要包括")


def _half(f: Figure) -> Decimal:
    return Decimal(5).scaleb(-f.decimals - 1)


def _subject_key(subject: str) -> str:
    t = normalise(subject)
    return re.sub(r"[\s()（）“”\"、,]|支出|决算|金额|合计|总额|共计|为|的|数$", "", t)
