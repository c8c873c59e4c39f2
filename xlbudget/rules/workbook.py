"""Rules that are not linear identities: presence of tables, unreadable cells, names vs codes."""

from __future__ import annotations

from collections.abc import Iterator

from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.findings import Finding
from xlbudget.model import WorkbookModel
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.tables.specs import CODED, NOTED_WHEN_EMPTY, SPECS, TABLES
from xlbudget.tables.text import canon_item, label


def _problems(code: str):
    def check(model: WorkbookModel) -> Iterator[Finding]:
        for p in model.problems:
            if p.code == code:
                yield Finding(p.code, p.severity, p.message,
                              sheet=p.ref.sheet if p.ref else None,
                              cell=p.ref.cell if p.ref else None, actual=p.actual)
    return check


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


def _name_of(code: str) -> str | None:
    return FUNCTION_CLASSES.get(code) or FUNCTION_ITEMS.get(code)


def _same(a: str, b: str) -> bool:
    return canon_item(label(a)).removesuffix("支出") == canon_item(label(b)).removesuffix("支出")


def _names_across_tables(model: WorkbookModel) -> Iterator[Finding]:
    first: dict[str, tuple[str, str, str]] = {}
    for key in CODED:
        t = model.tables.get(key)
        if t is None:
            continue
        for row in t.code_rows():
            if not row.label or row.code is None:
                continue
            seen = first.get(row.code)
            if seen is None:
                first[row.code] = (row.label, t.key, t.sheet)
            elif not _same(seen[0], row.label):
                yield Finding("NM-a", "warning",
                              f"科目 {row.code} 在{SPECS[seen[1]].name}中名为“{seen[0]}”，"
                              f"在{SPECS[key].name}中名为“{row.label}”",
                              sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                              expected=seen[0], certain=False)


def _label_cell(table, row) -> str | None:
    """The cell holding the row's name; its first amount when the name was not in a cell."""
    if row.label_ref is not None:
        return row.label_ref.cell
    a = next(iter(row.values.values()), None)
    return None if a is None else a.ref.cell


def _code_names(rule: str):
    """NM-b: a 类 code whose name is another class's; NM-c: a name outdated for the year."""

    def check(model: WorkbookModel) -> Iterator[Finding]:
        for t in model.tables.values():
            for row in t.code_rows():
                code = row.code or ""
                current = _name_of(code)
                old = OUTDATED.get(code)
                outdated = bool(old and model.year and model.year >= old[1]
                                and _same(row.label, old[0]))
                if rule == "NM-c" and outdated:
                    yield Finding("NM-c", "warning",
                                  f"科目 {code} 的名称“{row.label}”已过时，"
                                  f"{model.year} 年应为“{current}”",
                                  sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                                  expected=current)
                elif (rule == "NM-b" and not outdated and current and row.label
                      and len(code) == 3 and not _same(row.label, current)
                      and t.key in CODED):
                    yield Finding("NM-b", "warning",
                                  f"科目编码 {code} 对应“{current}”，表中名称为“{row.label}”",
                                  sheet=t.sheet, cell=_label_cell(t, row), actual=row.label,
                                  expected=current)

    return check


def _doc(what: str, why: str, example: str, fix: str) -> RuleDoc:
    return RuleDoc(what, why, example, fix)


