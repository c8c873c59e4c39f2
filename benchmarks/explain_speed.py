"""What 出错说明 cost a check: ``check_file`` on one generated workbook without explanations
(the baseline), with one valid explanation, and with 200 rows in the 出错说明 sheet (one valid,
199 about cells where the rule no longer fails, each judged and reported as EX-b).

Run: ``python benchmarks/explain_speed.py``; prints ratios to the baseline measured in the
same run (interleaved medians, see ``timing.py``).
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import openpyxl
from timing import timed

from xlbudget import explain
from xlbudget.engine import check_file
from xlbudget.generate import generate, write
from xlbudget.sources.grid import to_a1

T6_ITEM = ("T6", "main", "30217", "amount")
T7_KEYS = (("T7", "main", "total", "reception_final"), ("T7", "main", "total", "total_final"))


def _workbooks(folder: Path) -> dict[str, Path]:
    """The X16 workbook of tests/test_explain.py, without and with explanations."""
    ds = generate(7)
    yuan = {k: v * 100 for k, v in ds.yuan.items()}
    gap = yuan[T7_KEYS[0]] - yuan[T6_ITEM] + 100_000
    for k in T7_KEYS:
        yuan[k] -= gap
    sample = write(dataclasses.replace(ds, yuan=yuan), folder / "none.xlsx", "shanghai")
    sheet, cell = sample.cells[T6_ITEM]
    value = explain.value_text(openpyxl.load_workbook(sample.path)[sheet][cell].value)
    valid = ["X16", sheet, cell, value, "含非财政拨款资金", "张会计", "2026-01-05"]
    stale = [["X16", sheet, to_a1(20 + i, 2), "1.00", "过时", "张会计", "2026-01-05"]
             for i in range(199)]
    out = {"none": sample.path}
    for name, rows in (("one", [valid]), ("200 rows", [valid, *stale])):
        wb = openpyxl.load_workbook(sample.path)
        ws = wb.create_sheet(explain.SHEET)
        for row in explain.sheet_rows([]) + rows:
            ws.append(row)
        out[name] = folder / f"{name}.xlsx"
        wb.save(out[name])
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        books = _workbooks(Path(tmp))
        counts = {k: check_file(p).counts() for k, p in books.items()}
        times = timed({k: (lambda p=p: check_file(p)) for k, p in books.items()}, repeat=15)
    base = times["none"]
    print(f"{'workbook':<10} {'ratio':>7} {'median':>9}  counts")
    for k, t in times.items():
        print(f"{k:<10} {t / base:>6.2f}× {t * 1000:>7.1f} ms  {counts[k]}")


if __name__ == "__main__":
    main()
