"""Rules of 支出决算表 (T3): each row's kinds of spending add up, and codes add up by level."""

from __future__ import annotations

from xlbudget.rules.equations import RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T3-a", "每行本年支出合计等于基本、项目、上缴上级、经营、对附属单位补助支出之和", "error",
         "identities", RuleDoc(
             "支出决算表每一行：本年支出合计 = 基本支出 + 项目支出 + 上缴上级支出 + 经营支出"
             " + 对附属单位补助支出。",
             "支出按性质分列，各列之和必须等于本年支出合计。",
             "行政运行：合计 200.00，基本支出 150.00，项目支出 40.00。",
             "基本支出应与一般公共预算及基金、国资表的基本支出相衔接，先核对它；"
             "再把合计改为各列之和，或补上漏填的那一列。"),
         identities=(RowSum("T3", "main", "total", ("basic", "project", "remit_superior",
                                                     "operating", "subsidy_affiliated")),)),
    Rule("T3-b", "支出决算表类、款、项逐级相加", "error", "identities", RuleDoc(
        "支出决算表每一列：合计行 = 各类之和，类 = 所属各款之和，款 = 所属各项之和。",
        "支出决算表是全部资金支出按科目的明细，公开后按类、款、项逐级汇总引用；任何一级不平都会"
        "使上级数与明细对不上。",
        "20805 行政事业单位养老支出 60.00，其下各项合计 66.00。",
        "按支出明细账从项级往上核对：补上漏列的款、项，删去把类合计重复填在明细行的行；"
        "明细都对的，改正上一级的数，再看 X5（总表各类支出）是否随之一致。"),
        identities=(Tree("T3"),)),
)
