"""The data of the seven chart sheets (图1–图7), computed from the tables (reference §4).

Last year's figures, needed by the three 变动 charts (图1, 图4, 图5), come from last year's
workbook (:func:`this_year_figures` of that workbook) or from a small file the user fills in
(:func:`read_prior_values`). Amounts are kept in 元 between years and shown in the unit of this
year's table.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlbudget.codes import FUNCTION_CLASSES
from xlbudget.model import UNIT_SCALE, Amount, Table, WorkbookModel
from xlbudget.sources.grid import Grid
from xlbudget.sources.own import REPORT_SHEET, STATE_SHEET
from xlbudget.tables.specs import SPECS
from xlbudget.tables.specs import T1_INCOME as T1_INCOME_KEYS
from xlbudget.tables.text import label as norm_label
from xlbudget.tables.text import norm, parse_amount

#: The figures of last year that the 变动 charts need, by the label the user writes in the file.
PRIOR_KEYS = ("本年收入合计", "本年支出合计", "财政拨款收入总计", "财政拨款支出总计",
              "一般公共预算财政拨款支出")

TITLES = {
    1: "收、支决算总计变动情况",
    2: "收入决算结构",
    3: "支出决算结构",
    4: "财政拨款收、支决算总计变动情况",
    5: "一般公共预算财政拨款支出决算变动情况",
    6: "一般公共预算财政拨款支出决算结构",
    7: "“三公”经费财政拨款支出结构",
}
KINDS = {1: "bar", 2: "pie", 3: "pie", 4: "bar", 5: "bar", 6: "pie", 7: "pie"}
#: the table each chart is drawn from
SOURCES = {n: SPECS[key].name
           for n, key in {1: "T1", 2: "T1", 3: "T3", 4: "T4", 5: "T5", 6: "T5", 7: "T7"}.items()}

T1_INCOME = tuple((k, SPECS["T1"].row_label(k, "income")) for k in T1_INCOME_KEYS)
# T2's 合计 row, when T1 is missing: 财政拨款收入 is one column there.
T2_INCOME = tuple((k, SPECS["T2"].column_label(k))
                  for k in ("fiscal", "superior_subsidy", "business", "operating",
                            "affiliated_remit", "other"))
T3_EXPENSE = tuple((k, SPECS["T3"].column_label(k)) for k in SPECS["T3"].column_keys()
                   if k != "total")
T7_ITEMS = (("abroad_final", "因公出国（境）费"), ("vehicle_final", "公务用车购置及运行维护费"),
            ("reception_final", "公务接待费"))


_NAME = re.compile(r"^\s*图(?:表)?\s*([1-7])(?!\d)")


class PriorValuesError(Exception):
    """A prior-values file that cannot be used; the message is Chinese and names file and line."""


@dataclass(slots=True)
class ChartRow:
    label: str
    #: one value per series, in the chart's unit; the last one is this year
    values: list[Decimal]
    ref: str | None = None


@dataclass(slots=True)
class ChartData:
    number: int
    unit: str
    series: list[str]
    rows: list[ChartRow]
    #: this year's values in 元 by row label (also rows left out of the chart because they are 0)
    expected_yuan: dict[str, Decimal] = field(default_factory=dict)
    note: str | None = None

    @property
    def name(self) -> str:
        return f"图{self.number}"

    @property
    def title(self) -> str:
        return TITLES[self.number]

    @property
    def kind(self) -> str:
        return KINDS[self.number]


def chart_number(grid: Grid) -> int | None:
    """Which chart (1–7) a sheet holds the data of: by its name (图1, 图表1 …), else by a chart
    title in its first rows; None for any other sheet."""
    if grid.name in (REPORT_SHEET, STATE_SHEET):
        return None
    m = _NAME.match(norm(grid.name))
    if m:
        return int(m.group(1))
    titles = {n: norm(t).replace('"', "") for n, t in TITLES.items()}
    for r in range(min(grid.height, 3)):
        for c in range(min(len(grid.rows[r]), 4)):
            text = norm(grid.text(r, c)).replace('"', "")
            if not text or len(text) > 40:
                continue  # a caption, not a paragraph that happens to name a chart
            # longest title first: 图4's title contains 图1's.
            for n, title in sorted(titles.items(), key=lambda kv: -len(kv[1])):
                if title in text:
                    return n
    return None


def _yuan(a: Amount | None) -> Decimal:
    return Decimal(0) if a is None else a.yuan


def _shown(yuan: Decimal, table: Table) -> Decimal:
    return yuan / table.scale


def this_year_figures(model: WorkbookModel) -> dict[str, Decimal]:
    """The five totals of :data:`PRIOR_KEYS` in 元, for the tables the workbook has; on last
    year's workbook these are the prior values of this year's 变动 charts."""
    out: dict[str, Decimal] = {}
    if (t1 := model.table("T1")) is not None:
        if (a := t1.amount("income_total", "amount", "income")) is not None:
            out["本年收入合计"] = a.yuan
        if (a := t1.amount("expense_total", "amount", "expense")) is not None:
            out["本年支出合计"] = a.yuan
    if (t4 := model.table("T4")) is not None:
        if (a := t4.amount("grand_total", "amount", "income")) is not None:
            out["财政拨款收入总计"] = a.yuan
        if (a := t4.amount("grand_total", "total", "expense")) is not None:
            out["财政拨款支出总计"] = a.yuan
    if (t5 := model.table("T5")) is not None and (a := t5.amount("total", "total")) is not None:
        out["一般公共预算财政拨款支出"] = a.yuan
    return out


def read_prior_values(path: Path) -> dict[str, Decimal]:
    """Last year's figures from a small CSV the user fills in: one ``项目,金额`` per line.

    An optional line ``单位,元`` (or 万元, the default) gives the unit. Lines starting with ``#``
    are comments; a blank amount means not known. Amounts may carry thousands separators.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030", errors="strict")
    except OSError as exc:
        raise PriorValuesError(f"{path.name}：无法读取上年数文件（{exc.strerror or exc}）") from exc
    scale = UNIT_SCALE["万元"]
    values: dict[str, Decimal] = {}
    keys = {norm_label(k): k for k in PRIOR_KEYS}
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        name = norm_label(row[0])
        if name in ("项目", "名称"):
            continue
        if len(row) < 2:
            raise PriorValuesError(f"{path.name} 第 {n} 行：应为“项目,金额”两列")
        if name == "单位":
            unit = row[1].strip()
            if unit not in UNIT_SCALE:
                raise PriorValuesError(f"{path.name} 第 {n} 行：不认识的单位“{unit}”")
            scale = UNIT_SCALE[unit]
            continue
        if name not in keys:
            raise PriorValuesError(f"{path.name} 第 {n} 行：不认识的项目“{row[0].strip()}”，"
                                   f"可用的项目：{'、'.join(PRIOR_KEYS)}")
        value, _, ok = parse_amount(row[1])
        if ok and value is None:
            continue  # left blank: that figure is not known, its chart shows this year only
        if not ok or value is None:
            raise PriorValuesError(f"{path.name} 第 {n} 行：金额“{row[1].strip()}”不是数字")
        values[keys[name]] = value
    return {k: v * scale for k, v in values.items()}


