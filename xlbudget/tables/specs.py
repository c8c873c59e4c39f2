"""The nine standard tables as data: names, column keys and fixed row keys, with aliases.

Patterns are matched against normalised text (``text.norm``/``text.label``, then
``text.canon_item``). A column pattern is a tuple of fragments that must all occur in the
column's joined header text; the first matching key wins, so specific keys come first.

The three kinds of 财政拨款 have short keys, for columns and rows alike (and in ``opening_…``):
``gpb`` the general public budget (一般公共预算), ``fund`` the government fund budget
(政府性基金预算), ``soe`` the state-owned capital operating budget (国有资本经营预算).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str
    name: str
    aliases: tuple[str, ...]
    #: 'coded' (rows by code), 'blocks' (T1/T4 left/right), 'economic' (T6), 'sangong' (T7)
    kind: str
    #: per block: ordered (column key, fragments) pairs
    columns: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)
    #: per block: ordered (row key, label fragments) pairs; matched against the whole label
    rows: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)
    #: the note an empty table carries
    empty_note: str = ""
    #: per block: the fixed rows a complete table has (coded tables: 合计; classes vary)
    fixed_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: column and row keys a published variant may lack (T9's older form without 年初/本年收入/
    #: 年末; T1 of 2019 without 国有资本经营; zero economic lines dropped)
    optional: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def blocks(self) -> tuple[str, ...]:
        return tuple(self.columns) or ("main",)

    def column_keys(self, block: str = "main") -> tuple[str, ...]:
        """The amount columns of ``block`` a complete table has, in header order."""
        if self.kind == "sangong":
            return SANGONG_COLUMNS
        return tuple(dict.fromkeys(k for k, _ in self.columns.get(block, ())))

    def required_columns(self, block: str = "main") -> tuple[str, ...]:
        return tuple(k for k in self.column_keys(block) if k not in self.optional)

    def required_rows(self, block: str = "main") -> tuple[str, ...]:
        return tuple(k for k in self.fixed_rows.get(block, ()) if k not in self.optional)


_T2_COLUMNS = (
    ("superior_subsidy", ("上级补助",)),
    ("business", ("事业收入",)),
    ("operating", ("经营收入",)),
    ("affiliated_remit", ("附属单位",)),
    ("other", ("其他收入",)),
    ("fiscal", ("财政拨款",)),
    ("total", ("合计",)),
    ("total", ("本年收入",)),
)
_T3_COLUMNS = (
    ("basic", ("基本支出",)),
    ("project", ("项目支出",)),
    ("remit_superior", ("上缴上级",)),
    ("operating", ("经营支出",)),
    ("subsidy_affiliated", ("附属单位",)),
    ("total", ("合计",)),
    ("total", ("本年支出",)),
)
_T5_COLUMNS = (
    ("basic", ("基本支出",)),
    ("project", ("项目支出",)),
    ("total", ("合计",)),
    ("total", ("决算数",)),
)
_FUND_COLUMNS = (
    ("opening", ("年初",)),
    ("opening", ("上年结转",)),
    ("closing", ("年末",)),
    ("income", ("本年收入",)),
    ("exp_basic", ("基本支出",)),
    ("exp_project", ("项目支出",)),
    ("exp_total", ("本年支出", "合计")),
    ("exp_total", ("支出合计",)),
    ("exp_total", ("本年支出",)),
    ("exp_total", ("合计",)),
)
_AMOUNT = (("amount", ("决算数",)), ("amount", ("金额",)), ("amount", ("决算",)),
           ("amount", ("数",)))
_MONEY_COLUMNS = (
    ("gpb", ("一般公共预算",)),
    ("fund", ("政府性基金",)),
    ("soe", ("国有资本经营",)),
    ("total", ("合计",)),
)

T1_INCOME_ROWS = (
    ("gpb", ("一般公共预算",)),
    ("fund", ("政府性基金",)),
    ("soe", ("国有资本经营",)),
    ("superior_subsidy", ("上级补助收入",)),
    ("business", ("事业收入",)),
    ("operating", ("经营收入",)),
    ("affiliated_remit", ("附属单位上缴收入",)),
    ("other", ("其他收入",)),
    ("income_total", ("本年收入合计",)),
    ("use_nonfiscal_balance", ("使用非财政拨款结余",)),
    ("opening_balance", ("年初结转和结余",)),
    ("opening_balance", ("上年结转和结余",)),
    ("opening_balance", ("年初结转结余",)),
    ("grand_total", ("总计",)),
)
T1_EXPENSE_ROWS = (
    ("expense_total", ("本年支出合计",)),
    ("balance_distribution", ("结余分配",)),
    ("closing_balance", ("年末结转和结余",)),
    ("closing_balance", ("年末结转结余",)),
    ("grand_total", ("总计",)),
)
T4_INCOME_ROWS = (
    ("income_total", ("本年收入合计",)),
    ("opening", ("年初财政拨款结转和结余",)),
    ("opening", ("年初结转和结余",)),
    ("opening", ("上年结转",)),
    ("gpb", ("一般公共预算",)),
    ("fund", ("政府性基金",)),
    ("soe", ("国有资本经营",)),
    ("grand_total", ("总计",)),
)
T4_EXPENSE_ROWS = (
    ("expense_total", ("本年支出合计",)),
    ("closing", ("年末财政拨款结转和结余",)),
    ("closing", ("年末结转和结余",)),
    ("grand_total", ("总计",)),
)

#: T7 items, most specific first; matched against the lowest header (or row label) naming one.
SANGONG_ITEMS = (
    ("vehicle", ("小计",)),
    ("vehicle", ("购置及运行",)),
    ("vehicle_purchase", ("购置",)),
    ("vehicle_operation", ("运行",)),
    ("abroad", ("出国",)),
    ("reception", ("接待",)),
    ("total", ("合计",)),
    ("total", ("三公",)),
)
SANGONG_KINDS = (("budget", ("预算",)), ("final", ("决算",)))
SANGONG_COLUMNS = tuple(f"{item}_{kind}" for item in ("total", "abroad", "vehicle",
                                                      "vehicle_purchase", "vehicle_operation",
                                                      "reception") for kind, _ in SANGONG_KINDS)

#: Money sources: both T1/T4 row keys and T2/T4 column keys.
_SOURCE_LABELS = {
    "total": "合计", "gpb": "一般公共预算财政拨款", "fund": "政府性基金预算财政拨款",
    "soe": "国有资本经营预算财政拨款", "superior_subsidy": "上级补助收入", "business": "事业收入",
    "operating": "经营收入", "affiliated_remit": "附属单位上缴收入", "other": "其他收入",
}
#: Chinese names of the column keys (messages, coverage, the pandas view).
COLUMN_LABELS: dict[str, str] = {
    **_SOURCE_LABELS, "amount": "金额", "fiscal": "财政拨款收入", "basic": "基本支出",
    "project": "项目支出", "remit_superior": "上缴上级支出",
    "subsidy_affiliated": "对附属单位补助支出", "opening": "年初结转和结余", "income": "本年收入",
    "exp_total": "本年支出合计", "exp_basic": "本年支出·基本支出",
    "exp_project": "本年支出·项目支出", "closing": "年末结转和结余",
}
_SANGONG_LABELS = {"total": "三公经费合计", "abroad": "因公出国（境）费",
                   "vehicle": "公务用车购置及运行费", "vehicle_purchase": "公务用车购置费",
                   "vehicle_operation": "公务用车运行费", "reception": "公务接待费"}
for _item, _zh in _SANGONG_LABELS.items():
    COLUMN_LABELS[f"{_item}_budget"] = f"{_zh}(预算数)"
    COLUMN_LABELS[f"{_item}_final"] = f"{_zh}(决算数)"

#: Chinese names of the fixed row keys.
ROW_LABELS: dict[str, str] = {
    **_SOURCE_LABELS, "income_total": "本年收入合计",
    "use_nonfiscal_balance": "使用非财政拨款结余", "opening_balance": "年初结转和结余",
    "grand_total": "总计", "expense_total": "本年支出合计", "balance_distribution": "结余分配",
    "closing_balance": "年末结转和结余", "opening": "年初财政拨款结转和结余",
    "closing": "年末财政拨款结转和结余", "opening_gpb": "年初结转·一般公共预算财政拨款",
    "opening_fund": "年初结转·政府性基金预算财政拨款",
    "opening_soe": "年初结转·国有资本经营预算财政拨款",
    "personnel_total": "人员经费合计", "public_total": "公用经费合计",
}

def _keys(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k, _ in rows))


TABLES: tuple[TableSpec, ...] = (
    TableSpec("T1", "收入支出决算总表",
              ("部门收支决算总表", "收支决算总表", "部门收入支出决算总表"),
              "blocks", columns={"income": _AMOUNT, "expense": _AMOUNT},
              rows={"income": T1_INCOME_ROWS, "expense": T1_EXPENSE_ROWS},
              fixed_rows={"income": _keys(T1_INCOME_ROWS), "expense": _keys(T1_EXPENSE_ROWS)},
              optional=frozenset({"soe"})),
    TableSpec("T2", "收入决算表", ("收入决算总表", "部门收入决算表"), "coded",
              columns={"main": _T2_COLUMNS}, fixed_rows={"main": ("total",)}),
    TableSpec("T3", "支出决算表", ("支出决算总表", "部门支出决算表"), "coded",
              columns={"main": _T3_COLUMNS}, fixed_rows={"main": ("total",)}),
    TableSpec("T4", "财政拨款收入支出决算总表", ("财政拨款收支决算总表",), "blocks",
              columns={"income": _AMOUNT, "expense": _MONEY_COLUMNS},
              rows={"income": T4_INCOME_ROWS, "expense": T4_EXPENSE_ROWS},
              fixed_rows={"income": (*_keys(T4_INCOME_ROWS), "opening_gpb", "opening_fund",
                                     "opening_soe"),
                          "expense": _keys(T4_EXPENSE_ROWS)}),
    TableSpec("T5", "一般公共预算财政拨款支出决算表", ("一般公共预算支出决算表",), "coded",
              columns={"main": _T5_COLUMNS}, fixed_rows={"main": ("total",)}),
    TableSpec("T6", "一般公共预算财政拨款基本支出决算表",
              ("一般公共预算财政拨款基本支出决算明细表", "基本支出决算明细表", "基本支出决算表"),
              "economic", columns={"main": _AMOUNT},
              fixed_rows={"main": ("personnel_total", "public_total")}),
    TableSpec("T7", "财政拨款“三公”经费支出决算表",
              ("一般公共预算财政拨款“三公”经费支出决算表", "三公经费支出决算表",
               "“三公”经费支出决算表"),
              "sangong", empty_note="本单位本年度无财政拨款安排的“三公”经费支出",
              fixed_rows={"main": ("total",)}),
    TableSpec("T8", "政府性基金预算财政拨款收入支出决算表", ("政府性基金预算财政拨款支出决算表",),
              "coded", columns={"main": _FUND_COLUMNS},
              empty_note="本单位本年度无政府性基金预算财政拨款收入和支出",
              fixed_rows={"main": ("total",)}),
    TableSpec("T9", "国有资本经营预算财政拨款收入支出决算表",
              ("国有资本经营预算财政拨款支出决算表",), "coded", columns={"main": _FUND_COLUMNS},
              empty_note="本单位本年度无国有资本经营预算财政拨款收入和支出",
              fixed_rows={"main": ("total",)},
              optional=frozenset({"opening", "income", "closing"})),
)

SPECS: dict[str, TableSpec] = {t.key: t for t in TABLES}
#: the tables whose rows are classification codes (T2, T3, T5, T8, T9)
CODED: tuple[str, ...] = tuple(t.key for t in TABLES if t.kind == "coded")
#: the fund tables, 政府性基金 and 国有资本经营 (T8, T9): opening, income, spending, closing
FUND: tuple[str, ...] = tuple(t.key for t in TABLES if t.columns.get("main") is _FUND_COLUMNS)
#: the tables a unit without such money publishes empty, with a note (T7, T8, T9)
NOTED_WHEN_EMPTY: tuple[str, ...] = tuple(t.key for t in TABLES if t.empty_note)
