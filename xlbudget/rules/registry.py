"""The rule registry: every rule has a stable code, a Chinese title, a severity and a page.

Arithmetic rules produce identities (``identities``), which the engine confronts with the
values and hands to localisation; other rules produce findings directly (``check``). Rules for
inputs outside the workbook (the narrative) register with neither and are run by their module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xlbudget.findings import Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.identity import Identity


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
    doc: RuleDoc
    identities: Callable[[WorkbookModel], Iterable[Identity]] | None = None
    check: Callable[[WorkbookModel], Iterable[Finding]] | None = None
    #: The rule's class, as in the official 决算 software: True = 可说明 (a finding may be
    #: explained by a 出错说明 and then no longer counts as a problem), False = 必须修改.
    explainable: bool = False

    @property
    def fix_class(self) -> str:
        """必须修改 or 可说明."""
        return RULE_CLASS_ZH[self.explainable]

    def page(self) -> str:
        """The rule's documentation page (plain text, Chinese)."""
        from xlbudget.findings import SEVERITY_ZH

        return (
            f"{self.code}  {self.title}  [{SEVERITY_ZH[self.severity]}·{self.fix_class}]\n\n"
            f"什么\n  {self.doc.what}\n\n为什么\n  {self.doc.why}\n\n"
            f"例子\n  {self.doc.example}\n\n如何修正\n  {self.doc.fix}\n\n"
            f"类别\n  {self.fix_class}：{_CLASS_MEANING[self.explainable]}\n"
        )


#: The two rule classes of the official 决算 software.
RULE_CLASS_ZH = {False: "必须修改", True: "可说明"}
_CLASS_MEANING = {
    False: "问题必须改正，不能以出错说明代替。",
    True: "确有正当理由时，可写出错说明（xlbudget explain，或 Excel「出错说明」按钮），"
          "此后该问题记为“已说明”；数值改变或问题消失后说明即过时。",
}

REGISTRY: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in REGISTRY:
        raise ValueError(f"duplicate rule code {rule.code}")
    REGISTRY[rule.code] = rule
    return rule


def selected(code: str, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
    """Whether a rule code passes ``--select``/``--ignore``: codes (``X1`` is only X1), groups
    (``T7``) or starred prefixes (``X1*``), any case; see ``rules.selection``."""
    from xlbudget.rules.selection import matches

    sel = [s.strip().upper() for s in select if s.strip()]
    if sel and not any(matches(code, s) for s in sel):
        return False
    return not any(matches(code, i.strip().upper()) for i in ignore if i.strip())
