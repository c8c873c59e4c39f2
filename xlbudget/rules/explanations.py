"""Rules on the 出错说明 (EX-…): an explanation outdated by a changed value or a vanished
problem, or one that cannot be taken. ``xlbudget.explain`` judges them after the findings."""

from __future__ import annotations

from xlbudget.rules.registry import Rule, RuleDoc

STALE_VALUE, STALE_GONE, REFUSED = "EX-a", "EX-b", "EX-c"

_DOC_WHY = "出错说明让可以解释的问题不再反复出现，但它只对写下时的数值有效。"
RULES = (
    Rule(STALE_VALUE, "出错说明已过时：单元格数值已改变", "warning", "explanations", RuleDoc(
        "出错说明写下后，被说明的单元格数值发生了变化。",
        _DOC_WHY + "数值变了，原来的解释未必还成立，所以该问题重新计入警告。",
        "X11 的说明写于总表教育支出为 300.00 时，现在该单元格为 320.00。",
        "复核新数值：解释仍成立的，重新填写说明（xlbudget explain 或「出错说明」按钮）；"
        "否则改正数字并删除说明。")),
    Rule(STALE_GONE, "出错说明已过时：问题已不存在", "warning", "explanations", RuleDoc(
        "出错说明所针对的规则在该单元格已不再报出问题（数字已改正，或工作表已删除）。",
        _DOC_WHY + "留着过时的说明会让审核人误以为问题仍在。",
        "X16 的说明针对基本支出表 B20，但修改后该处已符合规则。",
        "删除这条说明：xlbudget explain 文件 规则 单元格 --remove，"
        "或直接删除“出错说明”表中的该行。")),
    Rule(REFUSED, "出错说明未被采用", "warning", "explanations", RuleDoc(
        "出错说明针对的是“必须修改”类规则、数字差错，或这一行无法读取（缺规则、单元格或说明文字，"
        "规则代码不存在）。",
        "表内算术关系不成立、金额无法识别等问题必须改正，不能用说明代替；无法读取的说明不起作用。",
        "出错说明表中有一行针对 T1-a（本年收入合计等于各项收入之和）。",
        "改正被指出的数字，并删除该行说明；无法读取的行请补全或删除。")),
)
