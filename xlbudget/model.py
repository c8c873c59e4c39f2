"""The workbook model: recognised tables, their rows and amounts with cell addresses.

Everything downstream of recognition (rules, localisation, marks, charts, narrative) works on
these plain objects; none of them knows about openpyxl, calamine or xlwings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

#: 元 per unit of a table's unit.
UNIT_SCALE: dict[str, int] = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


class CellRef(NamedTuple):
    """A cell of the workbook, by sheet name and Excel A1 address (a tuple: cheap to hash)."""

    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass(slots=True)
class Amount:
    """One amount cell as shown: ``value`` in the table's unit, None when blank.

    ``decimals`` is the number of decimals the value is shown with; the shown value stands for the
    interval ``value ± half a unit in the last decimal`` (a blank stands for exactly zero).
    """

    value: Decimal | None
    decimals: int
    ref: CellRef
    scale: int = 10000
    raw: str | None = None
    #: True when the cell's value cannot be known (error value, formula without cached value):
    #: identities touching it are not judged.
    unknown: bool = False

    @property
    def yuan(self) -> Decimal:
        """The value in 元 (blank counts as zero)."""
        return (self.value or Decimal(0)) * self.scale

    @property
    def half_band_yuan(self) -> Decimal:
        """Half the rounding interval in 元; zero for a blank cell."""
        if self.value is None:
            return Decimal(0)
        return Decimal(5).scaleb(-self.decimals - 1) * self.scale


@dataclass(slots=True)
class Row:
    """One row of a table (or of one block of a two-block table).

    ``key`` is a canonical row key for fixed rows (``income_total``, ``gpb``, ``total`` …);
    ``code`` is the classification code for 类/款/项 rows (``2010301``, ``30101``).
    """

    label: str
    values: dict[str, Amount]
    excel_row: int
    key: str | None = None
    code: str | None = None
    block: str = "main"
    line: str | None = None
    #: the cell holding the row's name (NM-* findings point at it)
    label_ref: CellRef | None = None

    @property
    def level(self) -> int:
        """1 for 类, 2 for 款, 3 for 项 (function codes of 3/5/7 digits); 0 without code."""
        if not self.code:
            return 0
        return {3: 1, 5: 2, 7: 3}.get(len(self.code), 0)


@dataclass(slots=True)
class Table:
    """A recognised standard table (T1 … T9)."""

    key: str
    title: str
    sheet: str
    range: str
    unit: str = "万元"
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    layout: str = ""
    tag: str | None = None
    unit_cell: CellRef | None = None
    note: str | None = None
    year: int | None = None
    organisation: str | None = None
    #: per block: the spec's amount columns found under the header, and those not found
    columns_found: dict[str, list[str]] = field(default_factory=dict)
    columns_missing: dict[str, list[str]] = field(default_factory=dict)
    #: per block: the spec's fixed rows (合计, 本年收入合计 …) not found
    rows_missing: dict[str, list[str]] = field(default_factory=dict)
    #: the header cells, as an A1 range ("" when the table has no header row)
    header: str = ""

    @property
    def scale(self) -> int:
        return UNIT_SCALE.get(self.unit, 10000)

    @property
    def is_empty(self) -> bool:
        return all(a.value in (None, Decimal(0)) for r in self.rows for a in r.values.values())

    @property
    def declares_no_data(self) -> bool:
        """The note under the table says it has no data (本单位本年度无…，故本表无数据)."""
        note = self.note or ""
        return "无" in note and ("数据" in note or "支出" in note or "收入" in note)

    def block_rows(self, block: str) -> list[Row]:
        return [r for r in self.rows if r.block == block]

    def row(self, key: str, block: str | None = None) -> Row | None:
        """The first row with this canonical key (in ``block`` when given)."""
        for r in self.rows:
            if r.key == key and (block is None or r.block == block):
                return r
        return None

    def code_row(self, code: str, block: str | None = None) -> Row | None:
        for r in self.rows:
            if r.code == code and (block is None or r.block == block):
                return r
        return None

    def amount(self, key: str, column: str, block: str | None = None) -> Amount | None:
        r = self.row(key, block)
        return None if r is None else r.values.get(column)

    def code_rows(self, block: str | None = None) -> list[Row]:
        return [r for r in self.rows if r.code and (block is None or r.block == block)]

    def amounts(self) -> Iterator[Amount]:
        for r in self.rows:
            yield from r.values.values()

    def rescale(self, unit: str) -> None:
        """Read every amount in ``unit`` instead: the unit line contradicted the figures
        (IN-e, judged before any identity)."""
        self.unit = unit
        for a in self.amounts():
            a.scale = self.scale


@dataclass(slots=True)
class Problem:
    """Something in the input that is not a failed identity: a bad cell, a missing table."""

    code: str
    severity: str
    message: str
    ref: CellRef | None = None
    actual: str | None = None


@dataclass(slots=True)
class WorkbookModel:
    """All that recognition found in one workbook."""

    path: str
    tables: dict[str, Table] = field(default_factory=dict)
    ignored_sheets: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    year: int | None = None
    #: sheets that are not standard tables, kept as grids for rules that need them (chart data).
    extra_sheets: dict[str, object] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        return self.tables.get(key)
