"""Typed references to table cells, the one way rules, narrative facts and charts name a cell.

A reference is ``TABLE.block.row.column`` (row: a fixed row's key, a classification code, or
``{k}`` for each function class); every part is checked against ``tables.specs`` when parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlbudget.model import Amount, Row, Table, WorkbookModel
from xlbudget.tables.specs import SPECS


@dataclass(frozen=True, slots=True)
class Ref:
    """``TABLE.block.row.column``; a ``-`` prefix subtracts, ``{k}`` stands for each function
    class, a row of digits is a classification code. Parsing checks it against the table
    specs, so a reference written in a module fails when that module loads."""

    sign: int
    table: str
    block: str
    row: str
    column: str

    @classmethod
    def parse(cls, text: str) -> Ref:
        t, block, row, col = text.lstrip("-").split(".")
        ref = cls(-1 if text.startswith("-") else 1, t, block, row, col)
        ref._validate(text)
        return ref

    def _validate(self, text: str) -> None:
        spec = SPECS.get(self.table)
        if spec is None or self.block not in spec.blocks:
            raise ValueError(f"bad reference {text!r}: no table or block")
        if self.column not in spec.column_keys(self.block):
            raise ValueError(f"bad reference {text!r}: no column {self.column!r}")
        if not (self.row.isdigit() or self.row == "{k}" or
                self.row in spec.fixed_rows.get(self.block, ())):
            raise ValueError(f"bad reference {text!r}: no row {self.row!r}")

    def with_class(self, k: str) -> Ref:
        return replace(self, row=k) if self.row == "{k}" else self

    def amount(self, model: WorkbookModel) -> Amount | None:
        """The cell's amount in ``model``; None when its table, row or column is absent."""
        table = model.tables.get(self.table)
        row = None if table is None else self.row_of(table)
        return None if row is None else row.values.get(self.column)

    def row_of(self, table: Table) -> Row | None:
        """The row named: a classification code's row, or the fixed row with this key."""
        return table.code_row(self.row, self.block) if self.row.isdigit() else \
            table.row(self.row, self.block)
