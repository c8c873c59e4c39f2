"""How the generator shows the tables: their titles and notes, and the layout ``Style`` (data,
not a code path) with its presets. A layout decides sheet naming, the title block, whether codes
are split into 类|款|项, 行次/栏次 numbering, where 合计 goes, how headers are grouped and merged,
how 三公 and T6 are grouped, the unit of T6, and how numbers and zeros are written.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlbudget.tables.specs import TABLES

#: the names the tables are published under (``tables.specs``)
TITLES = {spec.key: spec.name for spec in TABLES}
TABLE_KEYS = tuple(TITLES)

NOTES = {
    "T1": "注：本表反映部门本年度的总收支和年末结转结余情况。",
    "T2": "注：本表反映部门本年度取得的各项收入情况。",
    "T3": "注：本表反映部门本年度各项支出情况。",
    "T4": "注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算"
          "财政拨款的总收支和年末结转结余情况。",
    "T5": "注：本表反映部门本年度一般公共预算财政拨款实际支出情况。",
    "T6": "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    "T7": "注：本表反映部门本年度“三公”经费支出预决算情况。其中，预算数为“三公”经费年初预算数，"
          "决算数是包括当年一般公共预算财政拨款和以前年度结转资金安排的实际支出。",
    "T8": "注：本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。",
    "T9": "注：本表反映部门本年度国有资本经营预算财政拨款收入、支出及结转和结余情况。",
}
EMPTY_NOTES = {
    "T8": "注：本单位本年度无政府性基金预算财政拨款收入和支出，故本表无数据。",
    "T9": "注：本单位本年度无国有资本经营预算财政拨款收入和支出，故本表无数据。",
}

T1_INCOME_LABELS = {
    "gpb": "一般公共预算财政拨款收入",
    "fund": "政府性基金预算财政拨款收入",
    "soe": "国有资本经营预算财政拨款收入",
    "superior_subsidy": "上级补助收入",
    "business": "事业收入",
    "operating": "经营收入",
    "affiliated_remit": "附属单位上缴收入",
    "other": "其他收入",
}
T4_INCOME_LABELS = {
    "gpb": "一般公共预算财政拨款",
    "fund": "政府性基金预算财政拨款",
    "soe": "国有资本经营预算财政拨款",
}
T2_HEADERS = ("本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
              "附属单位上缴收入", "其他收入")
T3_HEADERS = ("本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出",
              "对附属单位补助支出")
SPENDING = ("本年支出", ("合计", "基本支出", "项目支出"))
T8_HEADERS = ("年初结转和结余", "本年收入", SPENDING, "年末结转和结余")
LAYOUTS = ("shanghai", "central", "stacked")
STACKED_SHEET = "决算公开表"

_ORDINALS = "一二三四五六七八九十"
WIDE_SPACE = "\u3000"


def ordinal(n: int) -> str:
    """1 -> 一、 … 26 -> 二十六、 (Chinese list ordinals)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else _ORDINALS[tens - 1]) + ("十" if tens else "")
    return text + (_ORDINALS[ones - 1] if ones else "") + "、"


@dataclass(frozen=True, slots=True)
class Style:
    """How one layout shows the tables; any field can be overridden in ``write(**options)``."""

    #: 'canonical' (table names), 'tag' (公开01表), 'number' (表1) or 'stacked' (one sheet)
    sheet_names: str = "canonical"
    org_label: str = "编制单位："
    unit_label: str = "单位："
    #: 公开NN表 in the top-right corner of each table
    tag: bool = False
    #: 行次 columns in T1/T4 and 栏次 rows under the headers
    line_numbers: bool = False
    #: codes in three columns 类 | 款 | 项 (201 | 03 | 01) instead of one (2010301)
    split_codes: bool = False
    #: codes written as numbers instead of text (single code column only)
    codes_as_numbers: bool = False
    #: 合计 as the last row of T5 (first row in T2/T3/T8/T9 always)
    t5_total_last: bool = False
    #: T1/T4 list every function class with ordinals (zero classes blank), not only those used
    all_classes: bool = False
    #: 'interleaved' (预算数 决算数 per item), 'blocked' (six 预算数 then six 决算数) or 'vertical'
    t7: str = "interleaved"
    t7_vehicle: str = "公务用车购置及运行费"
    t7_operation: str = "公务用车运行费"
    t6_blocks: int = 2
    t6_unit: str = "万元"
    #: indent 款/项 names with full-width spaces
    indent: bool = False
    #: share of amounts written as text with thousands separators ("20,323.21")
    text_numbers: float = 0.0
    #: how a zero is written: each zero picks one of these ('' = blank cell)
    zero: tuple[str, ...] = ("0.00",)
    number_format: str = "#,##0.00"
    #: write merged ranges; False gives what WPS/HTML exports and Excel on the web send: each
    #: merged text in its top-left cell only, the cells it spans blank
    merges: bool = True
    #: code tables' label header: 'split' (项目 over 科目编码 | 科目名称) or 'merged' (科目编码 and
    #: 科目名称 each merged down the whole header, so a sub-header row has blank label cells)
    label_header: str = "split"
    #: T4's spending block headed 本年支出 over 合计 | 一般公共预算… on a third header row, with
    #: 项目/行次/决算数 merged downwards
    t4_spending_group: bool = False
    #: an empty T8/T9 shows a blank 合计 row ('total') or only blank ruled rows ('blank')
    empty_body: str = "total"
    #: T2/T3 amount columns under one group header 本年收入 / 本年支出 (合计 | 财政拨款收入 | …)
    income_group: bool = False


#: Allowed values of the Style fields that select a code path.
CHOICES: dict[str, tuple[object, ...]] = {
    "sheet_names": ("canonical", "tag", "number", "stacked"),
    "t7": ("interleaved", "blocked", "vertical"),
    "t6_blocks": (2, 3),
    "t6_unit": ("元", "万元"),
    "label_header": ("split", "merged"),
    "empty_body": ("total", "blank"),
}

PRESETS: dict[str, Style] = {
    "shanghai": Style(t5_total_last=True),
    "central": Style(sheet_names="tag", org_label="编制部门：", unit_label="金额单位：", tag=True,
                     line_numbers=True, split_codes=True, all_classes=True, t7="blocked",
                     t7_vehicle="公务用车购置及运行维护费", t7_operation="公务用车运行维护费",
                     t6_blocks=3, indent=True, zero=("",), number_format="0.00"),
    "stacked": Style(sheet_names="stacked", codes_as_numbers=True, t7="vertical",
                     t6_unit="元", indent=True, text_numbers=0.3, zero=("-", "")),
}
