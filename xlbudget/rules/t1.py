"""Rules of 收入支出决算总表 (T1): its totals add up and the table balances."""

from __future__ import annotations

from xlbudget.rules.equations import Equation, Tree
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import T1_INCOME

RULES = (
    Rule("T1-a", "本年收入合计等于各项收入之和", "error", "identities", RuleDoc(
        "收入支出决算总表左侧：本年收入合计 = 一般公共预算财政拨款收入 + 政府性基金预算财政拨款收入"
        " + 国有资本经营预算财政拨款收入 + 上级补助收入 + 事业收入 + 经营收入 + 附属单位上缴收入"
        " + 其他收入。",
        "收入总表的合计是公开数据中最常被引用的数字，各项收入漏加或多加会使整张表失真。",
        "一般公共预算财政拨款收入 800.00 + 事业收入 120.00 + 其他收入 5.00，"
        "本年收入合计却填 915.00（应为 925.00）。",
        "先与收入决算表合计行逐项核对八项收入：各项都对的，把本年收入合计改为八项之和；"
        "合计与收入决算表一致的，找出漏填或填错的那一项收入。"),
        identities=(Equation(("T1.income.income_total.amount",),
                             tuple(f"T1.income.{k}.amount" for k in T1_INCOME)),)),
    Rule("T1-b", "本年支出合计等于各功能分类（类）支出之和", "error", "identities", RuleDoc(
        "收入支出决算总表右侧：本年支出合计 = 各功能分类科目（类级，如一般公共服务支出、"
        "教育支出）支出之和。",
        "总表右侧按功能分类列示支出，类级合计与本年支出合计不符说明漏列或错列了某一类。",
        "一般公共服务支出 500.00 + 教育支出 300.00，本年支出合计 810.00。",
        "对照支出决算表的类级合计行补齐漏列的类、删去重复的类；各类都对的，"
        "把本年支出合计改为各类之和。"),
        identities=(Tree("T1", "expense", "expense_total"),)),
    Rule("T1-c", "收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余", "error",
         "identities", RuleDoc(
             "收入支出决算总表左侧最末的收入总计 = 本年收入合计 + 使用非财政拨款结余"
             "（用事业基金弥补收支差额）+ 年初结转和结余。",
             "总计行是收支平衡的基础，任何一项漏加都会导致收支不平。",
             "本年收入合计 925.00，年初结转和结余 75.00，收入总计填 990.00。",
             "年初结转和结余应等于上年决算的年末结转和结余，先核对它；"
             "再把收入总计改为三项之和。"),
         identities=(Equation(("T1.income.grand_total.amount",),
                              ("T1.income.income_total.amount",
                               "T1.income.use_nonfiscal_balance.amount",
                               "T1.income.opening_balance.amount")),)),
    Rule("T1-d", "支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余", "error", "identities",
         RuleDoc(
             "收入支出决算总表右侧最末的支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余。",
             "支出总计必须等于支出方各组成部分之和。",
             "本年支出合计 900.00，年末结转和结余 100.00，支出总计填 1010.00。",
             "年末结转和结余常由倒挤得出，先按账簿核对它与结余分配；再把支出总计改为三项之和。"),
         identities=(Equation(("T1.expense.grand_total.amount",),
                              ("T1.expense.expense_total.amount",
                               "T1.expense.balance_distribution.amount",
                               "T1.expense.closing_balance.amount")),)),
    Rule("T1-e", "收入总计等于支出总计", "error", "identities", RuleDoc(
        "收入支出决算总表的收入总计与支出总计相等（收支平衡）。",
        "收入支出决算总表必须平衡，收入总计不等于支出总计说明结转结余或收支填报有误。",
        "收入总计 1000.00，支出总计 999.00。",
        "两边相差的数通常就是某一项结转结余或结余分配的差错：先看 T1-c、T1-d 是否也报出，"
        "改正其报出的单元格后两边自然相等。"),
        identities=(Equation(("T1.income.grand_total.amount",),
                             ("T1.expense.grand_total.amount",)),)),
)
