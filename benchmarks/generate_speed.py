"""Speed of the sample generator against a plain openpyxl write of the same cells.

The baseline writes exactly the cells a layout writes (same values, same sheets) into a bare
openpyxl workbook: no fonts, borders, merges or number formats. Ratios to it show what the
generator adds on top of the unavoidable cost of writing an .xlsx with openpyxl. Both are
measured in the same run. Run from the repository root:

    python benchmarks/generate_speed.py [--repeat N] [--seeds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Fastest wall time of each function over ``repeat`` interleaved rounds, after a warm-up.

    Rounds interleave the functions so that a burst of load from other processes hits all of
    them alike; on a shared machine the least disturbed run is closest to the code's own cost.
    """
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10, help="seeds per measurement")
    args = parser.parse_args()

    import openpyxl

    from xlbudget.generate import LAYOUTS, generate, write
    from xlbudget.sources.files import read_workbook

    seeds = range(args.seeds)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.xlsx"
        datasets = [generate(s) for s in seeds]
        print(f"{args.seeds} seeds, fastest of {args.repeat} interleaved rounds; ratios to "
              "the baseline of the same layout")
        print(f"{'layout':10} {'baseline ms':>11} {'write':>7} {'generate+write':>15} "
              f"{'calamine read':>14}")
        data = timed({"generate": lambda: [generate(s) for s in seeds]}, args.repeat)
        data_ms = data["generate"] / args.seeds * 1000
        for layout in LAYOUTS:
            # The cells each layout writes, per seed, to replay in the baseline.
            contents = []
            for ds in datasets:
                write(ds, out, layout)
                contents.append([(g.name, g.rows) for g in read_workbook(out)])

            def baseline(contents: list = contents) -> None:
                for sheets in contents:
                    wb = openpyxl.Workbook()
                    wb.remove(wb.active)
                    for name, rows in sheets:
                        ws = wb.create_sheet(name)
                        for r, row in enumerate(rows, 1):
                            for c, v in enumerate(row, 1):
                                if v not in (None, ""):
                                    ws.cell(r, c, v)
                    wb.save(out)

            def write_all(layout: str = layout) -> None:
                for ds in datasets:
                    write(ds, out, layout)

            def both(layout: str = layout) -> None:
                for s in seeds:
                    write(generate(s), out, layout)

            def read_all(layout: str = layout) -> None:
                for _ in seeds:
                    read_workbook(out)

            t = timed({"base": baseline, "write": write_all, "both": both, "read": read_all},
                      args.repeat)
            base = t["base"]
            print(f"{layout:10} {base / args.seeds * 1000:11.1f} {t['write'] / base:7.2f} "
                  f"{t['both'] / base:15.2f} {t['read'] / base:14.2f}")
        print(f"generate() alone: {data_ms:.2f} ms per dataset (with its prior year)")


if __name__ == "__main__":
    main()
