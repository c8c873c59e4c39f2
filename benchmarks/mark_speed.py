"""Speed of ``xlbudget mark``, ``fix`` and ``charts`` against an openpyxl load + save of the
same workbook (issue 13's goal: each at most 1.5× the baseline).

Both are measured in the same run, on the same file, and reported as ratios to the baseline, so
the figures do not depend on the machine. Run from the repository root:

    python benchmarks/mark_speed.py [WORKBOOK ...] [--repeat N]

Default workbooks: the standard samples ``workbooks/sample-shanghai.xlsx`` and
``workbooks/sample-errors.xlsx`` (the latter has findings to mark).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench(path: Path, repeat: int, out: Path) -> dict[str, float]:
    import openpyxl

    import xlbudget
    from xlbudget.engine import analyse
    from xlbudget.marks.plan import build_plan
    from xlbudget.marks.safe import write_safely
    from xlbudget.marks.xlsx import render_file
    from xlbudget.sources.files import read_workbook

    def baseline() -> None:
        openpyxl.load_workbook(path).save(out)

    grids = read_workbook(path)
    analysis = analyse(grids, str(path))
    plan = build_plan(analysis.result)

    def render_only() -> None:
        render_file(plan, path, out)

    def unchecked_write() -> None:
        # read, check, plan, render through the safe write without its re-read check
        a = analyse(read_workbook(path), str(path))
        p = build_plan(a.result)
        write_safely(path, out, lambda tmp: render_file(p, path, tmp), lambda g: None)

    out_times = timed({
        "openpyxl load+save (baseline)": baseline,
        "read + check (calamine, engine)": lambda: analyse(read_workbook(path), str(path)),
        "render plan (openpyxl)": render_only,
        "mark without the re-read check": unchecked_write,
        # what the commands run (xlbudget.api), re-read check included
        "mark (xlbudget.api.mark)": lambda: xlbudget.mark(path, out),
        "fix (xlbudget.api.fix)": lambda: xlbudget.fix(path, out),
        "charts (xlbudget.api.charts)": lambda: xlbudget.charts(path, out),
    }, repeat)
    return {**out_times, "findings": float(len(analysis.result.findings)),
            "marks": float(len(plan.marks))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    files = args.files or [ROOT / "workbooks" / "sample-shanghai.xlsx",
                           ROOT / "workbooks" / "sample-errors.xlsx"]
    with tempfile.TemporaryDirectory() as d:
        for f in files:
            r = bench(f, args.repeat, Path(d) / f"out{f.suffix}")
            base = r["openpyxl load+save (baseline)"]
            print(f"{f.name}: {int(r['findings'])} findings, {int(r['marks'])} cells marked, "
                  f"median of {args.repeat}")
            for k, v in r.items():
                if k in ("findings", "marks"):
                    continue
                print(f"  {k:34s} {v * 1000:8.1f} ms   {v / base:5.2f}× baseline")


if __name__ == "__main__":
    main()
