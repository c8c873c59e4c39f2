"""The nine standard tables as data: each table's names, and its columns and fixed rows
(``Field``: key, Chinese label, patterns, optional). Labels, keys and table subsets used by the
rules, the charts, the narrative and the generator are derived from here.

Patterns are matched against normalised text (``text.norm``/``text.label``, then
``text.canon_item``). A column pattern is a tuple of fragments that must all occur in the
column's joined header text; the first matching key wins, so specific keys come first.

The three kinds of 财政拨款 have short keys, for columns and rows alike (and in ``opening_…``):
``gpb`` the general public budget (一般公共预算), ``fund`` the government fund budget
(政府性基金预算), ``soe`` the state-owned capital operating budget (国有资本经营预算).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import takewhile


@dataclass(frozen=True, slots=True)
class Field:
    """A column or a fixed row of a table: its key, its Chinese label, the header (or row label)
    fragments that name it, and whether a published variant may lack it (it then counts as 0).

    A pattern is a tuple of fragments that must all occur in the normalised text; a table's
    patterns are tried in field order, so specific fields come first. A row field ``under``
    another is a part of it printed on the lines after it (T4's 年初 by kind of money): once that
    row is read, its parts are tried first. A field without patterns is found by its table's
    reader (T7's columns by item × 预算/决算; the 合计 of coded tables and T6's totals by label).
    """

    key: str
    label: str
    patterns: tuple[tuple[str, ...], ...] = ()
    optional: bool = False
    under: str | None = None


def _f(key: str, label: str, *patterns: str | tuple[str, ...], optional: bool = False,
       under: str | None = None) -> Field:
    return Field(key, label, tuple((p,) if isinstance(p, str) else p for p in patterns),
                 optional, under)


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str
    name: str
    aliases: tuple[str, ...]
    #: 'coded' (rows by code), 'blocks' (T1/T4 left/right), 'economic' (T6), 'sangong' (T7)
    kind: str
    #: per block: the amount columns, in matching order
    columns: dict[str, tuple[Field, ...]] = field(default_factory=dict)
    #: per block: the fixed rows a complete table has (coded tables: 合计; classes vary)
    rows: dict[str, tuple[Field, ...]] = field(default_factory=dict)
    #: the note an empty table carries
    empty_note: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def blocks(self) -> tuple[str, ...]:
        return tuple(self.columns) or ("main",)

    @property
    def fixed_rows(self) -> dict[str, tuple[str, ...]]:
        return {b: tuple(f.key for f in fs) for b, fs in self.rows.items()}

    @property
    def optional(self) -> frozenset[str]:
        """Column and row keys a published variant may lack (T9's older form without 年初/
        本年收入/年末; T1 of 2019 without 国有资本经营)."""
        return frozenset(f.key for fs in (*self.columns.values(), *self.rows.values())
                         for f in fs if f.optional)

    def column_keys(self, block: str = "main") -> tuple[str, ...]:
        """The amount columns of ``block`` a complete table has."""
        return tuple(f.key for f in self.columns.get(block, ()))

    def required_columns(self, block: str = "main") -> tuple[str, ...]:
        return tuple(f.key for f in self.columns.get(block, ()) if not f.optional)

    def required_rows(self, block: str = "main") -> tuple[str, ...]:
        return tuple(f.key for f in self.rows.get(block, ()) if not f.optional)

    def column_patterns(self, block: str = "main") -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(key, fragments) pairs in matching order."""
        return tuple((f.key, p) for f in self.columns.get(block, ()) for p in f.patterns)

    def row_patterns(self, block: str = "main", read: frozenset[str] | set[str] = frozenset()
                     ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(key, fragments) pairs in matching order, once the rows ``read`` have been read:
        the parts of a row read come first, the parts of a row not read are left out."""
        fields = self.rows.get(block, ())
        ordered = [f for f in fields if f.under in read] + [f for f in fields if f.under is None]
        return tuple((f.key, p) for f in ordered for p in f.patterns)

    def column_label(self, key: str, block: str | None = None) -> str:
        """The Chinese name of a column (the key itself when the table has no such column)."""
        return _label(self.columns, key, block)

    def row_label(self, key: str, block: str | None = None) -> str:
        return _label(self.rows, key, block)


def _label(fields: dict[str, tuple[Field, ...]], key: str, block: str | None) -> str:
    blocks = [block] if block is not None else list(fields)
    return next((f.label for b in blocks for f in fields.get(b, ()) if f.key == key), key)


_T2_COLUMNS = (
    _f("superior_subsidy", "上级补助收入", "上级补助"),
    _f("business", "事业收入", "事业收入"),
    _f("operating", "经营收入", "经营收入"),
    _f("affiliated_remit", "附属单位上缴收入", "附属单位"),
    _f("other", "其他收入", "其他收入"),
    _f("fiscal", "财政拨款收入", "财政拨款"),
    _f("total", "合计", "合计", "本年收入"),
)
_T3_COLUMNS = (
    _f("basic", "基本支出", "基本支出"),
    _f("project", "项目支出", "项目支出"),
    _f("remit_superior", "上缴上级支出", "上缴上级"),
    _f("operating", "经营支出", "经营支出"),
    _f("subsidy_affiliated", "对附属单位补助支出", "附属单位"),
    _f("total", "合计", "合计", "本年支出"),
)
_T5_COLUMNS = (
    _f("basic", "基本支出", "基本支出"),
    _f("project", "项目支出", "项目支出"),
    _f("total", "合计", "合计", "决算数"),
)


def _fund_columns(older_form_lacks: bool) -> tuple[Field, ...]:
    """T8 and T9; T9's older form has only the spending columns."""
    o = older_form_lacks
    return (_f("opening", "年初结转和结余", "年初", "上年结转", optional=o),
            _f("closing", "年末结转和结余", "年末", optional=o),
            _f("income", "本年收入", "本年收入", optional=o),
            _f("exp_basic", "本年支出·基本支出", "基本支出"),
            _f("exp_project", "本年支出·项目支出", "项目支出"),
            _f("exp_total", "本年支出合计", ("本年支出", "合计"), "支出合计", "本年支出", "合计"))


_AMOUNT = (_f("amount", "金额", "决算数", "金额", "决算", "数"),)
_KINDS_ZH = {"gpb": "一般公共预算财政拨款", "fund": "政府性基金预算财政拨款",
             "soe": "国有资本经营预算财政拨款"}
#: the three kinds of 财政拨款, in the order the tables print them
FISCAL_KINDS: tuple[str, ...] = tuple(_KINDS_ZH)
_MONEY_COLUMNS = (
    _f("gpb", _KINDS_ZH["gpb"], "一般公共预算"),
    _f("fund", _KINDS_ZH["fund"], "政府性基金"),
    _f("soe", _KINDS_ZH["soe"], "国有资本经营"),
    _f("total", "合计", "合计"),
)

_T1_INCOME_ROWS = (
    _f("gpb", "一般公共预算财政拨款收入", "一般公共预算"),
    _f("fund", "政府性基金预算财政拨款收入", "政府性基金"),
    # T1 of 2019 had no 国有资本经营 line
    _f("soe", "国有资本经营预算财政拨款收入", "国有资本经营", optional=True),
    _f("superior_subsidy", "上级补助收入", "上级补助收入"),
    _f("business", "事业收入", "事业收入"),
    _f("operating", "经营收入", "经营收入"),
    _f("affiliated_remit", "附属单位上缴收入", "附属单位上缴收入"),
    _f("other", "其他收入", "其他收入"),
    _f("income_total", "本年收入合计", "本年收入合计"),
    _f("use_nonfiscal_balance", "使用非财政拨款结余", "使用非财政拨款结余"),
    _f("opening_balance", "年初结转和结余", "年初结转和结余", "上年结转和结余", "年初结转结余"),
    _f("grand_total", "总计", "总计"),
)
_T1_EXPENSE_ROWS = (
    _f("expense_total", "本年支出合计", "本年支出合计"),
    _f("balance_distribution", "结余分配", "结余分配"),
    _f("closing_balance", "年末结转和结余", "年末结转和结余", "年末结转结余"),
    _f("grand_total", "总计", "总计"),
)
_T4_INCOME_ROWS = (
    _f("income_total", "本年收入合计", "本年收入合计"),
    _f("opening", "年初财政拨款结转和结余", "年初财政拨款结转和结余", "年初结转和结余",
       "上年结转"),
    _f("gpb", _KINDS_ZH["gpb"], "一般公共预算"),
    _f("fund", _KINDS_ZH["fund"], "政府性基金"),
    _f("soe", _KINDS_ZH["soe"], "国有资本经营"),
    _f("grand_total", "总计", "总计"),
    # the three lines under 年初, named like the three kinds of income
    *(_f(f"opening_{k}", f"年初结转·{zh}", frags, under="opening")
      for k, zh, frags in (("gpb", _KINDS_ZH["gpb"], "一般公共预算"),
                           ("fund", _KINDS_ZH["fund"], "政府性基金"),
                           ("soe", _KINDS_ZH["soe"], "国有资本经营"))),
)
_T4_EXPENSE_ROWS = (
    _f("expense_total", "本年支出合计", "本年支出合计"),
    _f("closing", "年末财政拨款结转和结余", "年末财政拨款结转和结余", "年末结转和结余"),
    _f("grand_total", "总计", "总计"),
)
_TOTAL_ROW = (_f("total", "合计"),)

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
_SANGONG_LABELS = {"total": "三公经费合计", "abroad": "因公出国（境）费",
                   "vehicle": "公务用车购置及运行费", "vehicle_purchase": "公务用车购置费",
                   "vehicle_operation": "公务用车运行费", "reception": "公务接待费"}
#: T7's columns: item × 预算数/决算数, found by the reader from the two header levels
_SANGONG_COLUMNS = tuple(_f(f"{item}_{kind}", f"{zh}({kind_zh})")
                         for item, zh in _SANGONG_LABELS.items()
                         for kind, kind_zh in (("budget", "预算数"), ("final", "决算数")))

TABLES: tuple[TableSpec, ...] = (
    TableSpec("T1", "收入支出决算总表",
              ("部门收支决算总表", "收支决算总表", "部门收入支出决算总表"),
              "blocks", columns={"income": _AMOUNT, "expense": _AMOUNT},
              rows={"income": _T1_INCOME_ROWS, "expense": _T1_EXPENSE_ROWS}),
    TableSpec("T2", "收入决算表", ("收入决算总表", "部门收入决算表"), "coded",
              columns={"main": _T2_COLUMNS}, rows={"main": _TOTAL_ROW}),
    TableSpec("T3", "支出决算表", ("支出决算总表", "部门支出决算表"), "coded",
              columns={"main": _T3_COLUMNS}, rows={"main": _TOTAL_ROW}),
    TableSpec("T4", "财政拨款收入支出决算总表", ("财政拨款收支决算总表",), "blocks",
              columns={"income": _AMOUNT, "expense": _MONEY_COLUMNS},
              rows={"income": _T4_INCOME_ROWS, "expense": _T4_EXPENSE_ROWS}),
    TableSpec("T5", "一般公共预算财政拨款支出决算表", ("一般公共预算支出决算表",), "coded",
              columns={"main": _T5_COLUMNS}, rows={"main": _TOTAL_ROW}),
    TableSpec("T6", "一般公共预算财政拨款基本支出决算表",
              ("一般公共预算财政拨款基本支出决算明细表", "基本支出决算明细表", "基本支出决算表"),
              "economic", columns={"main": _AMOUNT},
              rows={"main": (_f("personnel_total", "人员经费合计"),
                             _f("public_total", "公用经费合计"))}),
    TableSpec("T7", "财政拨款“三公”经费支出决算表",
              ("一般公共预算财政拨款“三公”经费支出决算表", "三公经费支出决算表",
               "“三公”经费支出决算表"),
              "sangong", columns={"main": _SANGONG_COLUMNS}, rows={"main": _TOTAL_ROW},
              empty_note="本单位本年度无财政拨款安排的“三公”经费支出"),
    TableSpec("T8", "政府性基金预算财政拨款收入支出决算表", ("政府性基金预算财政拨款支出决算表",),
              "coded", columns={"main": _fund_columns(False)}, rows={"main": _TOTAL_ROW},
              empty_note="本单位本年度无政府性基金预算财政拨款收入和支出"),
    TableSpec("T9", "国有资本经营预算财政拨款收入支出决算表",
              ("国有资本经营预算财政拨款支出决算表",), "coded",
              columns={"main": _fund_columns(True)}, rows={"main": _TOTAL_ROW},
              empty_note="本单位本年度无国有资本经营预算财政拨款收入和支出"),
)

SPECS: dict[str, TableSpec] = {t.key: t for t in TABLES}
#: the tables whose rows are classification codes (T2, T3, T5, T8, T9)
CODED: tuple[str, ...] = tuple(t.key for t in TABLES if t.kind == "coded")
#: the fund tables, 政府性基金 and 国有资本经营 (T8, T9): opening, income, spending, closing
FUND: tuple[str, ...] = tuple(t.key for t in TABLES if "exp_total" in t.column_keys())
#: T1's income lines that make 本年收入合计, in the order T1 prints them
T1_INCOME: tuple[str, ...] = tuple(
    takewhile(lambda k: k != "income_total", SPECS["T1"].fixed_rows["income"]))
#: the tables a unit without such money publishes empty, with a note (T7, T8, T9)
NOTED_WHEN_EMPTY: tuple[str, ...] = tuple(t.key for t in TABLES if t.empty_note)
