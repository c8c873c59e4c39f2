"""The shape of a sample department's accounts: the keys, rows and columns of T1..T9, and the
Dataset holding every amount in 元 with the value each cell shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.model import UNIT_SCALE

#: (table, block, row id, column); row id is a canonical row key or a classification code.
Key = tuple[str, str, str, str]

NONFISCAL_SOURCES = ("superior_subsidy", "business", "operating", "affiliated_remit", "other")
NONFISCAL_SPENDING = ("remit_superior", "operating", "subsidy_affiliated")
T1_INCOME_ROWS = ("gpb", "fund", "soe", *NONFISCAL_SOURCES, "income_total",
                  "use_nonfiscal_balance", "opening_balance", "grand_total")
T1_EXPENSE_TAIL = ("expense_total", "balance_distribution", "closing_balance", "grand_total")
T2_COLUMNS = ("total", "fiscal", *NONFISCAL_SOURCES)
T3_COLUMNS = ("total", "basic", "project", *NONFISCAL_SPENDING)
T4_INCOME_ROWS = ("gpb", "fund", "soe", "income_total", "opening", "opening_gpb",
                  "opening_fund", "opening_soe", "grand_total")
T4_EXPENSE_TAIL = ("expense_total", "closing", "grand_total")
T4_EXPENSE_COLUMNS = ("total", "gpb", "fund", "soe")
T5_COLUMNS = ("total", "basic", "project")
T7_ITEMS = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")
T7_COLUMNS = tuple(f"{item}_{kind}" for item in T7_ITEMS for kind in ("budget", "final"))
T8_COLUMNS = ("opening", "income", "exp_total", "exp_basic", "exp_project", "closing")
FISCAL = ("gpb", "fund", "soe")

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Dataset:
    """One department's final accounts for one year, every amount in 元 (int)."""

    seed: int
    year: int
    organisation: str
    #: (table, block) -> row ids in canonical order (codes in pre-order, fixed keys after).
    rows: dict[tuple[str, str], tuple[str, ...]]
    #: (table, block) -> column keys.
    columns: dict[tuple[str, str], tuple[str, ...]]
    yuan: dict[Key, int]
    #: function and economic codes -> name
    names: dict[str, str]
    #: the same department one year earlier (None for the prior itself)
    prior: Dataset | None = field(default=None, compare=False)

    def value(self, table: str, block: str, row: str, column: str) -> int:
        return self.yuan[(table, block, row, column)]

    def amount_keys(self, table: str | None = None) -> list[Key]:
        """All amount keys (of one table), in row then column order."""
        out: list[Key] = []
        for (t, b), rows in self.rows.items():
            if table is not None and t != table:
                continue
            for r in rows:
                out.extend((t, b, r, c) for c in self.columns[(t, b)]
                           if (t, b, r, c) in self.yuan)
        return out

    def is_empty(self, table: str) -> bool:
        """True for a table without any money (T8/T9 of most departments)."""
        return all(v == 0 for k, v in self.yuan.items() if k[0] == table)

    def shown(self, key: Key, unit: str = "万元") -> Decimal:
        """The value a cell shows: its own 元 amount rounded half-up to 0.01 of ``unit``."""
        return shown_value(self.yuan[key], unit)


def function_name(code: str, year: int) -> str:
    """The name a function code had in ``year`` (卫生健康支出 was 医疗卫生与计划生育支出 before)."""
    old = OUTDATED.get(code)
    if old is not None and year < old[1]:
        return old[0]
    return FUNCTION_CLASSES.get(code) or FUNCTION_ITEMS[code]


def shown_value(yuan: int, unit: str = "万元") -> Decimal:
    """An amount in 元 as a cell in ``unit`` shows it: rounded half-up to 0.01."""
    return (Decimal(yuan) / UNIT_SCALE[unit]).quantize(_CENT, rounding=ROUND_HALF_UP)

