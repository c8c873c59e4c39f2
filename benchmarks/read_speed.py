"""What the checks before parsing cost (``sources.inspect``: format by content, limits, the scan
of cell addresses that guards against far-away cells) against calamine reading the same file
alone, measured in the same run.

    python benchmarks/read_speed.py [--rows 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from timing import timed

from xlbudget.generate import generate, write
from xlbudget.generate.large import write_rows_sheet
from xlbudget.sources.files import file_head, read_workbook
from xlbudget.sources.inspect import prepare


def calamine_only(path: Path) -> None:
    """The baseline: every sheet as calamine gives it, nothing else."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    wb.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = write(generate(1), Path(tmp) / "sample.xlsx", "shanghai").path
        big = Path(tmp) / "rows.xlsx"
        write_rows_sheet(big, args.rows, 5)
        print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeat} interleaved rounds")
        for label, path, repeat in (("sample workbook (9 tables)", Path(sample), args.repeat * 4),
                                    (f"{args.rows} rows × 5 columns", big, args.repeat)):
            t = timed({"calamine": lambda p=path: calamine_only(p),
                       "prepare": lambda p=path: prepare(p, file_head(p)),
                       "read_workbook": lambda p=path: read_workbook(p)}, repeat)
            base = t["calamine"]
            print(f"{label}: calamine alone {base * 1000:.1f} ms (1.00×); "
                  f"checks before parsing {t['prepare'] / base:.2f}× "
                  f"({t['prepare'] * 1000:.1f} ms); "
                  f"read_workbook in all {t['read_workbook'] / base:.2f}× "
                  f"({t['read_workbook'] * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
