"""Lay a Dataset out as the nine published tables, in one of several real-world layouts.

Each layout is a ``Style`` (data, not a code path): sheet naming, title block, whether codes are
split into 类|款|项, 行次/栏次 numbering, where 合计 goes, how 三公 and T6 are grouped, unit of T6,
and how numbers and zeros are written. Table builders place cells on a ``_Sheet`` (plain data);
only ``_emit`` touches openpyxl. Every amount cell is recorded in ``Sample.cells`` with the exact
value it shows, so tests and benchmarks know where each figure of the truth went.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

from xlbudget.codes import FUNCTION_CLASSES
from xlbudget.generate.data import (
    FISCAL,
    NONFISCAL_SOURCES,
    T7_ITEMS,
    Dataset,
    Key,
    function_name,
    shown_value,
)
from xlbudget.sources.grid import to_a1

TITLES = {
    "T1": "收入支出决算总表",
    "T2": "收入决算表",
    "T3": "支出决算表",
    "T4": "财政拨款收入支出决算总表",
    "T5": "一般公共预算财政拨款支出决算表",
    "T6": "一般公共预算财政拨款基本支出决算表",
    "T7": "财政拨款“三公”经费支出决算表",
    "T8": "政府性基金预算财政拨款收入支出决算表",
    "T9": "国有资本经营预算财政拨款收入支出决算表",
}
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
_SPENDING = ("本年支出", ("合计", "基本支出", "项目支出"))
T8_HEADERS = ("年初结转和结余", "本年收入", _SPENDING, "年末结转和结余")
LAYOUTS = ("shanghai", "central", "stacked")
STACKED_SHEET = "决算公开表"

_ORDINALS = "一二三四五六七八九十"
_WIDE_SPACE = "\u3000"


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
_CHOICES: dict[str, tuple[object, ...]] = {
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


@dataclass(slots=True)
class Sample:
    """A written sample workbook and where every amount of its Dataset went."""

    path: Path
    layout: str
    dataset: Dataset
    style: Style
    #: table key -> sheet name
    sheets: dict[str, str] = field(default_factory=dict)
    #: amount key -> (sheet, A1 cell)
    cells: dict[Key, tuple[str, str]] = field(default_factory=dict)
    #: amount key -> value the cell shows in its table's unit (None for a blank cell)
    shown: dict[Key, Decimal | None] = field(default_factory=dict)
    #: (table, block, row id) -> (sheet, A1 cell) of the row's label (name) cell
    labels: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    #: table key -> unit of its amounts
    units: dict[str, str] = field(default_factory=dict)
    #: table key -> (sheet, A1 cell) of its title
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)


class _Sheet:
    """Cells of one sheet as plain data: values with a kind that decides their format."""

    def __init__(self, name: str, sample: Sample, rng: random.Random) -> None:
        self.name = name
        self.sample = sample
        self.style = sample.style
        self.rng = rng
        self.cells: dict[tuple[int, int], object] = {}
        self.kinds: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.next_row = 0

    def put(self, r: int, c: int, value: object, kind: str,
            r2: int | None = None, c2: int | None = None) -> None:
        self.cells[(r, c)] = value
        self.kinds[(r, c)] = kind
        r2, c2 = r if r2 is None else r2, c if c2 is None else c2
        if (r2, c2) != (r, c):
            self.merges.append((r, c, r2, c2))
            for rr in range(r, r2 + 1):
                for cc in range(c, c2 + 1):
                    if (rr, cc) != (r, c):
                        self.kinds[(rr, cc)] = kind  # borders over the whole merged area

    def label(self, r: int, c: int, table: str, block: str, row: str, text: str,
              c2: int | None = None) -> None:
        self.put(r, c, text, "label", c2=c2)
        self.sample.labels[(table, block, row)] = (self.name, to_a1(r, c))

    def amount(self, r: int, c: int, key: Key, blank: bool = False) -> None:
        """Write the shown value of ``key``: number, text with separators, or a zero form."""
        unit = self.sample.units[key[0]]
        shown: Decimal | None = shown_value(self.sample.dataset.yuan[key], unit)
        value: object
        if blank:
            value, shown = None, None
        elif shown == 0:
            form = self.rng.choice(self.style.zero)
            value = None if form == "" else form if form == "-" else 0
            shown = None if form == "" else Decimal("0.00")
        elif self.style.text_numbers and self.rng.random() < self.style.text_numbers:
            value = f"{shown:,.2f}"
        else:
            value = float(shown)
        self.put(r, c, value, "amount")
        self.sample.cells[key] = (self.name, to_a1(r, c))
        self.sample.shown[key] = shown

    def code(self, r: int, c: int, code: str) -> None:
        as_number = self.style.codes_as_numbers and not self.style.split_codes
        self.put(r, c, int(code) if as_number else code, "code")


def write(dataset: Dataset, path: str | Path, layout: str = "shanghai", **options: object
          ) -> Sample:
    """Write ``dataset`` as a workbook in ``layout``; ``options`` override fields of its Style."""
    if layout not in PRESETS:
        raise ValueError(f"未知的版式：{layout}（可选：{'、'.join(LAYOUTS)}）")
    fields = {f.name for f in dataclasses.fields(Style)}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise ValueError(f"未知的版式选项：{'、'.join(unknown)}")
    style = dataclasses.replace(PRESETS[layout], **options)  # type: ignore[arg-type]
    for name, allowed in _CHOICES.items():
        if getattr(style, name) not in allowed:
            raise ValueError(f"版式选项 {name} 不能为 {getattr(style, name)!r}"
                             f"（可选：{'、'.join(map(str, allowed))}）")
    sample = Sample(Path(path), layout, dataset, style)
    sample.units = {t: (style.t6_unit if t == "T6" else "万元") for t in TABLE_KEYS}
    rng = random.Random(f"xlbudget-layout:{dataset.seed}:{dataset.year}:{layout}")
    sheets: list[_Sheet] = []
    for t in TABLE_KEYS:
        if style.sheet_names == "stacked":
            if not sheets:
                sheets.append(_Sheet(STACKED_SHEET, sample, rng))
            sheet = sheets[0]
        else:
            name = {"canonical": TITLES[t], "tag": f"公开{t[1:].zfill(2)}表",
                    "number": f"表{t[1:]}"}[style.sheet_names]
            sheet = _Sheet(name[:31], sample, rng)  # Excel's limit on sheet names
            sheets.append(sheet)
        sample.sheets[t] = sheet.name
        used = _BUILDERS[t](sheet, sheet.next_row)
        sheet.next_row += used + 2
    _emit(sample, sheets)
    return sample


def _head(sh: _Sheet, r: int, table: str, width: int) -> int:
    """Tag, title and the 编制单位 / year / unit line; returns the first free row."""
    st, ds = sh.style, sh.sample.dataset
    if st.tag:
        sh.put(r, width - 1, f"公开{table[1:].zfill(2)}表", "meta_right")
        r += 1
    sh.put(r, 0, TITLES[table], "title", c2=width - 1)
    sh.sample.titles[table] = (sh.name, to_a1(r, 0))
    r += 1
    sh.put(r, 0, st.org_label + ds.organisation, "meta", c2=max(0, width // 2 - 1))
    sh.put(r, width // 2, f"{ds.year}年度", "meta_center")
    sh.put(r, width - 1, st.unit_label + sh.sample.units[table], "meta_right")
    return r + 1


def _note(sh: _Sheet, r: int, table: str, width: int) -> int:
    empty = table in EMPTY_NOTES and sh.sample.dataset.is_empty(table)
    sh.put(r, 0, EMPTY_NOTES[table] if empty else NOTES[table], "note", c2=width - 1)
    return r + 1


def _column_numbers(sh: _Sheet, r: int, label_cols: int, first: int, count: int) -> None:
    """The 栏次 row: amount columns numbered 1, 2, … (keys, never amounts)."""
    sh.put(r, 0, "栏次", "header", c2=label_cols - 1)
    for i in range(count):
        sh.put(r, first + i, i + 1, "header")


def _amount_headers(sh: _Sheet, r: int, depth: int, first: int, headers: tuple) -> None:
    """Amount headers over ``depth`` rows; a group puts its text over its leaves."""
    c = first
    for h in headers:
        if isinstance(h, tuple):
            group, leaves = h
            sh.put(r, c, group, "header", c2=c + len(leaves) - 1)
            for i, leaf in enumerate(leaves):
                sh.put(r + 1, c + i, leaf, "header", r2=r + depth - 1)
            c += len(leaves)
        else:
            sh.put(r, c, h, "header", r2=r + depth - 1)
            c += 1


def _code_table(sh: _Sheet, r0: int, table: str, headers: tuple) -> int:
    """T2/T3/T5/T8/T9: 项目 {科目编码, 科目名称} | amounts; rows 合计 and 类/款/项."""
    st, ds = sh.style, sh.sample.dataset
    total_last = table == "T5" and st.t5_total_last
    columns = ds.columns[(table, "main")]
    label_cols = 4 if st.split_codes else 2
    width = label_cols + len(columns)
    r = _head(sh, r0, table, width)
    depth = 3 if st.split_codes else 2
    if st.label_header == "merged":
        last = r + depth - 1
        sh.put(r, 0, "科目编码", "header", r2=last - 1 if st.split_codes else last,
               c2=label_cols - 2)
        sh.put(r, label_cols - 1, "科目名称", "header", r2=last)
        if st.split_codes:
            for i, text in enumerate(("类", "款", "项")):
                sh.put(last, i, text, "header")
    else:
        sh.put(r, 0, "项目", "header", c2=label_cols - 1)
        if st.split_codes:
            sh.put(r + 1, 0, "科目编码", "header", c2=2)
            sh.put(r + 1, 3, "科目名称", "header", r2=r + 2)
            for i, text in enumerate(("类", "款", "项")):
                sh.put(r + 2, i, text, "header")
        else:
            sh.put(r + 1, 0, "科目编码", "header")
            sh.put(r + 1, 1, "科目名称", "header")
    if st.income_group and table in _GROUPS:
        headers = ((_GROUPS[table], ("合计", *headers[1:])),)
    _amount_headers(sh, r, depth, label_cols, headers)
    r += depth
    if st.line_numbers:
        _column_numbers(sh, r, label_cols, label_cols, len(columns))
        r += 1
    empty = table in EMPTY_NOTES and ds.is_empty(table)
    if empty and st.empty_body == "blank":
        for _ in range(3):  # ruled rows with nothing in them
            for c in range(width):
                sh.put(r, c, None, "amount" if c >= label_cols else "label")
            r += 1
        return _note(sh, r, table, width) - r0
    codes = [c for c in ds.rows[(table, "main")] if c != "total"]
    order = [*codes, "total"] if total_last else ["total", *codes]
    for row in order:
        if row == "total":
            sh.label(r, 0, table, "main", row, "合计", c2=label_cols - 1)
        else:
            if st.split_codes:
                for i, part in enumerate((row[:3], row[3:5], row[5:7])):
                    if part:
                        sh.code(r, i, part)
            else:
                sh.code(r, 0, row)
            level = {3: 0, 5: 1, 7: 2}[len(row)]
            text = (_WIDE_SPACE * level if st.indent else "") + ds.names[row]
            sh.label(r, label_cols - 1, table, "main", row, text)
        for i, col in enumerate(columns):
            sh.amount(r, label_cols + i, (table, "main", row, col), blank=empty)
        r += 1
    return _note(sh, r, table, width) - r0


def _two_blocks(sh: _Sheet, r0: int, table: str, left: list, right: list, tail: list,
                right_headers: tuple[str, ...]) -> int:
    """T1/T4: 收入 block left, 支出 block right, bottom rows aligned.

    ``left``/``right`` are body lines (label, key or None); ``tail`` pairs (left line, right
    line). A right key names a row; its amounts are the block's columns in header order.
    """
    st, ds = sh.style, sh.sample.dataset
    ln = 1 if st.line_numbers else 0
    right_cols = ds.columns[(table, "expense")]
    lw = 2 + ln
    width = lw + 1 + ln + len(right_cols)
    r = _head(sh, r0, table, width)
    sh.put(r, 0, "收入", "header", c2=lw - 1)
    sh.put(r, lw, "支出", "header", c2=width - 1)
    r += 1
    # T4 may head its spending columns 本年支出 on one more row, the other headers merged down.
    low = r + 1 if table == "T4" and st.t4_spending_group else r
    sh.put(r, 0, "项目", "header", r2=low)
    sh.put(r, lw, "项目", "header", r2=low)
    if ln:
        sh.put(r, 1, "行次", "header", r2=low)
        sh.put(r, lw + 1, "行次", "header", r2=low)
    sh.put(r, lw - 1, "金额" if ln else "决算数", "header", r2=low)
    if low > r:
        sh.put(r, lw + 1 + ln, "本年支出", "header", c2=width - 1)
    for i, h in enumerate(right_headers):
        sh.put(low, lw + 1 + ln + i, h, "header")
    r = low + 1
    if ln:
        sh.put(r, 0, "栏次", "header")
        sh.put(r, lw, "栏次", "header")
        sh.put(r, lw - 1, 1, "header")
        for i in range(len(right_cols)):
            sh.put(r, lw + 1 + ln + i, i + 2, "header")
        r += 1
    body = max(len(left), len(right))
    lines = [(left[i] if i < len(left) else None, right[i] if i < len(right) else None)
             for i in range(body)] + tail
    numbers = [0, 0]
    for lline, rline in lines:
        for side, line in enumerate((lline, rline)):
            if line is None:
                continue
            text, key = line
            c = 0 if side == 0 else lw
            block = "income" if side == 0 else "expense"
            if key is None:
                sh.put(r, c, text, "label")
            else:
                sh.label(r, c, table, block, key, text)
            if ln:
                numbers[side] += 1
                sh.put(r, c + 1, numbers[side], "code")
            cols = ("amount",) if side == 0 else right_cols
            for i, col in enumerate(cols):
                k = (table, block, key, col)
                if k in ds.yuan:
                    sh.amount(r, c + 1 + ln + i, k)
                else:  # a class the department does not have: a bordered blank
                    sh.put(r, c + 1 + ln + i, None, "amount")
        r += 1
    return _note(sh, r, table, width) - r0


def _class_lines(sh: _Sheet, table: str) -> list:
    """Expenditure class rows by name: the classes used, or every class with ordinals."""
    ds = sh.sample.dataset
    used = [c for c in ds.rows[(table, "expense")] if c.isdigit()]
    if not sh.style.all_classes:
        return [(ds.names[c], c) for c in used]
    return [(ordinal(i + 1) + function_name(c, ds.year), c if c in used else None)
            for i, c in enumerate(FUNCTION_CLASSES)]


def _t1(sh: _Sheet, r0: int) -> int:
    left = [(ordinal(i + 1) + T1_INCOME_LABELS[k], k)
            for i, k in enumerate((*FISCAL, *NONFISCAL_SOURCES))]
    tail = [(("本年收入合计", "income_total"), ("本年支出合计", "expense_total")),
            (("使用非财政拨款结余（含专用结余）", "use_nonfiscal_balance"),
             ("结余分配", "balance_distribution")),
            (("年初结转和结余", "opening_balance"), ("年末结转和结余", "closing_balance")),
            (("总计", "grand_total"), ("总计", "grand_total"))]
    header = "金额" if sh.style.line_numbers else "决算数"
    return _two_blocks(sh, r0, "T1", left, _class_lines(sh, "T1"), tail, (header,))


def _t4(sh: _Sheet, r0: int) -> int:
    pad = _WIDE_SPACE * 2
    left = [(ordinal(i + 1) + T4_INCOME_LABELS[k], k) for i, k in enumerate(FISCAL)]
    tail = [(("本年收入合计", "income_total"), ("本年支出合计", "expense_total")),
            (("年初财政拨款结转和结余", "opening"), ("年末财政拨款结转和结余", "closing"))]
    tail += [((pad + T4_INCOME_LABELS[k], f"opening_{k}"), None) for k in FISCAL]
    tail.append((("总计", "grand_total"), ("总计", "grand_total")))
    headers = ("合计", *(T4_INCOME_LABELS[k] for k in FISCAL))
    return _two_blocks(sh, r0, "T4", left, _class_lines(sh, "T4"), tail, headers)


def _t6(sh: _Sheet, r0: int) -> int:
    """Economic items in blocks of 科目编码 | 科目名称 | 决算数: 人员经费 left, 公用经费 right."""
    st, ds = sh.style, sh.sample.dataset
    codes = [c for c in ds.rows[("T6", "main")] if c.isdigit()]

    def lines(classes: tuple[str, ...]) -> list[str]:
        return [c for c in codes if c[:3] in classes]

    groups = [lines(("301", "303")), lines(("302", "307", "309", "399"))]
    capital = lines(("310",))
    if st.t6_blocks == 3 and capital:
        groups.append(capital)
    else:
        groups[1] += capital
    width = 3 * len(groups)
    r = _head(sh, r0, "T6", width)
    sh.put(r, 0, "人员经费", "header", c2=2)
    sh.put(r, 3, "公用经费", "header", c2=width - 1)
    for b in range(len(groups)):
        for i, text in enumerate(("科目编码", "科目名称", "决算数")):
            sh.put(r + 1, 3 * b + i, text, "header")
    r += 2
    for i in range(max(len(g) for g in groups)):
        for b, group in enumerate(groups):
            if i >= len(group):
                continue
            code = group[i]
            sh.code(r + i, 3 * b, code)
            text = (_WIDE_SPACE if st.indent and len(code) == 5 else "") + ds.names[code]
            sh.label(r + i, 3 * b + 1, "T6", "main", code, text)
            sh.amount(r + i, 3 * b + 2, ("T6", "main", code, "amount"))
    r += max(len(g) for g in groups)
    sh.label(r, 0, "T6", "main", "personnel_total", "人员经费合计", c2=1)
    sh.amount(r, 2, ("T6", "main", "personnel_total", "amount"))
    sh.label(r, 3, "T6", "main", "public_total", "公用经费合计", c2=width - 2)
    sh.amount(r, width - 1, ("T6", "main", "public_total", "amount"))
    return _note(sh, r + 1, "T6", width) - r0


def _t7(sh: _Sheet, r0: int) -> int:
    st = sh.style
    names = {"total": "合计", "abroad": "因公出国（境）费", "vehicle": st.t7_vehicle,
             "vehicle_purchase": "公务用车购置费", "vehicle_operation": st.t7_operation,
             "reception": "公务接待费"}
    key = ("T7", "main", "total")
    if st.t7 == "vertical":
        width = 3
        r = _head(sh, r0, "T7", width)
        for i, text in enumerate(("项目", "预算数", "决算数")):
            sh.put(r, i, text, "header")
        r += 1
        labels = {"vehicle_purchase": "其中：公务用车购置费",
                  "vehicle_operation": _WIDE_SPACE * 3 + st.t7_operation}
        for item in T7_ITEMS:
            sh.put(r, 0, labels.get(item, names[item]), "label")
            sh.amount(r, 1, (*key, f"{item}_budget"))
            sh.amount(r, 2, (*key, f"{item}_final"))
            r += 1
        return _note(sh, r, "T7", width) - r0
    width = 12
    r = _head(sh, r0, "T7", width)

    def item_headers(r: int, c: int, step: int) -> None:
        """合计 / 因公出国 / 车辆 {小计, 购置, 运行} / 接待 over two header rows."""
        for item in ("total", "abroad"):
            sh.put(r, c, names[item], "header", r2=r + 1, c2=c + step - 1)
            c += step
        sh.put(r, c, names["vehicle"], "header", c2=c + 3 * step - 1)
        for sub in ("小计", names["vehicle_purchase"], names["vehicle_operation"]):
            sh.put(r + 1, c, sub, "header", c2=c + step - 1)
            c += step
        sh.put(r, c, names["reception"], "header", r2=r + 1, c2=c + step - 1)

    if st.t7 == "interleaved":
        item_headers(r, 0, 2)
        for i in range(6):
            sh.put(r + 2, 2 * i, "预算数", "header")
            sh.put(r + 2, 2 * i + 1, "决算数", "header")
        order = [f"{item}_{kind}" for item in T7_ITEMS for kind in ("budget", "final")]
    else:
        for h, kind in enumerate(("预算数", "决算数")):
            sh.put(r, 6 * h, kind, "header", c2=6 * h + 5)
            item_headers(r + 1, 6 * h, 1)
        order = [f"{item}_{kind}" for kind in ("budget", "final") for item in T7_ITEMS]
    r += 3
    if st.line_numbers:
        for i in range(width):
            sh.put(r, i, i + 1, "header")
        r += 1
    for i, col in enumerate(order):
        sh.amount(r, i, (*key, col))
    return _note(sh, r + 1, "T7", width) - r0


#: the group header over all amount columns of T2/T3 (``Style.income_group``)
_GROUPS = {"T2": "本年收入", "T3": "本年支出"}

_BUILDERS = {"T1": _t1, "T4": _t4, "T6": _t6, "T7": _t7,
             "T2": partial(_code_table, table="T2", headers=T2_HEADERS),
             "T3": partial(_code_table, table="T3", headers=T3_HEADERS),
             "T5": partial(_code_table, table="T5", headers=(_SPENDING,)),
             "T8": partial(_code_table, table="T8", headers=T8_HEADERS),
             "T9": partial(_code_table, table="T9", headers=T8_HEADERS)}


def _cover(sample: Sample) -> tuple[list[str], list[str]]:
    ds = sample.dataset
    cover = [f"{ds.organisation}", f"{ds.year}年度部门决算", "",
             f"编制单位：{ds.organisation}", f"报送日期：{ds.year + 1}年8月"]
    notes = ["说明", f"一、本公开表反映{ds.organisation}{ds.year}年度部门决算情况。",
             ("二、除“一般公共预算财政拨款基本支出决算表”以元为单位外，其余各表金额单位均为万元。"
              if sample.units["T6"] == "元" else "二、各表金额单位均为万元。"),
             "三、部分合计数与各分项之和因四舍五入存在尾差。"]
    return cover, notes


def _emit(sample: Sample, sheets: list[_Sheet]) -> None:
    """Write the sheets with openpyxl: merges, borders, number formats, column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.worksheet.cell_range import CellRange

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Border()

    def font(size: int = 10, bold: bool = False) -> Font:
        return Font(name="宋体", size=size, bold=bold)

    # Named styles: assigning one is a lookup, while assigning font/border/alignment objects
    # hashes them per cell (most of openpyxl's write time for these small sheets).
    specs = {
        "title": (font(16, True), Alignment(horizontal="center"), plain, "General"),
        "meta": (font(), Alignment(horizontal="left"), plain, "General"),
        "meta_center": (font(), Alignment(horizontal="center"), plain, "General"),
        "meta_right": (font(), Alignment(horizontal="right"), plain, "General"),
        "header": (font(bold=True),
                   Alignment(horizontal="center", vertical="center", wrap_text=True), box,
                   "General"),
        "label": (font(), Alignment(horizontal="left"), box, "General"),
        "code": (font(), Alignment(horizontal="center"), box, "@"),
        "code_number": (font(), Alignment(horizontal="center"), box, "0"),
        "amount": (font(), Alignment(horizontal="right"), box, sample.style.number_format),
        "note": (font(9), Alignment(horizontal="left"), plain, "General"),
    }
    wb = Workbook()
    wb.remove(wb.active)
    for kind, (f, align, border, number_format) in specs.items():
        wb.add_named_style(NamedStyle(f"xlb_{kind}", font=f, alignment=align, border=border,
                                      number_format=number_format))
    if sample.style.sheet_names == "stacked":
        cover, notes = _cover(sample)
        for name, lines in (("封面", cover), ("说明", notes)):
            ws = wb.create_sheet(name)
            for i, text in enumerate(lines):
                ws.cell(i + 1, 1, text)
            ws.column_dimensions["A"].width = 80
    for sh in sheets:
        ws = wb.create_sheet(sh.name)
        for (r, c), kind in sh.kinds.items():
            value = sh.cells.get((r, c))
            cell = ws.cell(r + 1, c + 1, value)
            if kind == "code" and isinstance(value, int):
                kind = "code_number"
            cell.style = f"xlb_{kind}"
        for r1, c1, r2, c2 in sh.merges if sample.style.merges else ():
            # Registered as plain ranges: ws.merge_cells (and MergedCellRange) would work out
            # and re-draw each range's border, which every cell of the range already has; the
            # writer needs only the reference.
            ws.merged_cells.add(CellRange(min_row=r1 + 1, min_col=c1 + 1, max_row=r2 + 1,
                                          max_col=c2 + 1))
        widths: dict[int, float] = {}
        for (_r, c), v in sh.cells.items():
            if sh.kinds[(_r, c)] in ("label", "amount", "code", "header") and v is not None:
                text = str(v)
                w = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
                widths[c] = max(widths.get(c, 8), min(w, 44))
        for c, w in widths.items():
            ws.column_dimensions[to_a1(0, c)[:-1]].width = w
        ws.sheet_view.showGridLines = False
    wb.save(sample.path)
