"""Every rule, in the order ``xlbudget rules`` lists them and the engine runs them.

Each family module holds its rules whole (code, title, severity, class, phase, identities or
check, page); this list is the only place that names them all. Codes are stable: they appear in
reports, ``--select``, notes and 出错说明.
"""

from __future__ import annotations

from xlbudget.rules import (
    batch,
    charts,
    cross,
    explanations,
    inputs,
    names,
    narrative,
    t1,
    t2,
    t3,
    t4,
    t5,
    t6,
    t7,
    t8,
    t9,
    tables,
)
from xlbudget.rules.registry import Rule, index

RULES: tuple[Rule, ...] = (
    *tables.RULES,
    *inputs.RULES,
    *t1.RULES, *t2.RULES, *t3.RULES, *t4.RULES, *t5.RULES, *t6.RULES, *t7.RULES, *t8.RULES,
    *t9.RULES,
    *cross.RULES,
    *names.RULES,
    *charts.RULES,
    *explanations.RULES,
    *narrative.RULES,
    *batch.RULES,
)

#: rules by code, in the order above
REGISTRY: dict[str, Rule] = index(RULES)
