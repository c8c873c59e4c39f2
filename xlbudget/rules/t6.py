"""Rules of 一般公共预算财政拨款基本支出决算表 (T6): economic classes and the two totals."""

from __future__ import annotations

from xlbudget.rules.equations import Equation, Tree
from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    Rule("T6-a", "经济分类各类等于所属各款之和", "error", "identities", RuleDoc(
        "基本支出表中每一经济分类类级科目（301 工资福利支出、302 商品和服务支出、303 对个人和"
        "家庭的补助等）= 所属各款之和。",
        "基本支出表中工资福利支出、商品和服务支出等类级数必须等于其明细之和。",
        "301 工资福利支出 300.00，其明细之和 298.00。",
        "按工资、津贴、社保缴费等明细账核对各款，补上漏填的款；明细都对的，改正类级数。"),
        identities=(Tree("T6", "main", None),)),
    Rule("T6-b", "人员经费合计 = 工资福利支出 + 对个人和家庭的补助", "error", "identities",
         RuleDoc(
             "基本支出表：人员经费合计 = 301 工资福利支出 + 303 对个人和家庭的补助。",
             "人员经费由 301 和 303 两类组成，是说明中引用的重要数字。",
             "301 为 300.00，303 为 40.00，人员经费合计 350.00。",
             "先确认 301、303 两类等于其明细（T6-a），再把人员经费合计改为两类之和；"
             "情况说明中引用的人员经费也要随之改正。"),
         identities=(Equation(("T6.main.personnel_total.amount",),
                              ("T6.main.301.amount", "T6.main.303.amount")),)),
    Rule("T6-c", "公用经费合计 = 商品和服务支出 + 资本性支出（及其他公用类）", "error",
         "identities", RuleDoc(
             "基本支出表：公用经费合计 = 302 商品和服务支出 + 307 债务利息及费用支出"
             " + 309 资本性支出（基本建设）+ 310 资本性支出 + 399 其他支出（表中有的各类）。",
             "公用经费由 302、310（及 307/309/399）组成。",
             "302 为 60.00，310 为 5.00，公用经费合计 66.00。",
             "先确认各公用类等于其明细（T6-a），再把公用经费合计改为各类之和；"
             "情况说明中的公用经费也要随之改正。"),
         identities=(Equation(("T6.main.public_total.amount",),
                              tuple(f"T6.main.{c}.amount"
                                    for c in ("302", "307", "309", "310", "399"))),)),
)
