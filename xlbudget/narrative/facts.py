"""The quantities the tables determine, and which narrative subject names which quantity.

A fact is an amount (in 元) read from one table cell, or a sum of cells, with the rounding band
of the shown values so that comparisons are interval comparisons as everywhere else.

Prior-year values: a growth rate or an amount of change needs last year's figure. When the
caller passes last year's workbook model, facts are computed from it with the same keys and the
narrative's changes are checked against the tables of both years. Without it, last year's value
is taken from the text itself (this year's amount minus the stated change) so that a stated
growth rate is still checked against the stated change and this year's table value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.model import Amount, CellRef, WorkbookModel
from xlbudget.tables.refs import Ref
from xlbudget.tables.specs import FISCAL_KINDS, FUND, SPECS, T1_INCOME


@dataclass(slots=True)
class Fact:
    key: str
    label: str
    yuan: Decimal
    band: Decimal
    refs: list[CellRef] = field(default_factory=list)
    #: the fact a share of this quantity is taken of when the text names no base
    share_base: str | None = None
    #: the matching 预算数 fact (三公 items)
    budget: str | None = None

    def related(self) -> list[dict[str, str]]:
        return [{"sheet": r.sheet, "cell": r.cell} for r in self.refs]


Facts = dict[str, Fact]


def _fact(facts: Facts, key: str, label: str, amounts: list[Amount | None],
          share_base: str | None = None, budget: str | None = None) -> None:
    present = [a for a in amounts if a is not None]
    if not present or any(a.unknown for a in present):
        return
    facts[key] = Fact(key, label, sum((a.yuan for a in present), Decimal(0)),
                      sum((a.half_band_yuan for a in present), Decimal(0)),
                      [a.ref for a in present], share_base, budget)


@dataclass(frozen=True, slots=True)
class _Cell:
    """A fact read from one cell; ``ref`` is checked against the specs when this module loads."""

    key: str
    ref: Ref
    label: str
    share_base: str | None = None


def _cell(key: str, ref: str, label: str, share_base: str | None = None) -> _Cell:
    return _Cell(key, Ref.parse(ref), label, share_base)


_CELLS = (
    _cell("in.grand_total", "T1.income.grand_total.amount", "收入总计"),
    _cell("ex.grand_total", "T1.expense.grand_total.amount", "支出总计"),
    _cell("in.income_total", "T1.income.income_total.amount", "本年收入合计"),
    _cell("ex.expense_total", "T1.expense.expense_total.amount", "本年支出合计"),
    _cell("in.use_nonfiscal_balance", "T1.income.use_nonfiscal_balance.amount",
          "使用非财政拨款结余"),
    _cell("in.opening_balance", "T1.income.opening_balance.amount", "年初结转和结余"),
    _cell("ex.balance_distribution", "T1.expense.balance_distribution.amount", "结余分配"),
    _cell("ex.closing_balance", "T1.expense.closing_balance.amount", "年末结转和结余"),
    _cell("T4.income_total", "T4.income.income_total.amount", "财政拨款本年收入合计"),
    _cell("T4.grand_total", "T4.income.grand_total.amount", "财政拨款收支总计"),
    _cell("T4.opening", "T4.income.opening.amount", "年初财政拨款结转和结余"),
    _cell("T4.expense_total", "T4.expense.expense_total.total", "财政拨款本年支出合计"),
    _cell("T4.closing", "T4.expense.closing.total", "年末财政拨款结转和结余"),
    _cell("T5.total", "T5.main.total.total", "一般公共预算财政拨款支出", "ex.expense_total"),
    _cell("T5.basic", "T5.main.total.basic", "一般公共预算财政拨款基本支出", "T5.total"),
    _cell("T5.project", "T5.main.total.project", "一般公共预算财政拨款项目支出", "T5.total"),
    _cell("T6.personnel", "T6.main.personnel_total.amount", "人员经费", "T5.basic"),
    _cell("T6.public", "T6.main.public_total.amount", "公用经费", "T5.basic"),
    _cell("T2.fiscal", "T2.main.total.fiscal", "财政拨款收入", "in.income_total"),
)
#: T3's kinds of spending (basic, project …), with their names
_T3 = {k: SPECS["T3"].column_label(k) for k in SPECS["T3"].column_keys() if k != "total"}
T7_ITEMS = {"total": "“三公”经费", "abroad": "因公出国（境）费", "vehicle": "公务用车购置及运行维护"
                                                                "费",
            "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行维护费",
            "reception": "公务接待费"}
_T89 = {"opening": "年初结转和结余", "income": "本年收入", "exp_total": "本年支出",
        "exp_basic": "基本支出", "exp_project": "项目支出", "closing": "年末结转和结余"}


def table_facts(model: WorkbookModel) -> Facts:
    """Every quantity the narrative may quote, from the model's tables."""
    facts: Facts = {}
    t = model.tables
    for c in _CELLS:
        if c.ref.table in t:
            _fact(facts, c.key, c.label, [c.ref.amount(model)], c.share_base)
    if "T1" in t:
        for k in T1_INCOME:
            _fact(facts, f"in.{k}", SPECS["T1"].row_label(k, "income"),
                  [t["T1"].amount(k, "amount", "income")], "in.income_total")
        for r in t["T1"].code_rows("expense"):
            _fact(facts, f"T1.code.{r.code}", r.label, [r.values.get("amount")], "ex.expense_total")
    if "T3" in t:
        for k, zh in _T3.items():
            _fact(facts, f"T3.{k}", zh, [t["T3"].amount("total", k)], "ex.expense_total")
    if "T4" in t:
        for k in FISCAL_KINDS:
            zh = SPECS["T4"].column_label(k, "expense")
            _fact(facts, f"T4.in.{k}", zh + "收入", [t["T4"].amount(k, "amount", "income")],
                  "T4.income_total")
            _fact(facts, f"T4.ex.{k}", zh + "支出", [t["T4"].amount("expense_total", k, "expense")],
                  "T4.expense_total")
    for tk in ("T5", "T3"):
        if tk in t:
            for r in t[tk].code_rows():
                _fact(facts, f"{tk}.code.{r.code}", r.label, [r.values.get("total")],
                      f"{tk}.total" if tk == "T5" else "ex.expense_total")
    if "T6" in t:
        for r in t["T6"].code_rows():
            _fact(facts, f"T6.code.{r.code}", r.label, [r.values.get("amount")], None)
    if "T7" in t:
        row = t["T7"].row("total") or (t["T7"].rows[0] if t["T7"].rows else None)
        if row is not None:
            for item, zh in T7_ITEMS.items():
                _fact(facts, f"T7.{item}_budget", zh + "预算数", [row.values.get(f"{item}_budget")])
                _fact(facts, f"T7.{item}_final", zh, [row.values.get(f"{item}_final")],
                      None if item == "total" else "T7.total_final", f"T7.{item}_budget")
    for tk in FUND:
        if tk in t:
            for col, zh in _T89.items():
                _fact(facts, f"{tk}.{col}", zh, [t[tk].amount("total", col)],
                      f"{tk}.exp_total" if col.startswith("exp_") and col != "exp_total" else None)
    return facts


