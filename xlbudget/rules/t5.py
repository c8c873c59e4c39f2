"""Rules of 一般公共预算财政拨款支出决算表 (T5)."""

from __future__ import annotations

from xlbudget.rules.equations import RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T5-a", "每行合计等于基本支出与项目支出之和", "error", "identities", RuleDoc(
        "一般公共预算财政拨款支出决算表每一行：合计 = 基本支出 + 项目支出。",
        "一般公共预算财政拨款支出只分基本支出和项目支出两部分。",
        "行政运行：合计 150.00，基本支出 120.00，项目支出 20.00。",
        "基本支出的合计行应等于基本支出表的人员经费与公用经费之和（X10），先核对基本支出；"
        "再把合计改为两列之和，或补上漏填的项目支出。"),
        identities=(RowSum("T5", "main", "total", ("basic", "project")),)),
    Rule("T5-b", "一般公共预算财政拨款支出类、款、项逐级相加", "error", "identities", RuleDoc(
        "一般公共预算财政拨款支出决算表每一列：合计行 = 各类之和，类 = 所属各款之和，"
        "款 = 所属各项之和。",
        "一般公共预算支出是说明中逐项解释的部分，类、款、项之间不平会使说明引用的数字前后矛盾。",
        "合计行 780.00，各类之和 790.00。",
        "与财政拨款收入支出决算总表的一般公共预算列逐类对照（X7），补齐漏列的科目；"
        "明细都对的，改正上一级的数。"),
        identities=(Tree("T5"),)),
)
