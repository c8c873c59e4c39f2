"""Rules of 财政拨款“三公”经费支出决算表 (T7), for the budget and the final columns."""

from __future__ import annotations

from xlbudget.rules.equations import Equation, NonNegative
from xlbudget.rules.registry import Rule, RuleDoc

#: the budget (预算数) and final (决算数) columns
_SIDES = ("budget", "final")

RULES = (
    Rule("T7-a", "“三公”经费合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费",
         "error", "identities", RuleDoc(
             "“三公”经费表的预算数与决算数各自：合计 = 因公出国（境）费 + 公务用车购置及运行费"
             " + 公务接待费。",
             "“三公”经费合计是社会关注度最高的数字，漏加一项是最常见的错误。",
             "因公出国 1.20 + 公务用车 5.00 + 公务接待 1.57，合计填 7.21（应为 7.77）。",
             "三项按账簿核对后把合计改为三项之和；公务用车一项先满足 T7-b。"
             "情况说明中的“三公”经费总额及增减也要随之改正。"),
         identities=tuple(Equation((f"T7.main.total.total_{k}",),
                                   tuple(f"T7.main.total.{i}_{k}"
                                         for i in ("abroad", "vehicle", "reception")))
                          for k in _SIDES)),
    Rule("T7-b", "公务用车购置及运行费 = 购置费 + 运行费", "error", "identities", RuleDoc(
        "“三公”经费表的预算数与决算数各自：公务用车购置及运行费 = 公务用车购置费"
        " + 公务用车运行费。",
        "公务用车小计必须等于购置费与运行维护费之和。",
        "购置费 0.00，运行费 5.00，小计 4.50。",
        "按车辆购置和运行维护的账簿核对两项后改正小计；小计变动时，“三公”经费合计（T7-a）"
        "也要随之改正。"),
        identities=tuple(Equation((f"T7.main.total.vehicle_{k}",),
                                  (f"T7.main.total.vehicle_purchase_{k}",
                                   f"T7.main.total.vehicle_operation_{k}")) for k in _SIDES)),
    Rule("T7-c", "“三公”经费各项不得为负数", "error", "identities", RuleDoc(
        "“三公”经费表中每一个金额都不小于零。",
        "经费支出不可能为负数，负数通常是录入错误或红字冲销误填。", "公务接待费 -0.50。",
        "改为实际支出数；冲销应在账务中处理，不在公开表中填负数。"),
        identities=(NonNegative("T7"),)),
)
