"""Rule CH-a: chart data sheets that do not match the tables, or still hold template data.

Works on the sheets recognition did not claim (``WorkbookModel.extra_sheets``): each sheet
recognised as the data of 图1–图7 is compared, row by row, with what the tables give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from xlbudget.chart_data import SOURCES, ChartData, chart_data, chart_number
from xlbudget.findings import Finding
from xlbudget.model import UNIT_SCALE, WorkbookModel
from xlbudget.rules.registry import Rule, RuleDoc
from xlbudget.sources.grid import Grid, to_a1
from xlbudget.tables.text import canon_item, is_number_like, label, norm, parse_amount

CODE = "CH-a"
#: Cell texts of Excel's and WPS's chart templates; never a 决算 figure's label.
TEMPLATE_WORDS = frozenset(
    ["欧洲区", "北美区", "亚洲区", "南美区", "非洲区", "大洋洲区", "东部", "西部", "北部", "南部",
     "系列1", "系列2", "系列3", "类别1", "类别2", "类别3", "类别4", "销售额", "第一季度",
     "第二季度", "第三季度", "第四季度", "第1季度", "第2季度", "第3季度", "第4季度",
     "series1", "series2", "series3", "category1", "category2", "category3", "category4"]
    + [f"{m}月" for m in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一",
                           "十二")]
)
_BRACKET_LEVEL = re.compile(r"\((类|款|项)\)")


def match_keys(text: str) -> list[str]:
    """A label folded for matching chart rows with table rows: 一般公共服务（类）支出 gives
    一般公共服务支出 and 一般公共服务 (a class is often written without 支出; short names such as
    项目 are not shortened, so that a 项目 header never matches 项目支出)."""
    s = canon_item(_BRACKET_LEVEL.sub("", label(text)))
    short = s.removesuffix("支出")
    return [s, short] if short != s and len(short) >= 3 else [s]


@dataclass(slots=True)
class _SheetRow:
    r: int
    label: str
    label_col: int
    #: (col, value, shown decimals) of the numeric cells right of the label
    numbers: list[tuple[int, Decimal, int]]


def _rows(grid: Grid) -> list[_SheetRow]:
    out = []
    for r, row in enumerate(grid.rows):
        lab, lc = "", -1
        nums: list[tuple[int, Decimal, int]] = []
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if is_number_like(v):
                if lc >= 0:
                    d, dec, _ = parse_amount(v)
                    nums.append((c, d, dec))  # type: ignore[arg-type]
            elif lc < 0:
                lab, lc = str(v), c
        if lc >= 0:
            out.append(_SheetRow(r, lab, lc, nums))
    return out


def _unit_scale(grid: Grid, default: int) -> int:
    for r in range(min(grid.height, 6)):
        for c in range(len(grid.rows[r])):
            m = re.search(r"单位[:：]?(亿元|万元|千元|元)", norm(grid.text(r, c)))
            if m:
                return UNIT_SCALE[m.group(1)]
    return default


def _fmt(value: Decimal) -> str:
    places = max(2, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:.{places}f}"


def check_chart_sheets(model: WorkbookModel) -> list[Finding]:
    charts, _ = chart_data(model)
    by_number = {ch.number: ch for ch in charts}
    findings: list[Finding] = []
    for grid in model.extra_sheets.values():
        if not isinstance(grid, Grid):
            continue
        n = chart_number(grid)
        if n is None:
            continue
        findings.extend(_check_sheet(grid, n, by_number.get(n), model.year))
    return findings


def _check_sheet(grid: Grid, n: int, ch: ChartData | None, year: int | None) -> list[Finding]:
    template = _template_cells(grid)
    if template:
        # A template sheet is reported once: comparing its rows would only repeat it.
        words = "、".join(dict.fromkeys(t for _, t in template))
        return [Finding(
            CODE, "warning",
            f"图{n}数据表“{grid.name}”仍是图表模板的示例数据（{words}），不是决算表的数据，"
            "请用 xlbudget charts 重新生成",
            grid.name, template[0][0], actual=template[0][1])]
    if ch is None:
        return []
    out: list[Finding] = []
    rows = _rows(grid)
    scale = _unit_scale(grid, UNIT_SCALE.get(ch.unit, 10000))
    col = _this_year_col(grid, year)
    expected: dict[str, tuple[str, Decimal]] = {}
    for k, v in ch.expected_yuan.items():
        for alias in match_keys(k):
            expected.setdefault(alias, (k, v))
    seen: set[str] = set()
    for sr in rows:
        key = next((a for a in match_keys(sr.label) if a in expected), None)
        if key is None:
            if sr.numbers and any(v != 0 for _, v, _ in sr.numbers):
                out.append(Finding(
                    CODE, "warning",
                    f"图{n}数据表“{grid.name}”中的“{sr.label.strip()}”"
                    f"在{SOURCES[n]}中没有对应项目",
                    grid.name, to_a1(sr.r, sr.label_col), actual=sr.label.strip()))
            continue
        name, exp_yuan = expected[key]
        seen.add(name)
        if col is not None:
            cell = next(((c, v, d) for c, v, d in sr.numbers if c == col), None)
        else:
            cell = sr.numbers[-1] if sr.numbers else None
        actual_yuan = Decimal(0) if cell is None else cell[1] * scale
        decimals = 2 if cell is None else cell[2]
        tol = max(Decimal(5).scaleb(-decimals - 1), Decimal("0.005")) * scale
        if abs(actual_yuan - exp_yuan) <= tol:
            continue
        where = to_a1(sr.r, cell[0] if cell else (col if col is not None else sr.label_col + 1))
        exp_shown = _fmt(exp_yuan / scale)
        shown = _fmt(actual_yuan / scale) if cell else "空"
        out.append(Finding(
            CODE, "warning",
            f"图{n}数据表“{grid.name}”中“{name}”为 {shown}，按{SOURCES[n]}应为 {exp_shown}",
            grid.name, where, actual=None if cell is None else _fmt(cell[1]), expected=exp_shown))
    for name, exp_yuan in ch.expected_yuan.items():
        if name not in seen and exp_yuan != 0:
            out.append(Finding(
                CODE, "warning",
                f"图{n}数据表“{grid.name}”缺少“{name}”"
                f"（按{SOURCES[n]}应为 {_fmt(exp_yuan / scale)}）",
                grid.name, None))
    return out


def _template_cells(grid: Grid) -> list[tuple[str, str]]:
    """(A1 address, text) of the cells holding chart-template words, in reading order."""
    return [(to_a1(r, c), v.strip()) for r, row in enumerate(grid.rows)
            for c, v in enumerate(row) if isinstance(v, str) and norm(v).lower() in TEMPLATE_WORDS]


def _this_year_col(grid: Grid, year: int | None) -> int | None:
    """The column whose header names this year (2023年, 本年, 决算数); None: last number."""
    marks = ([f"{year}"] if year else []) + ["本年", "决算数", "本期"]
    for r in range(min(grid.height, 8)):
        for c in range(len(grid.rows[r])):
            v = grid.rows[r][c]
            if isinstance(v, str) and any(m in norm(v) for m in marks):
                return c
    return None


RULES = (Rule(
    code=CODE,
    title="图表数据与决算表不一致或为模板数据",
    severity="warning",
    phase="workbook",
    doc=RuleDoc(
        what="把图1–图7的图表数据表逐行与决算表比较：模板示例数据（欧洲区、北美区、三月、四月等）、"
             "与表中数不一致的数值、决算表中没有的项目、缺少的项目都会报告。",
        why="决算公开报告中的七张图由图表数据表生成；数据表常沿用图表模板或上年的数据，"
            "图与表不一致是公开检查中的常见问题。",
        example="图2数据表中“事业收入”为 120.00，而收入支出决算总表中事业收入为 135.50。",
        fix="运行 xlbudget charts 文件 重新生成图1–图7的数据表和图表；或按“应为”的数改正数据表，"
            "并删除模板示例行。",
    ),
    check=check_chart_sheets,
),)
