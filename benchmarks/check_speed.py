"""Speed of one workbook check against baselines measured in the same run.

(a) a raw python-calamine read of every sheet; (b) xlbudget's library check of the same file;
(c) pandas.read_excel(sheet_name=None, engine="openpyxl"). Prints b/a (goal ≤ 2.0) and c/b
(goal ≥ 5). Then the cold command ``xlbudget check one.xlsx`` against ``python -c pass``
(goal: ≤ 0.6 s more), and against a fresh process that only reads it with python-calamine
(goal: ≤ 3×). Medians of interleaved repetitions, because this machine is noisy.

    python benchmarks/check_speed.py [--layout shanghai] [--seed 1] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import timed


def _time(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", default="shanghai")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--cold", type=int, default=7, help="repetitions of the cold command")
    args = ap.parse_args()

    import pandas as pd
    import python_calamine as pc

    from xlbudget.engine import check_file
    from xlbudget.generate import generate, write

    tmp = Path(tempfile.mkdtemp(prefix="xlb-bench-"))
    path = tmp / "one.xlsx"
    write(generate(args.seed), path, args.layout)

    def calamine() -> None:
        wb = pc.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        wb.close()

    def library() -> None:
        check_file(path)

    def pandas() -> None:
        pd.read_excel(path, sheet_name=None, engine="openpyxl")

    t = timed({"a": calamine, "b": library, "c": pandas}, args.repeat)
    a, b, c = t["a"], t["b"], t["c"]
    print(f"workbook: {args.layout} seed {args.seed}, {path.stat().st_size} bytes")
    print(f"(a) calamine read of every sheet : {a * 1000:8.2f} ms")
    print(f"(b) xlbudget check (library)     : {b * 1000:8.2f} ms")
    print(f"(c) pandas.read_excel(openpyxl)  : {c * 1000:8.2f} ms")
    print(f"b/a = {b / a:5.2f}   (goal ≤ 2.0)")
    print(f"c/b = {c / b:5.2f}   (goal ≥ 5)")

    exe = [sys.executable, "-m", "xlbudget", "check", str(path)]
    # the bare interpreter, a fresh process that only reads the file, and the cold command,
    # interleaved so that load hits all three alike
    bm, rm, cm = _cold([[sys.executable, "-c", "pass"],
                        [sys.executable, "-c", _READ_ONLY, str(path)], exe], args.cold)
    print(f"cold `xlbudget check one.xlsx`   : {cm:6.3f} s;  `python -c pass`: {bm:6.3f} s")
    print(f"difference = {cm - bm:5.3f} s   (goal ≤ 0.6 s)")
    print(f"cold calamine-only read process  : {rm:6.3f} s")
    print(f"check/read = {cm / rm:5.2f}   (goal ≤ 3.0)")


def _cold(commands: list[list[str]], rounds: int) -> list[float]:
    """Median wall time of each command run in a fresh process, rounds interleaved."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(rounds):
        for cmd, out in zip(commands, times, strict=True):
            out.append(_time(lambda cmd=cmd: subprocess.run(cmd, capture_output=True)))
    return [statistics.median(t) for t in times]


#: A fresh process that reads every sheet with python-calamine and nothing else.
_READ_ONLY = ("import sys, python_calamine as pc\n"
              "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
              "for n in wb.sheet_names: wb.get_sheet_by_name(n).to_python(skip_empty_area=False)")


if __name__ == "__main__":
    main()
