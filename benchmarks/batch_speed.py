"""Batch throughput of ``xlbudget check DIR``, as ratios to baselines measured in the same run.

A corpus of N workbooks (default 1,000) is built from a few distinct generated ones: the project's
generator writes every layout for a few seeds, one copy carries injected errors, and each file is
then copied under its own name until N files exist (copies, so the corpus is cheap to build; every
file is still opened, read and checked on its own). Then, each as a fresh process with the same
worker count:

1. ``xlbudget check DIR -j J --format json`` (stdout discarded): the whole tool — discovery,
   worker start-up, read, recognise, confront, locate, stream the JSON;
2. a calamine-only read of the same files (all sheets to Python values) over a process pool of J;
3. ``pandas.read_excel(engine="openpyxl", sheet_name=None)`` of the same files, same pool;
4. ``xlbudget check`` again with one worker (jobs 1 against J);
5. ``engine.check_file`` in a plain loop in one process: what the batch layer adds on top.

Throughput is files per second of wall time; peak memory is the largest sum of resident memory
over the process tree (the CLI, the fork server and its workers), sampled every 20 ms; CPU is the
user + system time of that tree (sampled, so a process's last 20 ms may be missed), which stays
meaningful when other work shares the machine and wall times stretch.

Run from the repository root:

    python benchmarks/batch_speed.py [--files 1000] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEEDS = (1, 2, 3)

CALAMINE = textwrap.dedent("""
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    def read(path):
        import python_calamine as pc
        wb = pc.CalamineWorkbook.from_path(path)
        n = 0
        for name in wb.sheet_names:
            n += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        wb.close()
        return n

    if __name__ == "__main__":
        files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.xlsx"))
        with ProcessPoolExecutor(int(sys.argv[2])) as ex:
            rows = sum(ex.map(read, files, chunksize=8))
        print(len(files), rows)
""")

ENGINE = textwrap.dedent("""
    import sys
    from pathlib import Path

    from xlbudget.engine import check_file

    files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.xlsx"))
    print(len(files), sum(len(check_file(f).findings) for f in files))
""")

PANDAS = textwrap.dedent("""
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    def read(path):
        import pandas as pd
        frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
        return sum(len(f) for f in frames.values())

    if __name__ == "__main__":
        files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.xlsx"))
        with ProcessPoolExecutor(int(sys.argv[2])) as ex:
            rows = sum(ex.map(read, files, chunksize=8))
        print(len(files), rows)
""")


def build_corpus(folder: Path, n: int) -> list[Path]:
    """Distinct generated workbooks (every layout × SEEDS, plus one with injected errors),
    copied round-robin into ``n`` files spread over sub-folders of 100."""
    from xlbudget.generate import LAYOUTS, generate, write

    distinct = folder / "_distinct"
    distinct.mkdir(parents=True)
    sources = []
    for seed in SEEDS:
        data = generate(seed)
        for layout in LAYOUTS:
            sources.append(write(data, distinct / f"{layout}-{seed}.xlsx", layout).path)
    sources.append(shutil.copy(ROOT / "workbooks" / "sample-errors.xlsx",
                               distinct / "errors.xlsx"))
    corpus = folder / "corpus"
    files = []
    for i in range(n):
        dst = corpus / f"局{i // 100:02d}" / f"单位{i:05d}.xlsx"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sources[i % len(sources)], dst)
        files.append(dst)
    return [Path(s) for s in sources]


def measure(cmd: list[str]) -> tuple[float, int, float, str]:
    """Wall seconds, peak RSS of the process tree (bytes), CPU seconds of the tree (user +
    system, sampled) and stdout of ``cmd``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        root = psutil.Process(proc.pid)
        peak, cpu = 0, {}
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            peak = max(peak, sum(_rss(p) for p in tree))
            for p in tree:
                try:
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
        allowed = (0, 1) if "xlbudget" in cmd else (0,)  # check exits 1 on error findings
        if proc.returncode not in allowed:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                             f"{err.read().decode()}")
        out.seek(0)
        return wall, peak, sum(cpu.values()), out.read().decode()


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except psutil.Error:
        return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="xlb-batch-"))
    try:
        t = time.perf_counter()
        sources = build_corpus(work, args.files)
        corpus = work / "corpus"
        print(f"corpus: {args.files} files copied from {len(sources)} distinct generated "
              f"workbooks ({time.perf_counter() - t:.1f} s to build)")
        py = sys.executable
        # Script names must not shadow the modules they import (pandas.py would).
        scripts = {"base_calamine": CALAMINE, "base_pandas": PANDAS, "base_engine": ENGINE}
        for name, text in scripts.items():
            (work / f"{name}.py").write_text(text, encoding="utf-8")
        runs = {
            f"xlbudget check -j {args.jobs}": [py, "-m", "xlbudget", "check", str(corpus),
                                             "-j", str(args.jobs), "--format", "json"],
            f"calamine read, pool of {args.jobs}": [py, str(work / "base_calamine.py"), str(corpus),
                                                   str(args.jobs)],
            f"pandas openpyxl, pool of {args.jobs}": [py, str(work / "base_pandas.py"), str(corpus),
                                                     str(args.jobs)],
            "xlbudget check -j 1": [py, "-m", "xlbudget", "check", str(corpus), "-j", "1",
                                    "--format", "json"],
            "check_file loop, 1 process": [py, str(work / "base_engine.py"), str(corpus)],
        }
        results = {}
        for label, cmd in runs.items():
            wall, peak, cpu, out = measure(cmd)
            results[label] = wall
            if label.startswith("xlbudget"):
                summary = json.loads(out)["summary"]
                assert summary["files"] == args.files, summary
            else:
                assert int(out.split()[0]) == args.files, out
            print(f"{label:<30} {wall:7.1f} s  {args.files / wall:7.1f} files/s  "
                  f"cpu {cpu / args.files * 1000:6.1f} ms/file  peak {peak / 2**20:6.0f} MiB")
        check, cal, pdx, one, loop = (results[k] for k in runs)
        print()
        print(f"throughput check / calamine read  : {cal / check:.3f}  (goal >= 0.8)")
        print(f"throughput check / pandas openpyxl: {pdx / check:.2f}x (goal >= 5)")
        print(f"jobs {args.jobs} / jobs 1 speed-up       : {one / check:.2f}x")
        print(f"check -j 1 / check_file loop      : {loop / one:.2f}  (batch layer overhead)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
