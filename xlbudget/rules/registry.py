"""What a rule is: a stable code, a Chinese title, a severity, a class, a phase, its identities
or its check, and its page. Each family module (``rules/t1.py`` … ``rules/narrative.py``) defines
its rules as ``Rule`` values; ``rules/catalog.py`` lists them all, in order.

Arithmetic rules produce identities, which the engine confronts with the values and hands to
localisation; the other rules produce findings directly. The phase says when a rule runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from xlbudget.findings import SEVERITIES, SEVERITY_ZH, Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.identity import Identity

if TYPE_CHECKING:
    from xlbudget.rules.equations import Skipped

#: When a rule runs, in this order for the workbook phases:
#: ``read``: what the reader noted while reading (unreadable amounts, incomplete headers);
#: ``units``: units judged against the figures, before any identity (it may re-read a table
#: in another unit); ``identities``: arithmetic, confronted and localised; ``workbook``: checks
#: of the recognised workbook as a whole (tables present, names, chart sheets).
#: Then, outside the workbook: ``explanations`` (the 出错说明 judged against the findings),
#: ``narrative`` (the .docx against the tables) and ``batch`` (added by a folder check).
PHASES = ("read", "units", "identities", "workbook", "explanations", "narrative", "batch")
WORKBOOK_PHASES = PHASES[:4]


class IdentitySource(Protocol):
    """A generator of the identities of one rule over a model (``rules/equations.py``)."""

    def identities(self, model: WorkbookModel, rule: str) -> Iterator[Identity | Skipped]: ...

    def comparison(self) -> bool:
        """Whether every identity is ``Σ left ≤ Σ right`` (only those may be 可说明)."""
        ...


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's page, in the sections ruff uses: 什么 / 为什么 / 例子 / 如何修正."""

    what: str
    why: str
    example: str
    fix: str


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    severity: str
    phase: str
    doc: RuleDoc
    identities: tuple[IdentitySource, ...] = ()
    check: Callable[[WorkbookModel], Iterable[Finding]] | None = None
    #: The rule's class, as in the official 决算 software: True = 可说明 (a finding may be
    #: explained by a 出错说明 and then no longer counts as a problem), False = 必须修改.
    explainable: bool = False

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES or self.phase not in PHASES:
            raise ValueError(f"{self.code}: bad severity or phase")
        if (self.phase == "identities") != bool(self.identities):
            raise ValueError(f"{self.code}: identities belong to the identities phase")
        if self.phase in ("read", "units", "workbook") and self.check is None:
            raise ValueError(f"{self.code}: a {self.phase} rule needs a check")
        if self.explainable and not all(g.comparison() for g in self.identities):
            raise ValueError(f"{self.code}: an identity (=) cannot be of class 可说明")

    def build(self, model: WorkbookModel) -> Iterator[Identity | Skipped]:
        """This rule's identities over ``model``, and a ``Skipped`` for each one not built."""
        for source in self.identities:
            yield from source.identities(model, self.code)

    @property
    def what(self) -> str:
        """The page's 什么, with how identities are compared for an arithmetic rule."""
        return f"{self.doc.what}{COMPARISON_NOTE}" if self.identities else self.doc.what

    @property
    def fix_class(self) -> str:
        """必须修改 or 可说明."""
        return RULE_CLASS_ZH[self.explainable]

    def page(self) -> str:
        """The rule's documentation page (plain text, Chinese)."""
        return (
            f"{self.code}  {self.title}  [{SEVERITY_ZH[self.severity]}·{self.fix_class}]\n\n"
            f"什么\n  {self.what}\n\n为什么\n  {self.doc.why}\n\n"
            f"例子\n  {self.doc.example}\n\n如何修正\n  {self.doc.fix}\n\n"
            f"类别\n  {self.fix_class}：{_CLASS_MEANING[self.explainable]}\n"
        )


#: How an identity is compared, said once on every arithmetic rule's page.
COMPARISON_NOTE = "比较时按每个数字显示的小数位取舍入区间，区间能够相交即视为相等。"

#: The two rule classes of the official 决算 software.
RULE_CLASS_ZH = {False: "必须修改", True: "可说明"}
_CLASS_MEANING = {
    False: "问题必须改正，不能以出错说明代替。",
    True: "确有正当理由时，可写出错说明（xlbudget explain，或 Excel「出错说明」按钮），"
          "此后该问题记为“已说明”；数值改变或问题消失后说明即过时。",
}


def index(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Rules by code, in order; a code given twice is an error."""
    out: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in out:
            raise ValueError(f"duplicate rule code {rule.code}")
        out[rule.code] = rule
    return out

