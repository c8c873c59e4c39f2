"""Rules on how the amounts were read (IN-…): unreadable text, error values, formulas without
a result, a missing unit, a unit contradicting the figures (judged in ``units``), content
left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from xlbudget.findings import Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.rules.units import judge_units


def noted(code: str) -> Callable[[WorkbookModel], Iterator[Finding]]:
    """The check of a rule the reader applies while reading: the problems it noted."""

    def check(model: WorkbookModel) -> Iterator[Finding]:
        for p in model.problems:
            if p.code == code:
                yield Finding(p.code, p.severity, p.message,
                              sheet=p.ref.sheet if p.ref else None,
                              cell=p.ref.cell if p.ref else None, actual=p.actual)
    return check



RULES = (
    Rule("IN-a", "金额无法识别", "error", "read", RuleDoc(
        "金额单元格中的文字无法识别为数字（如“12,3a”）。",
        "无法识别的金额无法参与校验，公开后也会被读者误读。",
        "单元格内容为“12,3a”。", "改为正确的数字，千分位逗号和小数点要规范。"),
         check=noted("IN-a")),
    Rule("IN-b", "单元格为错误值", "error", "read", RuleDoc(
        "金额单元格显示 #DIV/0!、#REF! 等错误值。",
        "错误值说明公式引用有误，公开表中不应出现。", "单元格显示 #DIV/0!。",
        "修正公式或改填数值。"), check=noted("IN-b")),
    Rule("IN-c", "公式没有计算结果", "warning", "read", RuleDoc(
        "金额单元格是公式，但文件中没有保存计算结果（通常由程序生成、未在 Excel 中打开保存）。",
        "没有结果的公式无法校验，也不能当作 0 处理。", "单元格为 =SUM(C8:C20)，无缓存值。",
        "在 Excel 中打开文件、重新计算后保存，再校验。"), check=noted("IN-c")),
    Rule("IN-d", "未注明金额单位", "info", "read", RuleDoc(
        "表头中没有“单位：万元”或“金额单位：元”。",
        "公开表必须注明单位；单位不明时按万元处理，跨表比较可能出错。",
        "表头只有表名和编制单位。", "在表头右侧注明“单位：万元”。"), check=noted("IN-d")),
    # Judged before any identity: it changes how the amounts are read.
    Rule("IN-e", "金额单位与数值不符（万元/元混淆）", "error", "units", RuleDoc(
        "比较各表之间应当相等的数字（X1–X10）：若某张表与其他表正好相差一万倍，"
        "而其他表彼此一致，则该表的单位行（“单位：万元”或“单位：元”）与数值不符。",
        "万元与元混淆是决算公开中常见的错误，会使该表的全部数字被误读一万倍。",
        "基本支出表标“单位：元”，但数值 2985.51 与一般公共预算支出表的基本支出 2985.51 万元相同。",
        "把单位行改为与数值一致的单位，或把数值换算为所标单位。其后的校验已按正确单位计算。"),
        check=judge_units),
    # Notes of the reader (sources): stray far-away cells left out, a misnamed file format.
    Rule("IN-f", "读取时跳过或另行处理的内容", "warning", "read", RuleDoc(
        "读取文件时未读入或按实际格式另行处理的内容：远离表格区域的零星单元格"
        "（如 XFD1048576 中的一个字），扩展名与内容不符的文件（.xls 被命名为 .xlsx）。",
        "远处的零星单元格通常是误操作留下的，读入它们会使整张工作表变得极大；"
        "扩展名不符会使其他软件打不开文件。校验照常进行，但应让填报人知道哪些内容没有看过。",
        "工作表“表1”中 1 个有内容的单元格（XFD1048576）远离表格区域 A1:L40，未读取。",
        "删除误填的单元格并保存；扩展名不符的，在 Excel 中另存为正确的格式。"),
         check=noted("IN-f")),
)