def prior_template() -> str:
    """The text of an empty prior-values file for the user to fill in."""
    lines = ["# 上年决算数（填写金额后保存，用于图1、图4、图5）", "单位,万元", "项目,金额"]
    return "\n".join(lines + [f"{k}," for k in PRIOR_KEYS]) + "\n"


def chart_data(model: WorkbookModel, prior: dict[str, Decimal] | None = None
               ) -> tuple[list[ChartData], list[str]]:
    """The chart data this workbook's tables give, and Chinese notes on charts left out."""
    year = model.year
    charts: list[ChartData] = []
    missing: list[str] = []
    builders: dict[int, tuple[str, Callable[[Table], list[tuple[str, Amount | None]]]]] = {
        1: ("T1", lambda t: [("本年收入合计", t.amount("income_total", "amount", "income")),
                             ("本年支出合计", t.amount("expense_total", "amount", "expense"))]),
        2: ("T1", lambda t: [(lbl, t.amount(k, "amount", "income")) for k, lbl in T1_INCOME]),
        3: ("T3", lambda t: [(lbl, t.amount("total", k)) for k, lbl in T3_EXPENSE]),
        4: ("T4", lambda t: [("财政拨款收入总计", t.amount("grand_total", "amount", "income")),
                             ("财政拨款支出总计", t.amount("grand_total", "total", "expense"))]),
        5: ("T5", lambda t: [("一般公共预算财政拨款支出", t.amount("total", "total"))]),
        6: ("T5", lambda t: [(FUNCTION_CLASSES.get(r.code or "", r.label), r.values.get("total"))
                             for r in t.code_rows() if r.level == 1]),
        7: ("T7", lambda t: [(lbl, t.amount("total", k)) for k, lbl in T7_ITEMS]),
    }
    for number, (key, build) in builders.items():
        table = model.table(key)
        if number == 2 and table is None and model.table("T2") is not None:
            table = model.table("T2")
            items = [(lbl, table.amount("total", k)) for k, lbl in T2_INCOME]  # type: ignore[union-attr]
        elif table is None:
            missing.append(f"图{number}（{TITLES[number]}）：工作簿中没有{SOURCES[number]}，未生成")
            continue
        else:
            items = build(table)
        charts.append(_chart(number, table, items, year or table.year, prior))
    return charts, missing


def _chart(number: int, table: Table, items: list[tuple[str, Amount | None]], year: int | None,
           prior: dict[str, Decimal] | None) -> ChartData:
    expected = {lbl: _yuan(a) for lbl, a in items}
    this = f"{year}年" if year else "本年"
    if KINDS[number] == "bar":
        have_prior = prior is not None and all(lbl in prior for lbl, _ in items)
        if have_prior:
            last = f"{year - 1}年" if year else "上年"
            rows = [ChartRow(lbl, [_shown(prior[lbl], table), _shown(_yuan(a), table)],  # type: ignore[index]
                             a.ref.cell if a else None) for lbl, a in items]
            return ChartData(number, table.unit, [last, this], rows, expected)
        rows = [ChartRow(lbl, [_shown(_yuan(a), table)], a.ref.cell if a else None)
                for lbl, a in items]
        return ChartData(number, table.unit, [this], rows, expected,
                         note="注：未提供上年数，本图仅列本年数（可用 --prior 上年决算表 或 "
                              "--prior-values 上年数文件 补充）。")
    # Structure charts leave out zero items: a zero slice is only clutter in a pie.
    rows = [ChartRow(lbl, [_shown(_yuan(a), table)], a.ref.cell if a else None)
            for lbl, a in items if _yuan(a) != 0]
    note = None if rows else f"注：本年{TITLES[number].replace('结构', '')}为零，本图无数据。"
    return ChartData(number, table.unit, [this], rows, expected, note=note)
