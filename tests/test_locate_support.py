"""Hand-built identity systems for the localisation tests: amounts with cell addresses and the
identities of a T5-like table (rows 合计 / 类 / 款 / 项, columns 合计 = 基本 + 项目), a
T1-like table repeating the class totals, and a T7-like 三公 row."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget.model import Amount, CellRef
from xlbudget.rules.identity import Identity, Term


def amount(sheet: str, cell: str, value: str | None, decimals: int = 2,
           scale: int = 10000) -> Amount:
    return Amount(None if value is None else Decimal(value), decimals, CellRef(sheet, cell),
                  scale)


def sum_identity(rule: str, total: Amount, parts: list[Amount], text: str) -> Identity:
    """``total = Σ parts`` as ``total − Σ parts = 0``."""
    return Identity(rule, [Term(1, total)] + [Term(-1, p) for p in parts], "=", total, text)


def le_identity(rule: str, small: Amount, big: Amount, text: str) -> Identity:
    return Identity(rule, [Term(1, small), Term(-1, big)], "<=", small, text)


def cents(value: int) -> str:
    return f"{Decimal(value) / 100:.2f}"


@dataclass
class Workbook:
    """Cells by name (``T5:2010101:basic``) and the identities over them."""

    cells: dict[str, Amount] = field(default_factory=dict)
    identities: list[Identity] = field(default_factory=list)

    def set(self, name: str, value: str | None) -> None:
        self.cells[name].value = None if value is None else Decimal(value)


T5 = "一般公共预算财政拨款支出决算表"
T1 = "收入支出决算总表"

#: 类 -> 款 -> 项 codes of the synthetic tree.
TREE = {
    "201": {"20101": ["2010101", "2010102"], "20103": ["2010301", "2010350"]},
    "205": {"20502": ["2050201", "2050202", "2050203"]},
    "208": {"20805": ["2080501", "2080505"], "20808": []},
}


def budget_workbook(seed: int) -> Workbook:
    """A T5-like table (with its row, column and hierarchy identities) whose class totals are
    repeated in a T1-like table with its own total: exact data, 2 decimals, 万元."""
    rng = random.Random(seed)
    wb = Workbook()
    rows: list[str] = ["total"]
    for cls, kuan in TREE.items():
        rows.append(cls)
        for k, xiang in kuan.items():
            rows.append(k)
            rows.extend(xiang)
    leaves: dict[str, tuple[int, int]] = {}
    for kuan in TREE.values():
        for k, xiang in kuan.items():
            for code in xiang or [k]:
                leaves[code] = (rng.randint(0, 9_000_000), rng.randint(0, 4_000_000))

    def value(code: str, col: int) -> int:
        if code == "total":
            return sum(v[col] for v in leaves.values())
        return sum(v[col] for c, v in leaves.items() if c.startswith(code))

    for r, code in enumerate(rows, start=6):
        basic, project = value(code, 0), value(code, 1)
        for col, letter, v in (("total", "C", basic + project), ("basic", "D", basic),
                               ("project", "E", project)):
            wb.cells[f"T5:{code}:{col}"] = amount(T5, f"{letter}{r}", cents(v))
    for code in rows:
        c = wb.cells
        wb.identities.append(sum_identity(
            "T5-a", c[f"T5:{code}:total"], [c[f"T5:{code}:basic"], c[f"T5:{code}:project"]],
            f"{code} 合计 = 基本支出 + 项目支出"))
    for col in ("total", "basic", "project"):
        c = wb.cells
        wb.identities.append(sum_identity(
            "T5-b", c[f"T5:total:{col}"], [c[f"T5:{cls}:{col}"] for cls in TREE],
            f"合计行 = Σ类（{col}）"))
        for cls, kuan in TREE.items():
            wb.identities.append(sum_identity(
                "T5-b", c[f"T5:{cls}:{col}"], [c[f"T5:{k}:{col}"] for k in kuan],
                f"{cls} = Σ款（{col}）"))
            for k, xiang in kuan.items():
                if xiang:
                    wb.identities.append(sum_identity(
                        "T5-b", c[f"T5:{k}:{col}"], [c[f"T5:{x}:{col}"] for x in xiang],
                        f"{k} = Σ项（{col}）"))
    for r, cls in enumerate(TREE, start=8):
        wb.cells[f"T1:{cls}"] = amount(T1, f"D{r}", str(wb.cells[f"T5:{cls}:total"].value))
        wb.identities.append(sum_identity(
            "X7", wb.cells[f"T1:{cls}"], [wb.cells[f"T5:{cls}:total"]], f"T1 {cls} = T5 {cls}"))
    wb.cells["T1:total"] = amount(T1, "D20", str(wb.cells["T5:total:total"].value))
    wb.identities.append(sum_identity(
        "T1-b", wb.cells["T1:total"], [wb.cells[f"T1:{cls}"] for cls in TREE],
        "本年支出合计 = Σ类"))
    return wb


T7 = "财政拨款三公经费支出决算表"


def sangong(values: dict[str, str]) -> Workbook:
    """A T7-like row (决算数): total, abroad, vehicle (= purchase + operation), reception."""
    wb = Workbook()
    for letter, key in zip("BCDEFG", ("total", "abroad", "vehicle", "vehicle_purchase",
                                      "vehicle_operation", "reception"), strict=True):
        wb.cells[key] = amount(T7, f"{letter}7", values[key])
    c = wb.cells
    wb.identities.append(sum_identity(
        "T7-a", c["total"], [c["abroad"], c["vehicle"], c["reception"]],
        "三公经费合计 = 因公出国 + 公务用车 + 公务接待"))
    wb.identities.append(sum_identity(
        "T7-b", c["vehicle"], [c["vehicle_purchase"], c["vehicle_operation"]],
        "公务用车小计 = 购置费 + 运行费"))
    for key, a in c.items():
        wb.identities.append(Identity("T7-c", [Term(-1, a)], "<=", a, f"{key} ≥ 0"))
    return wb
