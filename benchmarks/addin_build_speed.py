"""Speed of the add-in build, as ratios against baselines measured in the same run.

- Compression of the VBA sources: xlbudget's matcher against ms-ovba-compression's own
  (the baseline; its output is wrong past long repeats, but its time is the reference).
- The whole ``xlbudget.xlam`` (generated UDF sources excluded: they come from macros/) and the
  demo, against one openpyxl save of an empty workbook.

Run: ``python benchmarks/addin_build_speed.py``
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

ROUNDS = 5


def _median(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from ms_ovba_compression.ms_ovba import MsOvba
    from openpyxl import Workbook

    from xlbudget.excel import build
    from xlbudget.excel.macros import MACROS
    from xlbudget.excel.vba_project import compress

    sources = [p.read_bytes().replace(b"\n", b"\r\n") for p in sorted(MACROS.iterdir())
               if p.suffix in (".bas", ".cls")]
    size = sum(len(s) for s in sources)
    library = _median(lambda: [MsOvba().compress(s) for s in sources])
    ours = _median(lambda: [compress(s) for s in sources])
    print(f"compress {len(sources)} modules, {size / 1024:.0f} KiB")
    print(f"  ms-ovba-compression (baseline) 1.00x ({library * 1000:.0f} ms)")
    print(f"  xlbudget matcher               {ours / library:.3f}x")

    def empty_save() -> None:
        Workbook().save(io.BytesIO())

    base = _median(empty_save)
    addin = _median(build.build_addin)
    demo = _median(build.build_demo)
    print("build")
    print(f"  openpyxl save of an empty workbook (baseline) 1.00x ({base * 1000:.0f} ms)")
    print(f"  xlbudget.xlam                                 {addin / base:.1f}x")
    print(f"  xlbudget-demo.xlsm (sample generated inside)  {demo / base:.1f}x")


if __name__ == "__main__":
    main()
