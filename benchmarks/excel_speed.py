"""Speed of the Excel add-in's Python side, as ratios to baselines measured in the same run.

1. Payload to plan: from the JSON payload Excel sends (``xw.Book(json=…)``) through the live
   source, the engine and the plan of marks; against the file path (calamine read, same engine,
   same plan) of the same workbook. Also the renderer (queueing the actions) on its own.
2. UDF calls: one ``XLB_PCT`` / ``XLB_SUMCODE`` call, direct and through xlwings' custom-function
   conversion; against a bare ``Decimal`` share computed inline.

Run from the repository root:

    python benchmarks/excel_speed.py [WORKBOOK ...] [--repeat N]

Default workbooks: ``workbooks/sample-shanghai.xlsx`` and ``workbooks/sample-errors.xlsx``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def bench_workbook(path: Path, repeat: int) -> dict[str, float]:
    import xlwings as xw
    from test_excel_payload import payload_from_xlsx

    from xlbudget.engine import analyse
    from xlbudget.excel import workbook
    from xlbudget.excel.render import render_book
    from xlbudget.marks.plan import build_plan
    from xlbudget.sources.files import read_workbook

    payload = payload_from_xlsx(path)

    def file_to_plan() -> object:
        return build_plan(analyse(read_workbook(path), str(path)).result)

    def payload_to_grids() -> object:
        return workbook.read(xw.Book(json=payload))

    def payload_to_plan() -> object:
        book = xw.Book(json=payload)
        workbook._CACHE.clear()  # measure the whole path, not the cache
        _, analysis = workbook.analyse_book(book)
        return build_plan(analysis.result)

    def plan_to_actions() -> object:
        book = xw.Book(json=payload)
        return render_book(book, plan, grids)

    book = xw.Book(json=payload)
    grids, analysis = workbook.analyse_book(book)
    plan = build_plan(analysis.result)
    out = timed({
        "file -> plan (calamine; baseline)": file_to_plan,
        "payload -> grids (live source)": payload_to_grids,
        "payload -> plan": payload_to_plan,
        "plan -> queued actions (render)": plan_to_actions,
    }, repeat)
    return {**out, "findings": float(len(analysis.result.findings)),
            "marks": float(len(plan.marks))}


def bench_udfs(repeat: int) -> dict[str, float]:
    import importlib

    import xlwings as xw
    from xlwings.pro import udfs_officejs as ojs

    import xlbudget.excel.udfs as udfs

    codes = [["201"], ["20101"], ["2010101"], ["2010102"], ["20103"], ["2010301"], ["205"],
             ["20502"], ["2050201"], ["2050202"]] * 4
    values = [[float(i)] for i in range(len(codes))]

    def baseline() -> object:
        return (Decimal("1234.5") * 100 / Decimal("5000")).quantize(Decimal("0.01"),
                                                                   ROUND_HALF_UP)

    direct = {
        "Decimal share inline (baseline)": baseline,
        "XLB_PCT direct": lambda: udfs.XLB_PCT(1234.5, 5000.0),
        "XLB_SUMCODE direct (40 rows)": lambda: udfs.XLB_SUMCODE(codes, values, "201"),
    }
    saved = (xw.func, xw.arg, xw.ret)
    xw.func, xw.arg, xw.ret = ojs.xlfunc, ojs.xlarg, ojs.xlret
    try:
        runtime = importlib.reload(udfs)
    finally:
        xw.func, xw.arg, xw.ret = saved

    def via_xlwings(name: str, *args: object) -> Callable[[], object]:
        data = {"func_name": name, "args": list(args), "version": xw.__version__,
                "client": "Office.js", "runtime": "1.4"}
        return lambda: asyncio.run(ojs.custom_functions_call(data, runtime))

    converted = {
        "XLB_PCT through xlwings conversion": via_xlwings("XLB_PCT", [[1234.5]], [[5000.0]]),
        "XLB_SUMCODE through xlwings conversion": via_xlwings("XLB_SUMCODE", codes, values,
                                                              [["201"]]),
    }
    out = timed({**direct, **converted}, repeat, inner=200)
    importlib.reload(udfs)
    return out


def report(title: str, times: dict[str, float], baseline: str) -> None:
    base = times[baseline]
    print(f"\n{title}")
    for k, v in times.items():
        if k in ("findings", "marks"):
            print(f"  {k:42s} {int(v)}")
        else:
            print(f"  {k:42s} {v * 1000:9.3f} ms   ×{v / base:6.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    files = args.files or [ROOT / "workbooks" / "sample-shanghai.xlsx",
                           ROOT / "workbooks" / "sample-errors.xlsx"]
    for f in files:
        report(f.name, bench_workbook(f, args.repeat), "file -> plan (calamine; baseline)")
    report("UDF calls (per call)", bench_udfs(args.repeat), "Decimal share inline (baseline)")


if __name__ == "__main__":
    main()
