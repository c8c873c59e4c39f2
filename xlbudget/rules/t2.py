"""Rules of 收入决算表 (T2): each row's sources add up, and codes add up by level."""

from __future__ import annotations

from xlbudget.rules.equations import RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T2-a", "每行本年收入合计等于各来源收入之和", "error", "identities", RuleDoc(
        "收入决算表每一行：本年收入合计 = 财政拨款收入 + 上级补助收入 + 事业收入 + 经营收入"
        " + 附属单位上缴收入 + 其他收入。",
        "每一功能科目的收入合计应等于财政拨款、上级补助、事业、经营、附属单位上缴和其他收入之和。",
        "行政运行：合计 200.00，财政拨款 180.00，事业收入 15.00。",
        "按资金来源核对该行各列：来源列都有账簿依据的，把合计改为各列之和；"
        "合计正确的，补上漏填的来源列。"),
        identities=(RowSum("T2", "main", "total", ("fiscal", "superior_subsidy", "business",
                                                    "operating", "affiliated_remit",
                                                    "other")),)),
    Rule("T2-b", "收入决算表类、款、项逐级相加", "error", "identities", RuleDoc(
        "收入决算表每一列：合计行 = 各类之和，类 = 所属各款之和，款 = 所属各项之和。",
        "合计等于各类之和，类等于所属各款之和，款等于所属各项之和；明细行重复填列类合计是常见错误。",
        "201 一般公共服务支出 500.00，其下 20103 仅 480.00 而无其他款。",
        "从项级往上核对：补上漏列的款或项，删去重复填列的行；明细都对的，改正上一级的数。"),
        identities=(Tree("T2"),)),
)
