"""Lay a Dataset out as the nine published tables, in one of several real-world layouts.

Each layout is a ``Style`` (``generate.style``). Table builders place cells on a ``Sheet``
(plain data, ``generate.sheet``); only ``sheet.emit`` touches openpyxl.
"""

from __future__ import annotations

import dataclasses
import random
from functools import partial
from pathlib import Path

from xlbudget.codes import FUNCTION_CLASSES
from xlbudget.generate.dataset import FISCAL, NONFISCAL_SOURCES, T7_ITEMS, Dataset, function_name
from xlbudget.generate.sheet import Sample, Sheet, emit
from xlbudget.generate.style import (
    CHOICES,
    EMPTY_NOTES,
    LAYOUTS,
    NOTES,
    PRESETS,
    SPENDING,
    STACKED_SHEET,
    T1_INCOME_LABELS,
    T2_HEADERS,
    T3_HEADERS,
    T4_INCOME_LABELS,
    T8_HEADERS,
    TABLE_KEYS,
    TITLES,
    WIDE_SPACE,
    Style,
    ordinal,
)
from xlbudget.sources.grid import to_a1

__all__ = ["LAYOUTS", "Sample", "write"]


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
    for name, allowed in CHOICES.items():
        if getattr(style, name) not in allowed:
            raise ValueError(f"版式选项 {name} 不能为 {getattr(style, name)!r}"
                             f"（可选：{'、'.join(map(str, allowed))}）")
    sample = Sample(Path(path), layout, dataset, style)
    sample.units = {t: (style.t6_unit if t == "T6" else "万元") for t in TABLE_KEYS}
    rng = random.Random(f"xlbudget-layout:{dataset.seed}:{dataset.year}:{layout}")
    sheets: list[Sheet] = []
    for t in TABLE_KEYS:
        if style.sheet_names == "stacked":
            if not sheets:
                sheets.append(Sheet(STACKED_SHEET, sample, rng))
            sheet = sheets[0]
        else:
            name = {"canonical": TITLES[t], "tag": f"公开{t[1:].zfill(2)}表",
                    "number": f"表{t[1:]}"}[style.sheet_names]
            sheet = Sheet(name[:31], sample, rng)  # Excel's limit on sheet names
            sheets.append(sheet)
        sample.sheets[t] = sheet.name
        used = _BUILDERS[t](sheet, sheet.next_row)
        sheet.next_row += used + 2
    emit(sample, sheets)
    return sample


def _head(sh: Sheet, r: int, table: str, width: int) -> int:
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


def _note(sh: Sheet, r: int, table: str, width: int) -> int:
    empty = table in EMPTY_NOTES and sh.sample.dataset.is_empty(table)
    sh.put(r, 0, EMPTY_NOTES[table] if empty else NOTES[table], "note", c2=width - 1)
    return r + 1


def _column_numbers(sh: Sheet, r: int, label_cols: int, first: int, count: int) -> None:
    """The 栏次 row: amount columns numbered 1, 2, … (keys, never amounts)."""
    sh.put(r, 0, "栏次", "header", c2=label_cols - 1)
    for i in range(count):
        sh.put(r, first + i, i + 1, "header")


def _amount_headers(sh: Sheet, r: int, depth: int, first: int, headers: tuple) -> None:
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


def _code_table(sh: Sheet, r0: int, table: str, headers: tuple) -> int:
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
            text = (WIDE_SPACE * level if st.indent else "") + ds.names[row]
            sh.label(r, label_cols - 1, table, "main", row, text)
        for i, col in enumerate(columns):
            sh.amount(r, label_cols + i, (table, "main", row, col), blank=empty)
        r += 1
    return _note(sh, r, table, width) - r0


def _two_blocks(sh: Sheet, r0: int, table: str, left: list, right: list, tail: list,
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


def _class_lines(sh: Sheet, table: str) -> list:
    """Expenditure class rows by name: the classes used, or every class with ordinals."""
    ds = sh.sample.dataset
    used = [c for c in ds.rows[(table, "expense")] if c.isdigit()]
    if not sh.style.all_classes:
        return [(ds.names[c], c) for c in used]
    return [(ordinal(i + 1) + function_name(c, ds.year), c if c in used else None)
            for i, c in enumerate(FUNCTION_CLASSES)]


def _t1(sh: Sheet, r0: int) -> int:
    left = [(ordinal(i + 1) + T1_INCOME_LABELS[k], k)
            for i, k in enumerate((*FISCAL, *NONFISCAL_SOURCES))]
    tail = [(("本年收入合计", "income_total"), ("本年支出合计", "expense_total")),
            (("使用非财政拨款结余（含专用结余）", "use_nonfiscal_balance"),
             ("结余分配", "balance_distribution")),
            (("年初结转和结余", "opening_balance"), ("年末结转和结余", "closing_balance")),
            (("总计", "grand_total"), ("总计", "grand_total"))]
    header = "金额" if sh.style.line_numbers else "决算数"
    return _two_blocks(sh, r0, "T1", left, _class_lines(sh, "T1"), tail, (header,))


def _t4(sh: Sheet, r0: int) -> int:
    pad = WIDE_SPACE * 2
    left = [(ordinal(i + 1) + T4_INCOME_LABELS[k], k) for i, k in enumerate(FISCAL)]
    tail = [(("本年收入合计", "income_total"), ("本年支出合计", "expense_total")),
            (("年初财政拨款结转和结余", "opening"), ("年末财政拨款结转和结余", "closing"))]
    tail += [((pad + T4_INCOME_LABELS[k], f"opening_{k}"), None) for k in FISCAL]
    tail.append((("总计", "grand_total"), ("总计", "grand_total")))
    headers = ("合计", *(T4_INCOME_LABELS[k] for k in FISCAL))
    return _two_blocks(sh, r0, "T4", left, _class_lines(sh, "T4"), tail, headers)


def _t6(sh: Sheet, r0: int) -> int:
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
            text = (WIDE_SPACE if st.indent and len(code) == 5 else "") + ds.names[code]
            sh.label(r + i, 3 * b + 1, "T6", "main", code, text)
            sh.amount(r + i, 3 * b + 2, ("T6", "main", code, "amount"))
    r += max(len(g) for g in groups)
    sh.label(r, 0, "T6", "main", "personnel_total", "人员经费合计", c2=1)
    sh.amount(r, 2, ("T6", "main", "personnel_total", "amount"))
    sh.label(r, 3, "T6", "main", "public_total", "公用经费合计", c2=width - 2)
    sh.amount(r, width - 1, ("T6", "main", "public_total", "amount"))
    return _note(sh, r + 1, "T6", width) - r0


def _t7(sh: Sheet, r0: int) -> int:
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
                  "vehicle_operation": WIDE_SPACE * 3 + st.t7_operation}
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
             "T5": partial(_code_table, table="T5", headers=(SPENDING,)),
             "T8": partial(_code_table, table="T8", headers=T8_HEADERS),
             "T9": partial(_code_table, table="T9", headers=T8_HEADERS)}