# --- subjects to facts ------------------------------------------------------------------------

# Per section: (pattern on the normalised subject, fact key). First match wins, so the more
# specific words come first. Section None applies everywhere after the section's own list.
_LEX: dict[str | None, list[tuple[str, str]]] = {
    "S4": [
        (r"财政拨款收.{0,2}支.{0,2}总计|财政拨款.{0,4}总计", "T4.grand_total"),
        (r"年初.*结转和结余", "T4.opening"), (r"年末.*结转和结余", "T4.closing"),
        (r"一般公共预算财政拨款支出", "T4.ex.gpb"), (r"政府性基金预算财政拨款支出", "T4.ex.fund"),
        (r"国有资本经营预算财政拨款支出", "T4.ex.soe"),
        (r"一般公共预算财政拨款(收入)?$", "T4.in.gpb"),
        (r"政府性基金预算财政拨款(收入)?$", "T4.in.fund"),
        (r"国有资本经营预算财政拨款(收入)?$", "T4.in.soe"),
        (r"收.{0,2}支.{0,2}总计", "T4.grand_total"),
        (r"(本年)?(财政拨款)?收入(合计)?$", "T4.income_total"),
        (r"(本年)?(财政拨款)?支出(合计)?$", "T4.expense_total"),
    ],
    "S3": [(r"^" + zh, f"T3.{k}") for k, zh in _T3.items()] + [
        (r"本年支出合计|支出合计", "ex.expense_total")],
    "S5": [
        (r"一般公共预算财政拨款支出|一般公共预算财政拨款$", "T5.total"),
        # Anchored: "信息化建设项目支出" in a list of projects is that project, not the total.
        (r"^(一般公共预算财政拨款)?基本支出", "T5.basic"),
        (r"^(一般公共预算财政拨款)?项目支出", "T5.project"),
    ],
    "S6": [
        (r"人员经费", "T6.personnel"), (r"公用经费", "T6.public"),
        (r"^(一般公共预算财政拨款)?基本支出", "T5.basic"),
    ],
    "S7": [
        (r"三公.{0,3}经费.*预算", "T7.total_budget"),
        (r"三公", "T7.total_final"),
        (r"因公出国", "T7.abroad_final"),
        (r"公务用车购置及运行", "T7.vehicle_final"),
        (r"(公务用车)?购置(公务用车)?(费|支出)", "T7.vehicle_purchase_final"),
        (r"(公务用车)?运行(维护|维修)?(费|支出)", "T7.vehicle_operation_final"),
        (r"公务接待", "T7.reception_final"),
        (r"^合计", "T7.total_final"),
    ],
    "S8": [(r"政府性基金.*收入", "T8.income"), (r"政府性基金.*支出|^支出", "T8.exp_total"),
           (r"年初", "T8.opening"), (r"年末", "T8.closing")],
    "S9": [(r"国有资本经营.*收入", "T9.income"), (r"国有资本经营.*支出|^支出", "T9.exp_total"),
           (r"年初", "T9.opening"), (r"年末", "T9.closing")],
    None: [
        (r"财政拨款收.{0,2}支.{0,2}总计", "T4.grand_total"),
        (r"^收入总计", "in.grand_total"), (r"^支出总计", "ex.grand_total"),
        (r"收.{0,2}支.{0,2}总计", "in.grand_total"),
        (r"本年收入合计|^收入合计", "in.income_total"),
        (r"本年支出合计|^支出合计", "ex.expense_total"),
        *[(SPECS["T1"].row_label(k, "income"), f"in.{k}") for k in T1_INCOME],
        (r"^财政拨款收入", "T2.fiscal"),
        (r"使用非财政拨款结余", "in.use_nonfiscal_balance"),
        (r"年初结转和结余|上年结转和结余", "in.opening_balance"),
        (r"年末结转和结余", "ex.closing_balance"), (r"结余分配", "ex.balance_distribution"),
    ],
}
_COMPILED = {k: [(re.compile(p), key) for p, key in v] for k, v in _LEX.items()}
_PART = re.compile(r"外宾|外事|其中")
_BOTH = re.compile(r"收.{0,2}支.{0,2}(总计|合计)")
_LEVEL_TAG = re.compile(r"([^()]+?)\((类|款|项)\)")


