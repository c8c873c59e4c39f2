"""Rules of 国有资本经营预算财政拨款收入支出决算表 (T9)."""

from __future__ import annotations

from xlbudget.rules.equations import RowSum, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T9-a", "国有资本经营支出合计 = 基本支出 + 项目支出", "error", "identities", RuleDoc(
        "国有资本经营表每一行：本年支出合计 = 基本支出 + 项目支出。",
        "国有资本经营支出只分基本支出和项目支出，两者之和不等于合计说明某一列漏填或错填。",
        "合计 5.00，项目 4.00。",
        "国有资本经营支出按项目下达，核对项目账后把合计改为两列之和，或补上漏填的一列。"),
        identities=(RowSum("T9", "main", "exp_total", ("exp_basic", "exp_project")),)),
    Rule("T9-b", "国有资本经营：年初 + 本年收入 − 本年支出 = 年末", "error", "identities",
         RuleDoc(
             "国有资本经营表每一行：年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出。",
             "国有资本经营预算资金按科目结转，每一科目的资金都必须自身平衡。",
             "年初 1.00，收入 5.00，支出 5.00，年末 0.00。",
             "按“年初 + 收入 − 支出”重算该行的年末结转和结余；年末数有账簿依据的，"
             "核对该行的收入或支出，并与财政拨款收入支出决算总表的国资列（X9）对照。"),
         identities=(RowSum("T9", "main", "closing", ("opening", "income", "-exp_total")),)),
    Rule("T9-c", "国有资本经营表类、款、项逐级相加", "error", "identities", RuleDoc(
        "国有资本经营表每一列：合计行 = 各类之和，类 = 所属各款之和，款 = 所属各项之和。",
        "国资支出按科目逐级汇总，合计等于各类之和，类等于各款之和。",
        "合计 5.00，各类之和 4.00。",
        "核对国有资本经营预算支出科目（223 类）的各级数，补上漏列的科目；"
        "明细都对的，改正上一级的数。"),
        identities=(Tree("T9"),)),
)
