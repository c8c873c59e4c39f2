"""Rules on the tables as a whole (TB-…): all nine present, an empty one explained, none twice,
each read completely."""

from __future__ import annotations

from collections.abc import Iterator

from xlbudget.findings import Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.inputs import noted
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import NOTED_WHEN_EMPTY, SPECS, TABLES


def _missing_tables(model: WorkbookModel) -> Iterator[Finding]:
    for spec in TABLES:
        if spec.key not in model.tables:
            yield Finding("TB-a", "info",
                          f"未找到{spec.name}（{spec.key}）：部门决算应公开全部九张表，"
                          "本单位无数据的表也应以空表加说明的方式公开")


def _empty_without_note(model: WorkbookModel) -> Iterator[Finding]:
    for key in NOTED_WHEN_EMPTY:
        t = model.tables.get(key)
        if t is None or not t.is_empty:
            continue
        if not t.declares_no_data:
            yield Finding("TB-b", "warning",
                          f"{SPECS[key].name}为空表，但表下没有说明；"
                          f"应注明：{SPECS[key].empty_note}，故本表无数据。",
                          sheet=t.sheet, cell=t.range.split(":")[0])


RULES = (
    Rule("TB-a", "九张表齐全", "info", "workbook", RuleDoc(
        "检查工作簿中是否能找到九张标准公开表（按表名识别，也识别 表1、公开01表 等工作表名）。",
        "缺表是检查中最常见的公开不完整问题；无数据的表也应公开空表并加说明。",
        "工作簿中没有“国有资本经营预算财政拨款收入支出决算表”。",
        "补齐缺少的表；本单位无数据的，公开空表并在表下注明原因。"), check=_missing_tables),
    Rule("TB-b", "空表应附说明", "warning", "workbook", RuleDoc(
        '检查空的“三公”表、政府性基金表、国有资本经营表下是否有“本单位无…故本表无数据”的说明。',
        "没有说明的空表会被认为是漏填。",
        "政府性基金预算财政拨款收入支出决算表全部为空，表下无注释。",
        "在表下加注：本单位本年度无政府性基金预算财政拨款收入和支出，故本表无数据。"),
         explainable=True, check=_empty_without_note),
    Rule("TB-c", "同一张表只应出现一次", "warning", "read", RuleDoc(
        "同一张标准表在工作簿中出现多次时，只校验第一张并提示。",
        "重复的表通常是模板残留，容易导致公开口径混乱。",
        "“收入决算表”在表2和表2(旧)两个工作表中各有一份。",
        "删除多余的副本。"), explainable=True, check=noted("TB-c")),
    Rule("TB-d", "表格未能完整读取", "warning", "read", RuleDoc(
        "识别出的表缺少其规格中必有的金额列（如财政拨款收入支出决算总表的“一般公共预算财政拨款”列）"
        "或固定行（如“本年收入合计”“合计”），报告指出表头所在单元格。",
        "读不全的表无法完整校验：涉及缺失列或行的恒等式不会带着缺项去校验（那会报出假错误），"
        "而是不校验，并在覆盖情况（--coverage）中说明。用户必须知道哪些没有查。",
        "表头第三行“合计 | 一般公共预算财政拨款 | …”的文字与模板不同，支出栏未识别到任何金额列。",
        "把表头文字改为标准写法（见参考表样），或检查表头是否被拆分、合并单元格是否错位；"
        "改后重新校验，覆盖情况中不应再有未校验的规则。"), check=noted("TB-d")),
)
