"""Rules of 政府性基金预算财政拨款收入支出决算表 (T8)."""

from __future__ import annotations

from xlbudget.rules.equations import RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T8-a", "政府性基金支出合计 = 基本支出 + 项目支出", "error", "identities", RuleDoc(
        "政府性基金表每一行：本年支出合计 = 基本支出 + 项目支出。",
        "政府性基金支出只分基本支出和项目支出，两者之和不等于合计说明某一列漏填或错填。",
        "合计 20.00，基本 0.00，项目 18.00。",
        "基金支出多为项目支出，按项目账核对后把合计改为两列之和，或补上漏填的一列。"),
        identities=(RowSum("T8", "main", "exp_total", ("exp_basic", "exp_project")),)),
    Rule("T8-b", "政府性基金：年初 + 本年收入 − 本年支出 = 年末", "error", "identities",
         RuleDoc(
             "政府性基金表每一行：年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出。",
             "政府性基金专款专用、结余按科目结转，每一科目的基金都必须自身平衡。",
             "年初 0，收入 20.00，支出 18.00，年末 3.00。",
             "按“年初 + 收入 − 支出”重算该行的年末结转和结余；年末数有账簿依据的，"
             "核对该行的收入或支出，并与财政拨款收入支出决算总表的基金列（X8）对照。"),
         identities=(RowSum("T8", "main", "closing", ("opening", "income", "-exp_total")),)),
    Rule("T8-c", "政府性基金表类、款、项逐级相加", "error", "identities", RuleDoc(
        "政府性基金表每一列：合计行 = 各类之和，类 = 所属各款之和，款 = 所属各项之和。",
        "基金支出按基金科目逐级汇总，合计等于各类之和，类等于各款之和。",
        "合计 20.00，各类之和 18.00。",
        "核对基金科目（如 208 类中的大中型水库移民后期扶持基金支出）的各级数，补上漏列的科目；"
        "明细都对的，改正上一级的数。"),
        identities=(Tree("T8"),)),
)
