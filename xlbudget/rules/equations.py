"""The four kinds of identity the arithmetic rules (reference §3.1 and §3.2) are written in.

A reference is ``TABLE.block.row.column`` (row: a canonical key or a classification code;
``{k}`` stands for each function class present). Four kinds of rule cover every identity:

- ``Equation``: Σ left (op) Σ right over references (a ``-`` prefix subtracts);
- ``RowSum``: per row of a block, column total = Σ signed part columns;
- ``Tree``: per column, 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (economic: 类 = Σ items);
- ``NonNegative``: every amount of a table ≥ 0.

A rule holds its generators (``Rule.identities``) and passes its code when it builds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from xlbudget.codes import parent_code
from xlbudget.model import Amount, Row, Table, WorkbookModel
from xlbudget.rules.identity import Identity, Term
from xlbudget.tables.refs import Ref
from xlbudget.tables.specs import SPECS

#: A term as rules build it: sign, table, row, column key and the amount.
Term5 = tuple[int, Table, Row, str, Amount]


def describe(table: Table, row: Row, column: str, with_table: bool = True) -> str:
    """A cell in words: '收入决算表 合计·财政拨款收入'."""
    # a table's single amount column is not worth naming
    col = "" if column == "amount" else SPECS[table.key].column_label(column, row.block)
    name = row.label if table.key != "T7" else ""
    text = "·".join(p for p in (name, col) if p) or row.label
    return f"{SPECS[table.key].name} {text}" if with_table else text


def _resolve(model: WorkbookModel, ref: Ref) -> tuple[Term5 | None, str | None]:
    """The cell of ``ref``, or None when it is absent and counts as zero; and, when it can be
    neither, why (the identity is then skipped)."""
    spec, table = SPECS[ref.table], model.tables.get(ref.table)
    if table is None:
        return None, f"缺少{spec.name}"
    if not table.rows and table.declares_no_data:
        return None, None  # 本表无数据: every amount is zero by the table's own statement
    if ref.column not in table.columns_found.get(ref.block, (ref.column,)):
        return None, None if ref.column in spec.optional else \
            f"{spec.name}未识别到“{spec.column_label(ref.column, ref.block)}”列"
    row = ref.row_of(table)
    if row is not None and ref.column in row.values:
        return (ref.sign, table, row, ref.column, row.values[ref.column]), None
    if ref.row in spec.optional or ref.row.isdigit():
        return None, None  # a class or economic line the unit does not have: zero
    if not table.rows:
        return None, f"{spec.name}为空表，没有数据行，也没有注明本表无数据"
    return None, f"{spec.name}未找到“{spec.row_label(ref.row, ref.block)}”行"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An identity of ``rule`` that was not built, and why (said in the coverage report)."""

    rule: str
    reason: str


def _make(rule: str, op: str, terms: list[Term5],
          n_left: int, suffix: str = "") -> Identity | Skipped | None:
    # left - right (op) 0: left terms keep their sign, right terms flip. Built in one loop with
    # tuple.__new__ because this runs for every identity of every file.
    signed: list[Term] = []
    for i, (s, _, _, _, a) in enumerate(terms):
        if a.unknown:
            return Skipped(rule, f"{a.ref} 的值无法读取（见 IN-a/IN-b/IN-c）")
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
        if n_left == 0:
            words.insert(0, "0")
        elif n_left == len(terms):
            words.append("= 0" if op == "=" else "≤ 0")
        out = " ".join(words) + suffix
        return f"{SPECS[terms[0][1].key].name}：{out}" if same_table else out

    return Identity(rule, signed, op, terms[0][4], text)


