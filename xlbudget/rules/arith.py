"""The arithmetic rules of reference §3.1 and §3.2, written as data.

A reference is ``TABLE.block.row.column`` (row: a canonical key or a classification code;
``{k}`` stands for each function class present). Four kinds of rule cover every identity:

- ``Equation``: Σ left (op) Σ right over references (a ``-`` prefix subtracts);
- ``RowSum``: per row of a block, column total = Σ signed part columns;
- ``Tree``: per column, 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (economic: 类 = Σ items);
- ``NonNegative``: every amount of a table ≥ 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from xlbudget.codes import parent_code
from xlbudget.model import Amount, Row, Table, WorkbookModel
from xlbudget.rules.identity import Identity, Term
from xlbudget.tables.specs import SPECS

COLUMN_ZH = {
    "amount": "", "total": "合计", "fiscal": "财政拨款收入", "superior_subsidy": "上级补助收入",
    "business": "事业收入", "operating": "经营收入", "affiliated_remit": "附属单位上缴收入",
    "other": "其他收入", "basic": "基本支出", "project": "项目支出",
    "remit_superior": "上缴上级支出", "subsidy_affiliated": "对附属单位补助支出",
    "gpb": "一般公共预算财政拨款", "fund": "政府性基金预算财政拨款",
    "soe": "国有资本经营预算财政拨款", "opening": "年初结转和结余", "income": "本年收入",
    "exp_total": "本年支出合计", "exp_basic": "本年支出·基本支出",
    "exp_project": "本年支出·项目支出", "closing": "年末结转和结余",
}
_SANGONG_ZH = {"total": "三公经费合计", "abroad": "因公出国（境）费",
               "vehicle": "公务用车购置及运行费",
               "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行费",
               "reception": "公务接待费"}
for _item, _zh in _SANGONG_ZH.items():
    COLUMN_ZH[f"{_item}_budget"] = f"{_zh}(预算数)"
    COLUMN_ZH[f"{_item}_final"] = f"{_zh}(决算数)"


class IdentitySource(Protocol):
    def identities(self, model: WorkbookModel) -> Iterator[Identity]: ...


def describe(table: Table, row: Row, column: str, with_table: bool = True) -> str:
    """A cell in words: '收入决算表 合计·财政拨款收入'."""
    col = COLUMN_ZH.get(column, column)
    if column == "operating":
        col = "经营收入" if table.key == "T2" else "经营支出"
    name = row.label if table.key != "T7" else ""
    text = "·".join(p for p in (name, col) if p) or row.label
    return f"{SPECS[table.key].name} {text}" if with_table else text


def _split(ref: str) -> tuple[int, str, str, str, str]:
    sign = -1 if ref.startswith("-") else 1
    t, block, row, col = ref.lstrip("-").split(".")
    return sign, t, block, row, col


def _find(model: WorkbookModel, t: str, block: str, row: str,
          col: str) -> tuple[Row, Amount] | None:
    table = model.tables.get(t)
    if table is None:
        return None
    r = table.code_row(row, block) if row.isdigit() else table.row(row, block)
    if r is None or col not in r.values:
        return None
    return r, r.values[col]


def _make(rule: str, op: str, terms: list[tuple[int, Table, Row, str, Amount]],
          n_left: int, suffix: str = "") -> Identity | None:
    # left - right (op) 0: left terms keep their sign, right terms flip. Built in one loop with
    # tuple.__new__ because this runs for every identity of every file.
    signed: list[Term] = []
    for i, (s, _, _, _, a) in enumerate(terms):
        if a.unknown:
            return None
        signed.append(tuple.__new__(Term, (s if i < n_left else -s, a)))
    if not signed:
        return None

    def text() -> str:
        same_table = len({t.key for _, t, *_ in terms}) == 1
        words = []
        for i, (sign, table, row, col, _) in enumerate(terms):
            w = describe(table, row, col, with_table=not same_table)
            if i == n_left:
                w = ("≤ " if op == "<=" else "= ") + w
            elif i:
                w = ("− " if sign < 0 else "+ ") + w
            words.append(w)
        out = " ".join(words) + suffix
        return f"{SPECS[terms[0][1].key].name}：{out}" if same_table else out

    return Identity(rule, signed, op, terms[0][4], text)


@dataclass(frozen=True, slots=True)
class Equation:
    """Σ left (op) Σ right. Skipped when the left side's first cell or the whole right is absent,
    except that ``{k}`` rows missing on one side count as zero (a class in one table only)."""

    code: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    op: str = "="

    def identities(self, model: WorkbookModel) -> Iterator[Identity]:
        refs = self.left + self.right
        if any(_split(r)[1] not in model.tables for r in refs[:1] + self.right[:1]):
            return
        if any("{k}" in r for r in refs):
            codes: list[str] = []
            for r in refs:
                _, t, block, _, _ = _split(r)
                if t in model.tables:
                    for row in model.tables[t].code_rows(block):
                        if len(row.code or "") == 3 and row.code not in codes:
                            codes.append(row.code)
            for k in codes:
                ident = self._one(model, [r.replace("{k}", k) for r in self.left],
                                  [r.replace("{k}", k) for r in self.right], per_class=True)
                if ident is not None:
                    yield ident
        else:
            ident = self._one(model, list(self.left), list(self.right), per_class=False)
            if ident is not None:
                yield ident

    def _one(self, model: WorkbookModel, left: list[str], right: list[str],
             per_class: bool) -> Identity | None:
        def resolve(refs: list[str]) -> list[tuple[int, Table, Row, str, Amount]]:
            out = []
            for ref in refs:
                sign, t, block, row, col = _split(ref)
                hit = _find(model, t, block, row, col)
                if hit is not None:
                    out.append((sign, model.tables[t], hit[0], col, hit[1]))
            return out

        lt, rt = resolve(left), resolve(right)
        if per_class:
            if not lt or not rt:
                return None
        elif not lt or not rt or _find(model, *_split(left[0])[1:]) is None:
            return None
        return _make(self.code, self.op, lt + rt, len(lt))


@dataclass(frozen=True, slots=True)
class RowSum:
    """Per row of ``table.block``: ``total`` = Σ ``parts`` (a ``-`` prefix subtracts)."""

    code: str
    table: str
    block: str
    total: str
    parts: tuple[str, ...]

    def identities(self, model: WorkbookModel) -> Iterator[Identity]:
        table = model.tables.get(self.table)
        if table is None:
            return
        for row in table.block_rows(self.block):
            if self.total not in row.values:
                continue
            terms = [(1, table, row, self.total, row.values[self.total])]
            for p in self.parts:
                sign = -1 if p.startswith("-") else 1
                col = p.lstrip("-")
                if col in row.values:
                    terms.append((sign, table, row, col, row.values[col]))
            if len(terms) > 1:
                ident = _make(self.code, "=", terms, 1, f"（{row.label}行）")
                if ident is not None:
                    yield ident


@dataclass(frozen=True, slots=True)
class Tree:
    """Per column: the 合计 row = Σ top-level rows; each parent = Σ its children."""

    code: str
    table: str
    block: str = "main"
    total_key: str | None = "total"

    def identities(self, model: WorkbookModel) -> Iterator[Identity]:
        table = model.tables.get(self.table)
        if table is None:
            return
        rows = [r for r in table.block_rows(self.block) if r.code]
        by_code = {r.code: r for r in rows}
        children: dict[str, list[Row]] = {}
        tops: list[Row] = []
        for r in rows:
            parent = parent_code(r.code or "")
            if parent and parent in by_code:
                children.setdefault(parent, []).append(r)
            elif len(r.code or "") == 3:
                tops.append(r)
        total = table.row(self.total_key, self.block) if self.total_key else None
        for col in table.columns:
            if total is not None and col in total.values and tops:
                yield from self._sum(table, total, tops, col)
            for parent_code_, kids in children.items():
                yield from self._sum(table, by_code[parent_code_], kids, col)

    def _sum(self, table: Table, parent: Row, kids: list[Row], col: str) -> Iterator[Identity]:
        if col not in parent.values:
            return
        terms = [(1, table, parent, col, parent.values[col])]
        terms += [(1, table, k, col, k.values[col]) for k in kids if col in k.values]
        ident = _make(self.code, "=", terms, 1)
        if ident is not None:
            yield ident


@dataclass(frozen=True, slots=True)
class NonNegative:
    code: str
    table: str

    def identities(self, model: WorkbookModel) -> Iterator[Identity]:
        table = model.tables.get(self.table)
        if table is None:
            return
        for row in table.rows:
            for col, a in row.values.items():
                if a.value is not None and not a.unknown:
                    yield Identity(self.code, [Term(-1, a)], "<=", a,
                                   lambda t=table, r=row, c=col: f"{describe(t, r, c)} ≥ 0")


_INCOME8 = ("gpb", "fund", "soe", "superior_subsidy", "business", "operating",
            "affiliated_remit", "other")
_SG = ("budget", "final")

#: code -> the identity generators of that rule
ARITHMETIC: dict[str, tuple[IdentitySource, ...]] = {
    "T1-a": (Equation("T1-a", ("T1.income.income_total.amount",),
                      tuple(f"T1.income.{k}.amount" for k in _INCOME8)),),
    "T1-b": (Tree("T1-b", "T1", "expense", "expense_total"),),
    "T1-c": (Equation("T1-c", ("T1.income.grand_total.amount",),
                      ("T1.income.income_total.amount", "T1.income.use_nonfiscal_balance.amount",
                       "T1.income.opening_balance.amount")),),
    "T1-d": (Equation("T1-d", ("T1.expense.grand_total.amount",),
                      ("T1.expense.expense_total.amount", "T1.expense.balance_distribution.amount",
                       "T1.expense.closing_balance.amount")),),
    "T1-e": (Equation("T1-e", ("T1.income.grand_total.amount",),
                      ("T1.expense.grand_total.amount",)),),
    "T2-a": (RowSum("T2-a", "T2", "main", "total", ("fiscal", "superior_subsidy", "business",
                                                    "operating", "affiliated_remit", "other")),),
    "T2-b": (Tree("T2-b", "T2"),),
    "T3-a": (RowSum("T3-a", "T3", "main", "total", ("basic", "project", "remit_superior",
                                                    "operating", "subsidy_affiliated")),),
    "T3-b": (Tree("T3-b", "T3"),),
    "T4-a": (RowSum("T4-a", "T4", "expense", "total", ("gpb", "fund", "soe")),),
    "T4-b": (Equation("T4-b", ("T4.income.income_total.amount",),
                      ("T4.income.gpb.amount", "T4.income.fund.amount", "T4.income.soe.amount")),),
    "T4-c": (Tree("T4-c", "T4", "expense", "expense_total"),),
    "T4-d": (Equation("T4-d", ("T4.income.opening.amount",),
                      ("T4.income.opening_gpb.amount", "T4.income.opening_fund.amount",
                       "T4.income.opening_soe.amount")),),
    "T4-e": (Equation("T4-e", ("T4.income.grand_total.amount",),
                      ("T4.income.income_total.amount", "T4.income.opening.amount")),
             *(Equation("T4-e", (f"T4.expense.grand_total.{c}",),
                        (f"T4.expense.expense_total.{c}", f"T4.expense.closing.{c}"))
               for c in ("total", "gpb", "fund", "soe")),
             Equation("T4-e", ("T4.income.grand_total.amount",),
                      ("T4.expense.grand_total.total",))),
    "T4-f": tuple(Equation("T4-f", (f"T4.income.opening_{m}.amount", f"T4.income.{m}.amount"),
                           (f"T4.expense.expense_total.{m}", f"T4.expense.closing.{m}"))
                  for m in ("gpb", "fund", "soe")),
    "T5-a": (RowSum("T5-a", "T5", "main", "total", ("basic", "project")),),
    "T5-b": (Tree("T5-b", "T5"),),
    "T6-a": (Tree("T6-a", "T6", "main", None),),
    "T6-b": (Equation("T6-b", ("T6.main.personnel_total.amount",),
                      ("T6.main.301.amount", "T6.main.303.amount")),),
    "T6-c": (Equation("T6-c", ("T6.main.public_total.amount",),
                      tuple(f"T6.main.{c}.amount" for c in ("302", "307", "309", "310", "399"))),),
    "T7-a": tuple(Equation("T7-a", (f"T7.main.total.total_{k}",),
                           tuple(f"T7.main.total.{i}_{k}" for i in ("abroad", "vehicle",
                                                                    "reception")))
                  for k in _SG),
    "T7-b": tuple(Equation("T7-b", (f"T7.main.total.vehicle_{k}",),
                           (f"T7.main.total.vehicle_purchase_{k}",
                            f"T7.main.total.vehicle_operation_{k}")) for k in _SG),
    "T7-c": (NonNegative("T7-c", "T7"),),
    "T8-a": (RowSum("T8-a", "T8", "main", "exp_total", ("exp_basic", "exp_project")),),
    "T8-b": (RowSum("T8-b", "T8", "main", "closing", ("opening", "income", "-exp_total")),),
    "T8-c": (Tree("T8-c", "T8"),),
    "T9-a": (RowSum("T9-a", "T9", "main", "exp_total", ("exp_basic", "exp_project")),),
    "T9-b": (RowSum("T9-b", "T9", "main", "closing", ("opening", "income", "-exp_total")),),
    "T9-c": (Tree("T9-c", "T9"),),
    "X1": (Equation("X1", ("T1.income.income_total.amount",), ("T2.main.total.total",)),),
    "X2": (Equation("X2", ("T2.main.total.fiscal",),
                    ("T1.income.gpb.amount", "T1.income.fund.amount", "T1.income.soe.amount")),
           Equation("X2", ("T4.income.income_total.amount",), ("T2.main.total.fiscal",))),
    "X3": tuple(Equation("X3", (f"T1.income.{k}.amount",), (f"T2.main.total.{k}",))
                for k in ("superior_subsidy", "business", "operating", "affiliated_remit",
                          "other")),
    "X4": (Equation("X4", ("T1.expense.expense_total.amount",), ("T3.main.total.total",)),),
    "X5": (Equation("X5", ("T1.expense.{k}.amount",), ("T3.main.{k}.total",)),),
    "X6": tuple(Equation("X6", (f"T1.income.{m}.amount",), (f"T4.income.{m}.amount",))
                for m in ("gpb", "fund", "soe")),
    "X7": (Equation("X7", ("T4.expense.{k}.gpb",), ("T5.main.{k}.total",)),
           Equation("X7", ("T4.expense.expense_total.gpb",), ("T5.main.total.total",))),
    "X8": (Equation("X8", ("T4.income.fund.amount",), ("T8.main.total.income",)),
           Equation("X8", ("T4.expense.expense_total.fund",), ("T8.main.total.exp_total",)),
           Equation("X8", ("T4.income.opening_fund.amount",), ("T8.main.total.opening",)),
           Equation("X8", ("T4.expense.closing.fund",), ("T8.main.total.closing",))),
    "X9": (Equation("X9", ("T4.income.soe.amount",), ("T9.main.total.income",)),
           Equation("X9", ("T4.expense.expense_total.soe",), ("T9.main.total.exp_total",)),
           Equation("X9", ("T4.income.opening_soe.amount",), ("T9.main.total.opening",)),
           Equation("X9", ("T4.expense.closing.soe",), ("T9.main.total.closing",))),
    "X10": (Equation("X10", ("T5.main.total.basic",),
                     ("T6.main.personnel_total.amount", "T6.main.public_total.amount")),),
    "X11": (Equation("X11", ("T4.expense.{k}.total",), ("T1.expense.{k}.amount",), "<="),),
    "X12": (Equation("X12", ("T4.income.opening.amount",), ("T1.income.opening_balance.amount",),
                     "<="),
            Equation("X12", ("T4.expense.closing.total",), ("T1.expense.closing_balance.amount",),
                     "<=")),
    "X13": (Equation("X13", ("T1.expense.closing_balance.amount", "-T4.expense.closing.total"),
                     ("T1.income.opening_balance.amount", "-T4.income.opening.amount",
                      "T1.income.income_total.amount", "-T4.income.income_total.amount",
                      "T1.income.use_nonfiscal_balance.amount",
                      "-T1.expense.expense_total.amount", "T4.expense.expense_total.total",
                      "-T1.expense.balance_distribution.amount")),),
    "X14": (Equation("X14", ("T5.main.{k}.basic", "T8.main.{k}.exp_basic", "T9.main.{k}.exp_basic"),
                     ("T3.main.{k}.basic",), "<="),),
    "X15": (Equation("X15", ("T5.main.{k}.project", "T8.main.{k}.exp_project",
                             "T9.main.{k}.exp_project"), ("T3.main.{k}.project",), "<="),),
    "X16": tuple(Equation("X16", (f"T6.main.{code}.amount",), (f"T7.main.total.{item}_final",),
                          "<=")
                 for code, item in (("30212", "abroad"), ("30217", "reception"),
                                    ("30231", "vehicle_operation"), ("31013", "vehicle_purchase"))),
    "X17": (Equation("X17", ("T7.main.total.total_final",), ("T4.expense.expense_total.total",),
                     "<="),),
}


def identities_of(code: str) -> Callable[[WorkbookModel], Iterator[Identity]]:
    """The ``identities`` callable of an arithmetic rule."""
    gens: tuple[IdentitySource, ...] = ARITHMETIC[code]

    def run(model: WorkbookModel) -> Iterator[Identity]:
        for g in gens:
            yield from g.identities(model)

    return run