def norm_name(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"^[\d\s]+|\s+", "", t)
    return t.replace("“", "").replace("”", "").replace('"', "")


def resolve(subject: str, section: str, facts: Facts, position: int = 0,
            model: WorkbookModel | None = None) -> str | None:
    """The fact key a subject names in a section, or None.

    ``position`` is the place in a coordinated list: "收、支总计各增加B和C" names income then
    expense totals.
    """
    if not subject:
        return None
    s = norm_name(subject)
    if section == "S7" and _PART.search(s):
        return None  # 外宾接待, 其中…: a part of a 三公 item, not the item
    if _LEVEL_TAG.search(s):
        return _classified(s, section, facts)
    if section == "S6":
        # Economic items named in the basic-spending paragraph ("基本工资", "办公费").
        for key, fact in facts.items():
            if key.startswith("T6.code.") and norm_name(fact.label) in (s, s.removesuffix("支出")):
                return key
    if _BOTH.search(s) and position == 1:
        key = "T4.grand_total" if section == "S4" or "财政拨款" in s else "ex.grand_total"
        if key == "T4.grand_total" and "T4.grand_total" in facts:
            return key
        return key if key in facts else None
    for sect in (section, None):
        for pat, key in _COMPILED.get(sect, []):
            if pat.search(s):
                # a budget, unless 预算 is only the money's name (一般公共预算财政拨款“三公”经费)
                if key.startswith("T7.") and key.endswith("_final") and "预算" in s.replace(
                        "一般公共预算", ""):
                    key = key.removesuffix("_final") + "_budget"
                return key if key in facts else None
        if sect is None:
            break
    return None


def _classified(s: str, section: str, facts: Facts) -> str | None:
    """A subject named by 类/款/项 tags, e.g. ``一般公共服务(类)财政事务(款)行政运行(项)``."""
    tags = {lvl: name for name, lvl in _LEVEL_TAG.findall(s)}
    table = "T3" if section == "S3" else "T5"
    cls = tags.get("类")
    code = class_code(cls) if cls else None
    if code is None:
        return None
    for lvl, length in (("款", 5), ("项", 7)):
        name = tags.get(lvl)
        if name is None:
            break
        code = _child_code(code, name, length, facts, table)
        if code is None:
            return None
    key = f"{table}.code.{code}"
    return key if key in facts else None


def class_code(name: str) -> str | None:
    """The 类 code of a class name, current or outdated, with or without the trailing 支出."""
    n = norm_name(name).removesuffix("支出")
    for code, zh in FUNCTION_CLASSES.items():
        if zh.removesuffix("支出") == n:
            return code
    for code, (old, _year) in OUTDATED.items():
        if len(code) == 3 and old.removesuffix("支出") == n:
            return code
    return None


def _child_code(parent: str, name: str, length: int, facts: Facts, table: str) -> str | None:
    n = norm_name(name).removesuffix("支出")
    prefix = f"{table}.code."
    for key, fact in facts.items():
        if key.startswith(prefix):
            code = key[len(prefix):]
            if len(code) == length and code.startswith(parent) and (
                    norm_name(fact.label).removesuffix("支出").endswith(n)):
                return code
    for code, zh in FUNCTION_ITEMS.items():
        if len(code) == length and code.startswith(parent) and zh.removesuffix("支出") == n:
            return code
    for code, (old, _year) in OUTDATED.items():
        if len(code) == length and code.startswith(parent) and old.removesuffix("支出") == n:
            return code
    return None
