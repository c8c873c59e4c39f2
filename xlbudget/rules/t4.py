"""Rules of 财政拨款收入支出决算总表 (T4): the three kinds of 财政拨款 (一般公共预算 ``gpb``,
政府性基金 ``fund``, 国有资本经营 ``soe``) add up, and each balances on its own."""

from __future__ import annotations

from xlbudget.rules.equations import Equation, RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import FISCAL_KINDS

RULES = (
    Rule("T4-a", "财政拨款支出每行合计 = 一般公共预算 + 政府性基金 + 国有资本经营", "error",
         "identities", RuleDoc(
             "财政拨款收入支出决算总表支出栏每一行：合计 = 一般公共预算财政拨款 + 政府性基金预算"
             "财政拨款 + 国有资本经营预算财政拨款。",
             "财政拨款按资金性质分列，三者之和必须等于合计。",
             "教育支出：合计 300.00，一般公共预算 280.00，政府性基金 10.00。",
             "一般公共预算列应与一般公共预算财政拨款支出决算表一致（X7），先核对它；"
             "再把合计改为三列之和，或补上漏填的基金、国资列。"),
         identities=(RowSum("T4", "expense", "total", FISCAL_KINDS),)),
    Rule("T4-b", "财政拨款本年收入合计等于三类财政拨款收入之和", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表收入栏：本年收入合计 = 一般公共预算财政拨款 + 政府性基金预算"
        "财政拨款 + 国有资本经营预算财政拨款。",
        "财政拨款收入只有三个来源，合计必须等于三者之和。",
        "一般公共预算 800.00 + 政府性基金 20.00，本年收入合计 830.00。",
        "三类收入应与收入支出决算总表的三项财政拨款收入一致（X6），先核对它们；"
        "再把本年收入合计改为三者之和。"),
        identities=(Equation(("T4.income.income_total.amount",),
                             tuple(f"T4.income.{k}.amount" for k in FISCAL_KINDS)),)),
    Rule("T4-c", "财政拨款本年支出合计等于各类支出之和（各列）", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表支出栏每一列（合计及三种资金）：本年支出合计 = 各功能分类"
        "（类级）支出之和。",
        "每一资金性质列中，各功能分类支出之和必须等于本年支出合计。",
        "一般公共预算列各类之和 780.00，本年支出合计 790.00。",
        "对照一般公共预算财政拨款支出决算表及基金、国资表的类级数补齐漏列的类；"
        "各类都对的，改正该列的本年支出合计。"),
        identities=(Tree("T4", "expense", "expense_total"),)),
    Rule("T4-d", "年初财政拨款结转和结余等于其三项明细之和", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表：年初财政拨款结转和结余 = 一般公共预算 + 政府性基金预算"
        " + 国有资本经营预算三项年初结转和结余。",
        "年初结转结余按资金性质分为三项，合计必须等于三项之和。",
        "年初结转和结余 50.00，其中一般公共预算 30.00、政府性基金 10.00。",
        "三项年初数应等于上年决算对应的年末数，按上年决算核对后把合计改为三项之和。"),
        identities=(Equation(("T4.income.opening.amount",),
                             tuple(f"T4.income.opening_{k}.amount" for k in FISCAL_KINDS)),)),
    Rule("T4-e", "财政拨款收支总计平衡", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表：收入总计 = 本年收入合计 + 年初结转和结余；每一列支出总计"
        " = 本年支出合计 + 年末结转和结余；收入总计 = 支出总计。",
        "收入总计 = 本年收入合计 + 年初结转结余，"
        "支出总计 = 本年支出合计 + 年末结转结余，且两者相等。",
        "收入总计 880.00，支出总计 870.00。",
        "先看被定位的总计或结转结余单元格；年末结转和结余应按“年初 + 收入 − 支出”逐类重算"
        "（见 T4-f），改正后两边总计自然相等。"),
        identities=(Equation(("T4.income.grand_total.amount",),
                             ("T4.income.income_total.amount", "T4.income.opening.amount")),
                    *(Equation((f"T4.expense.grand_total.{c}",),
                               (f"T4.expense.expense_total.{c}", f"T4.expense.closing.{c}"))
                      for c in ("total", *FISCAL_KINDS)),
                    Equation(("T4.income.grand_total.amount",),
                             ("T4.expense.grand_total.total",)))),
    Rule("T4-f", "每类财政拨款：年初 + 本年收入 = 本年支出 + 年末", "error", "identities",
         RuleDoc(
             "一般公共预算、政府性基金预算、国有资本经营预算三种财政拨款各自：年初结转和结余"
             " + 本年收入 = 本年支出 + 年末结转和结余。",
             "每一种财政拨款资金都必须自身平衡，否则结转结余数必有错误。",
             "政府性基金：年初 10.00 + 收入 20.00，支出 25.00，年末填 6.00。",
             "按该类资金重算年末结转和结余 = 年初 + 收入 − 支出；若年末数有账簿依据，"
             "则是收入或支出填错，与对应的基金表、国资表核对。"),
         identities=tuple(Equation((f"T4.income.opening_{m}.amount", f"T4.income.{m}.amount"),
                                   (f"T4.expense.expense_total.{m}", f"T4.expense.closing.{m}"))
                          for m in FISCAL_KINDS)),
)