@dataclass(frozen=True, slots=True)
class Equation:
    """Σ left (op) Σ right over references. Built only when every reference resolves: a table,
    column or fixed row that was not found skips the identity with its reason; a class row
    (``{k}`` or a code) or a reference marked optional that is absent counts as zero."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    op: str = "="
    #: the references parsed once; a typo is an import-time error, never a skipped term
    refs: tuple[tuple[Ref, ...], tuple[Ref, ...]] = field(init=False, repr=False,
                                                          compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "refs", (tuple(map(Ref.parse, self.left)),
                                          tuple(map(Ref.parse, self.right))))

    def comparison(self) -> bool:
        return self.op == "<="

    def identities(self, model: WorkbookModel, rule: str) -> Iterator[Identity | Skipped]:
        left, right = (list(side) for side in self.refs)
        refs = left + right
        if any(r.row == "{k}" for r in refs):
            absent = next((r.table for r in refs if r.table not in model.tables), None)
            if absent is not None:
                yield Skipped(rule, f"缺少{SPECS[absent].name}")
                return
            codes: list[str] = []
            for r in refs:
                for row in model.tables[r.table].code_rows(r.block):
                    if len(row.code or "") == 3 and row.code not in codes:
                        codes.append(row.code)
            for k in codes:
                item = self._one(model, rule, [r.with_class(k) for r in left],
                                 [r.with_class(k) for r in right])
                if item is not None:
                    yield item
        else:
            item = self._one(model, rule, left, right)
            if item is not None:
                yield item

    def _one(self, model: WorkbookModel, rule: str, left: list[Ref],
             right: list[Ref]) -> Identity | Skipped | None:
        terms: list[Term5] = []
        n_left = 0
        for i, ref in enumerate(left + right):
            term, why = _resolve(model, ref)
            if why is not None:
                return Skipped(rule, why)
            if term is not None:
                terms.append(term)
                n_left += i < len(left)
        return _make(rule, self.op, terms, n_left)


class _InOneTable:
    """Identities within one table: none, and a ``Skipped``, when the table is missing."""

    __slots__ = ()
    table: str

    def comparison(self) -> bool:
        return False

    def identities(self, model: WorkbookModel, rule: str) -> Iterator[Identity | Skipped]:
        table = model.tables.get(self.table)
        if table is None:
            yield Skipped(rule, f"缺少{SPECS[self.table].name}")
            return
        yield from self.within(table, rule)

    def within(self, table: Table, rule: str) -> Iterator[Identity | Skipped]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class RowSum(_InOneTable):
    """Per row of ``table.block``: ``total`` = Σ ``parts`` (a ``-`` prefix subtracts). Built
    only when the table has every one of these columns (optional ones count as zero)."""

    table: str
    block: str
    total: str
    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        spec = SPECS[self.table]
        for c in (self.total, *self.parts):
            if c.lstrip("-") not in spec.column_keys(self.block):
                raise ValueError(f"no column {c!r} in {self.table}.{self.block}")

    def within(self, table: Table, rule: str) -> Iterator[Identity | Skipped]:
        spec = SPECS[self.table]
        found = table.columns_found.get(self.block, ())
        lacking = [c for c in (self.total, *(p.lstrip("-") for p in self.parts))
                   if c not in found and (c == self.total or c not in spec.optional)]
        if lacking:
            names = "、".join(f"“{spec.column_label(c, self.block)}”" for c in lacking)
            yield Skipped(rule, f"{spec.name}未识别到{names}列")
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
            ident = _make(rule, "=", terms, 1, f"（{row.label}行）")
            if ident is not None:
                yield ident


@dataclass(frozen=True, slots=True)
class Tree(_InOneTable):
    """Per column: the 合计 row = Σ top-level rows; each parent = Σ its children."""

    table: str
    block: str = "main"
    total_key: str | None = "total"

    def __post_init__(self) -> None:
        spec = SPECS[self.table]
        if self.total_key is not None and \
                self.total_key not in spec.fixed_rows.get(self.block, ()):
            raise ValueError(f"no row {self.total_key!r} in {self.table}.{self.block}")

    def within(self, table: Table, rule: str) -> Iterator[Identity | Skipped]:
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
        if self.total_key and total is None and table.rows:
            yield Skipped(rule, f"{SPECS[self.table].name}未找到“"
                                f"{SPECS[self.table].row_label(self.total_key, self.block)}”行")
        for col in table.columns:
            if total is not None and col in total.values and tops:
                yield from _sum(rule, table, total, tops, col)
            for parent_code_, kids in children.items():
                yield from _sum(rule, table, by_code[parent_code_], kids, col)


def _sum(rule: str, table: Table, parent: Row, kids: list[Row],
     col: str) -> Iterator[Identity | Skipped]:
    if col not in parent.values:
        return
    terms = [(1, table, parent, col, parent.values[col])]
    terms += [(1, table, k, col, k.values[col]) for k in kids if col in k.values]
    ident = _make(rule, "=", terms, 1)
    if ident is not None:
        yield ident


@dataclass(frozen=True, slots=True)
class NonNegative(_InOneTable):
    """Every amount of a table ≥ 0."""

    table: str

    def __post_init__(self) -> None:
        if self.table not in SPECS:
            raise ValueError(f"no table {self.table!r}")

    def within(self, table: Table, rule: str) -> Iterator[Identity | Skipped]:
        for row in table.rows:
            for col, a in row.values.items():
                if a.value is not None and not a.unknown:
                    yield Identity(rule, [Term(-1, a)], "<=", a,
                                   lambda t=table, r=row, c=col: f"{describe(t, r, c)} ≥ 0")