RULES: tuple[Rule, ...] = (
    Rule("TB-a", "九张表齐全", "info", _doc(
        "检查工作簿中是否能找到九张标准公开表（按表名识别，也识别 表1、公开01表 等工作表名）。",
        "缺表是检查中最常见的公开不完整问题；无数据的表也应公开空表并加说明。",
        "工作簿中没有“国有资本经营预算财政拨款收入支出决算表”。",
        "补齐缺少的表；本单位无数据的，公开空表并在表下注明原因。"), check=_missing_tables),
    Rule("TB-b", "空表应附说明", "warning", _doc(
        '检查空的"三公"表、政府性基金表、国有资本经营表下是否有“本单位无…故本表无数据”的说明。',
        "没有说明的空表会被认为是漏填。",
        "政府性基金预算财政拨款收入支出决算表全部为空，表下无注释。",
        "在表下加注：本单位本年度无政府性基金预算财政拨款收入和支出，故本表无数据。"),
         explainable=True, check=_empty_without_note),
    Rule("TB-c", "同一张表只应出现一次", "warning", _doc(
        "同一张标准表在工作簿中出现多次时，只校验第一张并提示。",
        "重复的表通常是模板残留，容易导致公开口径混乱。",
        "“收入决算表”在表2和表2(旧)两个工作表中各有一份。",
        "删除多余的副本。"), explainable=True, check=_problems("TB-c")),
    Rule("TB-d", "表格未能完整读取", "warning", _doc(
        "识别出的表缺少其规格中必有的金额列（如财政拨款收入支出决算总表的“一般公共预算财政拨款”列）"
        "或固定行（如“本年收入合计”“合计”），报告指出表头所在单元格。",
        "读不全的表无法完整校验：涉及缺失列或行的恒等式不会带着缺项去校验（那会报出假错误），"
        "而是不校验，并在覆盖情况（--coverage）中说明。用户必须知道哪些没有查。",
        "表头第三行“合计 | 一般公共预算财政拨款 | …”的文字与模板不同，支出栏未识别到任何金额列。",
        "把表头文字改为标准写法（见参考表样），或检查表头是否被拆分、合并单元格是否错位；"
        "改后重新校验，覆盖情况中不应再有未校验的规则。"), check=_problems("TB-d")),
    Rule("IN-a", "金额无法识别", "error", _doc(
        "金额单元格中的文字无法识别为数字（如“12,3a”）。",
        "无法识别的金额无法参与校验，公开后也会被读者误读。",
        "单元格内容为“12,3a”。", "改为正确的数字，千分位逗号和小数点要规范。"),
         check=_problems("IN-a")),
    Rule("IN-b", "单元格为错误值", "error", _doc(
        "金额单元格显示 #DIV/0!、#REF! 等错误值。",
        "错误值说明公式引用有误，公开表中不应出现。", "单元格显示 #DIV/0!。",
        "修正公式或改填数值。"), check=_problems("IN-b")),
    Rule("IN-c", "公式没有计算结果", "warning", _doc(
        "金额单元格是公式，但文件中没有保存计算结果（通常由程序生成、未在 Excel 中打开保存）。",
        "没有结果的公式无法校验，也不能当作 0 处理。", "单元格为 =SUM(C8:C20)，无缓存值。",
        "在 Excel 中打开文件、重新计算后保存，再校验。"), check=_problems("IN-c")),
    Rule("IN-d", "未注明金额单位", "info", _doc(
        "表头中没有“单位：万元”或“金额单位：元”。",
        "公开表必须注明单位；单位不明时按万元处理，跨表比较可能出错。",
        "表头只有表名和编制单位。", "在表头右侧注明“单位：万元”。"), check=_problems("IN-d")),
    # Judged by rules.units before any identity, since it changes how amounts are read.
    Rule("IN-e", "金额单位与数值不符（万元/元混淆）", "error", _doc(
        "比较各表之间应当相等的数字（X1–X10）：若某张表与其他表正好相差一万倍，"
        "而其他表彼此一致，则该表的单位行（“单位：万元”或“单位：元”）与数值不符。",
        "万元与元混淆是决算公开中常见的错误，会使该表的全部数字被误读一万倍。",
        "基本支出表标“单位：元”，但数值 2985.51 与一般公共预算支出表的基本支出 2985.51 万元相同。",
        "把单位行改为与数值一致的单位，或把数值换算为所标单位。其后的校验已按正确单位计算。")),
    # Notes of the reader (sources): stray far-away cells left out, a misnamed file format.
    Rule("IN-f", "读取时跳过或另行处理的内容", "warning", _doc(
        "读取文件时未读入或按实际格式另行处理的内容：远离表格区域的零星单元格"
        "（如 XFD1048576 中的一个字），扩展名与内容不符的文件（.xls 被命名为 .xlsx）。",
        "远处的零星单元格通常是误操作留下的，读入它们会使整张工作表变得极大；"
        "扩展名不符会使其他软件打不开文件。校验照常进行，但应让填报人知道哪些内容没有看过。",
        "工作表“表1”中 1 个有内容的单元格（XFD1048576）远离表格区域 A1:L40，未读取。",
        "删除误填的单元格并保存；扩展名不符的，在 Excel 中另存为正确的格式。"),
         check=_problems("IN-f")),
    Rule("NM-a", "同一科目在各表中名称一致", "warning", _doc(
        "同一功能分类科目编码在收入、支出、财政拨款各表中应使用同一名称。",
        "名称不一致说明某张表用了旧模板或填错了编码。",
        "2080505 在收入决算表中为“机关事业单位基本养老保险缴费支出”，"
        "在支出决算表中为“行政单位离退休”。",
        "统一为当年政府收支分类科目的名称。"), explainable=True, check=_names_across_tables),
    Rule("NM-b", "科目编码与名称对应", "warning", _doc(
        "类级科目编码应与当年政府收支分类科目名称对应。",
        "编码与名称不符是科目错填的信号。", "编码 205 对应的名称写成“科学技术支出”。",
        "按政府收支分类科目核对编码和名称。"), explainable=True, check=_code_names("NM-b")),
    Rule("NM-c", "科目名称已过时", "warning", _doc(
        "检查是否仍在使用已改名的科目名称（如 2018 年后的“医疗卫生与计划生育支出”）。",
        "沿用旧名称说明使用了过期模板，公开后会被指出。",
        "2023 年度决算中出现“医疗卫生与计划生育支出”。",
        "改为当年名称，如“卫生健康支出”“文化旅游体育与传媒支出”“行政事业单位养老支出”。"),
         check=_code_names("NM-c")),
    # Added by the batch when a marked copy could not be written; the check itself held.
    Rule("B-mark", "批量标注副本未写出", "info", _doc(
        "批量校验使用 --mark-dir 时，某个文件的标注副本没有写出"
        "（如 .xls 文件，或写出后校验未通过）。",
        "校验结果仍然有效，只是没有可供修改的标注副本。",
        "单位A.xls：.xls 文件不能写入标注副本，请先另存为 .xlsx。",
        "把文件另存为 .xlsx 后，单独运行 xlbudget mark。")),
)
