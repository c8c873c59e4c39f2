"""Rules across tables (X1–X17): a figure shown in two tables is the same, a part is no larger
than its whole. The comparisons (≤) are of class 可说明: their excess may have a reason."""

from __future__ import annotations

from xlbudget.rules.equations import Equation
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import FISCAL_KINDS

#: economic lines of 基本支出 and the 三公 item each belongs to (X16)
_SANGONG_LINES = (("30212", "abroad"), ("30217", "reception"), ("30231", "vehicle_operation"),
                  ("31013", "vehicle_purchase"))


def _balance(kind: str, table: str) -> tuple[Equation, ...]:
    """T4's column of one kind of 财政拨款 against its own table (T8 or T9)."""
    return (Equation((f"T4.income.{kind}.amount",), (f"{table}.main.total.income",)),
            Equation((f"T4.expense.expense_total.{kind}",), (f"{table}.main.total.exp_total",)),
            Equation((f"T4.income.opening_{kind}.amount",), (f"{table}.main.total.opening",)),
            Equation((f"T4.expense.closing.{kind}",), (f"{table}.main.total.closing",)))


RULES = (
    Rule("X1", "总表本年收入合计 = 收入决算表合计", "error", "identities", RuleDoc(
        "收入支出决算总表的本年收入合计等于收入决算表合计行的本年收入合计。",
        "本年收入合计在两张表中出现：总表汇总列示，收入决算表按科目展开，必须一致。",
        "总表 925.00，收入决算表合计 920.00。",
        "收入决算表按科目逐行汇总，通常更可靠：先核对它的合计行（T2-b），再改正总表；"
        "被定位的单元格即最可能填错之处。"),
        identities=(Equation(("T1.income.income_total.amount",), ("T2.main.total.total",)),)),
    Rule("X2", "财政拨款收入：总表三项之和 = 收入决算表财政拨款收入 = 财政拨款总表本年收入合计",
         "error", "identities", RuleDoc(
             "收入支出决算总表三项财政拨款收入之和、收入决算表合计行的财政拨款收入、"
             "财政拨款收入支出决算总表的本年收入合计，三者相等。",
             "财政拨款收入在三张表中出现，是核对最多的数字。",
             "总表三项之和 820.00，收入决算表 820.00，财政拨款总表 810.00。",
             "以财政部门批复的拨款数为准，三张表中与之不符的一张即填错之处；"
             "只有一处不同时，被定位的单元格就是它。"),
         identities=(Equation(("T2.main.total.fiscal",),
                              tuple(f"T1.income.{k}.amount" for k in FISCAL_KINDS)),
                     Equation(("T4.income.income_total.amount",), ("T2.main.total.fiscal",)))),
    Rule("X3", "总表非财政拨款收入各项 = 收入决算表合计行对应列", "error", "identities", RuleDoc(
        "收入支出决算总表的上级补助、事业、经营、附属单位上缴、其他收入，分别等于收入决算表合计行"
        "的对应列。",
        "上级补助、事业、经营、附属单位上缴和其他收入在两表中一一对应。",
        "总表事业收入 120.00，收入决算表 102.00。",
        "按收入明细账确定该项收入的数，改正与之不符的一张表；注意经营收入与其他收入不要串列。"),
        identities=tuple(Equation((f"T1.income.{k}.amount",), (f"T2.main.total.{k}",))
                         for k in ("superior_subsidy", "business", "operating",
                                   "affiliated_remit", "other"))),
    Rule("X4", "总表本年支出合计 = 支出决算表合计", "error", "identities", RuleDoc(
        "收入支出决算总表的本年支出合计等于支出决算表合计行的本年支出合计。",
        "本年支出合计在两张表中出现：总表按功能分类汇总，支出决算表按科目展开，必须一致。",
        "总表 900.00，支出决算表 905.00。",
        "支出决算表按科目逐行汇总：先核对它的合计行（T3-b），再改正总表的本年支出合计。"),
        identities=(Equation(("T1.expense.expense_total.amount",), ("T3.main.total.total",)),)),
    Rule("X5", "总表各类支出 = 支出决算表同类合计", "error", "identities", RuleDoc(
        "收入支出决算总表右侧每一功能分类（类级）支出，等于支出决算表该类的本年支出合计。",
        "总表右侧的每一类支出都来自支出决算表的类级合计。",
        "总表教育支出 300.00，支出决算表 205 类 310.00。",
        "支出决算表的类级数应等于其款、项之和（T3-b）：它对的，按它改正总表该类；"
        "否则先改支出决算表。"),
        identities=(Equation(("T1.expense.{k}.amount",), ("T3.main.{k}.total",)),)),
    Rule("X6", "总表三类财政拨款收入 = 财政拨款总表对应收入", "error", "identities", RuleDoc(
        "收入支出决算总表的一般公共预算、政府性基金预算、国有资本经营预算财政拨款收入，分别等于"
        "财政拨款收入支出决算总表的对应收入。",
        "一般公共预算、政府性基金、国有资本经营三类拨款收入在两表中一一对应。",
        "总表一般公共预算 800.00，财政拨款总表 780.00。",
        "以财政部门批复的该类拨款数为准，改正与之不符的一张表。"),
        identities=tuple(Equation((f"T1.income.{m}.amount",), (f"T4.income.{m}.amount",))
                         for m in FISCAL_KINDS)),
    Rule("X7", "财政拨款总表一般公共预算列 = 一般公共预算支出表", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表一般公共预算列的各类支出及本年支出合计，等于一般公共预算"
        "财政拨款支出决算表对应的类及合计。",
        "财政拨款总表中一般公共预算列的各类和合计，应等于一般公共预算财政拨款支出决算表的对应数。",
        "财政拨款总表卫生健康支出(一般公共预算) 40.00，一般公共预算表 210 类 42.00。",
        "一般公共预算支出表按科目逐行填列（其类级数应满足 T5-b）：它对的，按它改正财政拨款总表"
        "该类的一般公共预算列，再核对该行合计（T4-a）。"),
        identities=(Equation(("T4.expense.{k}.gpb",), ("T5.main.{k}.total",)),
                    Equation(("T4.expense.expense_total.gpb",), ("T5.main.total.total",)))),
    Rule("X8", "财政拨款总表政府性基金列 = 政府性基金表", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表中政府性基金预算财政拨款的本年收入、本年支出、年初和年末结转"
        "和结余，等于政府性基金表合计行的对应数。",
        "政府性基金的收入、支出和结转结余在两表中必须一致。",
        "财政拨款总表政府性基金支出 20.00，基金表 18.00。",
        "以基金表合计行为准核对四个数（基金表自身应满足 T8-a、T8-b）；无基金收支的单位，"
        "两表都填 0 或公开空表并注明。"),
        identities=_balance("fund", "T8")),
    Rule("X9", "财政拨款总表国有资本经营列 = 国有资本经营表", "error", "identities", RuleDoc(
        "财政拨款收入支出决算总表中国有资本经营预算财政拨款的本年收入、本年支出、年初和年末"
        "结转和结余，等于国有资本经营表合计行的对应数。",
        "国有资本经营的收入、支出和结转结余在两表中必须一致。",
        "财政拨款总表国有资本经营支出 5.00，国资表空白。",
        "以国资表合计行为准核对四个数（国资表自身应满足 T9-a、T9-b）；国资表为空而总表有数的，"
        "补填国资表。"),
        identities=_balance("soe", "T9")),
    Rule("X10", "一般公共预算基本支出 = 人员经费合计 + 公用经费合计", "error", "identities",
         RuleDoc(
             "一般公共预算财政拨款支出决算表合计行的基本支出，等于基本支出表的人员经费合计"
             " + 公用经费合计。",
             "基本支出表是一般公共预算基本支出按经济分类的展开，两者合计必须一致。",
             "一般公共预算表基本支出 500.00，基本支出表人员经费 420.00 + 公用经费 70.00。",
             "先确认基本支出表的两个合计等于其各类（T6-b、T6-c），再与一般公共预算表的基本支出"
             "对照，改正不符的一方。"),
         identities=(Equation(("T5.main.total.basic",),
                              ("T6.main.personnel_total.amount",
                               "T6.main.public_total.amount")),)),
    Rule("X11", "财政拨款各类支出不超过总表同类支出", "warning", "identities", RuleDoc(
        "财政拨款收入支出决算总表每一类支出的合计，不大于收入支出决算总表同一类的支出。",
        "财政拨款支出是全部支出的一部分；无非财政拨款资金时两者相等。",
        "财政拨款总表教育支出 310.00，总表教育支出 300.00。",
        "核对该类支出在两表中的口径：总表漏计了非财政拨款支出或财政拨款多计的，改正之；"
        "确属口径差异的，写出错说明。"),
        identities=(Equation(("T4.expense.{k}.total",), ("T1.expense.{k}.amount",), "<="),),
        explainable=True),
    Rule("X12", "财政拨款结转结余不超过总表结转结余", "warning", "identities", RuleDoc(
        "财政拨款的年初、年末结转和结余，分别不大于收入支出决算总表的年初、年末结转和结余。",
        "财政拨款结转结余是全部结转结余的一部分。",
        "财政拨款年末结转和结余 120.00，总表年末结转和结余 100.00。",
        "按上年决算核对年初数、按“年初 + 收入 − 支出”核对年末数；非财政拨款结余为负等"
        "特殊情况，写出错说明。"),
        identities=(Equation(("T4.income.opening.amount",),
                             ("T1.income.opening_balance.amount",), "<="),
                    Equation(("T4.expense.closing.total",),
                             ("T1.expense.closing_balance.amount",), "<=")),
        explainable=True),
    Rule("X13", "非财政拨款资金自身平衡", "error", "identities", RuleDoc(
        "收入支出决算总表减去财政拨款收入支出决算总表得到非财政拨款资金，它满足：年初结转和"
        "结余 + 本年收入 + 使用非财政拨款结余 = 本年支出 + 结余分配 + 年末结转和结余。",
        "总表减去财政拨款总表即非财政拨款资金，它同样必须满足"
        "年初 + 收入 + 使用结余 = 支出 + 结余分配 + 年末。",
        "非财政拨款：年初 20.00 + 收入 100.00，支出 90.00，年末 40.00。",
        "两张总表各自平衡（T1-e、T4-e）而本规则不成立时，差错在两表共有的数上：逐项比较两表的"
        "收入、支出和结转结余，改正被定位的单元格。"),
        identities=(Equation(("T1.expense.closing_balance.amount", "-T4.expense.closing.total"),
                             ("T1.income.opening_balance.amount", "-T4.income.opening.amount",
                              "T1.income.income_total.amount", "-T4.income.income_total.amount",
                              "T1.income.use_nonfiscal_balance.amount",
                              "-T1.expense.expense_total.amount",
                              "T4.expense.expense_total.total",
                              "-T1.expense.balance_distribution.amount")),)),
    Rule("X14", "支出决算表各类基本支出不少于财政拨款基本支出", "warning", "identities", RuleDoc(
        "支出决算表每一类的基本支出，不小于一般公共预算、政府性基金、国有资本经营三张表同一类"
        "的基本支出之和。",
        "支出决算表的基本支出包含全部资金来源，不应小于一般公共预算及基金、国资的基本支出之和。",
        "支出决算表 201 类基本支出 100.00，一般公共预算表 201 类基本支出 110.00。",
        "核对该类基本支出在各表的划分：把误列为项目支出的改回基本支出，或改正财政拨款表的数；"
        "确有口径差异的，写出错说明。"),
        identities=(Equation(("T5.main.{k}.basic", "T8.main.{k}.exp_basic",
                              "T9.main.{k}.exp_basic"), ("T3.main.{k}.basic",), "<="),),
        explainable=True),
    Rule("X15", "支出决算表各类项目支出不少于财政拨款项目支出", "warning", "identities", RuleDoc(
        "支出决算表每一类的项目支出，不小于一般公共预算、政府性基金、国有资本经营三张表同一类"
        "的项目支出之和。",
        "支出决算表的项目支出包含全部资金来源，不应小于财政拨款项目支出之和。",
        "支出决算表 213 类项目支出 50.00，一般公共预算表 213 类项目支出 60.00。",
        "核对该类项目支出在各表的划分：把误列为基本支出的改回项目支出，或改正财政拨款表的数；"
        "确有口径差异的，写出错说明。"),
        identities=(Equation(("T5.main.{k}.project", "T8.main.{k}.exp_project",
                              "T9.main.{k}.exp_project"), ("T3.main.{k}.project",), "<="),),
        explainable=True),
    Rule("X16", "基本支出中的“三公”相关科目不超过“三公”经费决算数", "warning", "identities",
         RuleDoc(
             "基本支出表的 30212 因公出国（境）费用、30217 公务接待费、30231 公务用车运行维护费、"
             "31013 公务用车购置，分别不大于“三公”经费表对应项目的决算数。",
             "基本支出表只含基本支出，“三公”表含全部财政拨款，前者的因公出国、公务接待、"
             "公务用车科目不应更大。",
             "基本支出表 30217 公务接待费 2.00，三公表公务接待费决算 1.50。",
             "核对“三公”经费统计是否漏计了基本支出中的该项；会议费、培训费等误记在公务接待费"
             "科目的，调整科目。确有口径差异的，写出错说明。"),
         identities=tuple(Equation((f"T6.main.{code}.amount",), (f"T7.main.total.{item}_final",),
                                   "<=") for code, item in _SANGONG_LINES),
         explainable=True),
    Rule("X17", "“三公”经费不超过财政拨款支出合计", "warning", "identities", RuleDoc(
        "“三公”经费表的决算合计，不大于财政拨款收入支出决算总表的本年支出合计。",
        "“三公”经费是财政拨款支出的一部分。", "三公经费合计 1200.00，财政拨款支出合计 900.00。",
        "多为单位混淆（“三公”表以元填列而标万元）或合计多加：核对“三公”表的单位与合计；"
        "确有特殊情况的，写出错说明。"),
        identities=(Equation(("T7.main.total.total_final",),
                             ("T4.expense.expense_total.total",), "<="),),
        explainable=True),
)
