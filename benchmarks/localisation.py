"""Accuracy and speed of error localisation on generated workbooks with injected errors.

For every layout and seed a consistent sample workbook is written by the project's generator
and read back with calamine (the real source). Each case edits the values calamine returned
(the same grid reaches recognition as from an edited file; writing one file per case would
only measure openpyxl), runs the engine (recognition, rules, identities) and then
``xlbudget.locate.locate`` on its identities.

Layout families: the three presets and the layouts real publishers use that the presets do not
(T4's spending columns under a 本年支出 group on a third header row, label headers merged down,
empty T8/T9 as blank ruled rows, files without merge information as WPS/HTML exports send).

Error kinds: a mistyped digit, two swapped digits, a detail row copying its class total, a sign
flip, a value typed into the wrong row (one cell left blank, a sibling row overwritten), and a
0.01 change (inside the rounding band); one, two, four and six errors per workbook.

Printed figures (definitions in docs/accuracy.md):
- detection: cases with an error outside the rounding band that get at least one error finding;
- top-1: over identifiable cases, the certain findings are exactly the injected cells;
- candidate recall: injected cells (outside the band) found as certain or candidate findings,
  over cases whose injected cells are a minimal repair (not masked by a smaller one);
- certain precision: certain findings that are injected cells;
- false positives: findings on the clean workbooks;
- expected values: equal to the printed original, or within the rounding band of its identities;
- limits: cases where a work limit (node limit, solve budget) decided anything; the goal is 0;
- speed: locate time over the time calamine takes to read the same file, and the whole check of
  a workbook with errors over the whole check of the same clean workbook (ratios, same run);
  then one workbook with many errors.

Run: ``python benchmarks/localisation.py [--seeds N] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import random
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlbudget.confront import severity_of
from xlbudget.engine import analyse
from xlbudget.generate import generate, write
from xlbudget.locate import locate
from xlbudget.locate.identifiable import identifiable_cells
from xlbudget.locate.mip import System
from xlbudget.locate.solver import get_solver
from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, from_a1

#: family name -> (preset, style options)
FAMILIES: dict[str, tuple[str, dict[str, object]]] = {
    "shanghai": ("shanghai", {}),
    "central": ("central", {}),
    "stacked": ("stacked", {}),
    "t4-group": ("central", {"t4_spending_group": True, "merges": False}),
    "merged-labels": ("shanghai", {"label_header": "merged", "empty_body": "blank"}),
    "wps-export": ("central", {"label_header": "merged", "empty_body": "blank",
                               "merges": False, "t4_spending_group": True}),
}
KINDS = ("typo", "swap", "copy_total", "sign", "wrong_row", "band")


@dataclass
class Case:
    layout: str
    kinds: tuple[str, ...]
    #: injected cell -> the value it showed before the error (None for a blank)
    injected: dict[CellRef, Decimal | None]
    #: whole check (read + analyse with localisation) of the edited workbook over the whole
    #: check of the same clean workbook
    check_ratio: float = 0.0
    outside: bool = False
    identifiable: bool = False
    findings: list = field(default_factory=list)
    seconds: float = 0.0
    #: per injected cell, the largest tolerance of its identities (in the cell's unit)
    bands: dict[CellRef, Decimal] = field(default_factory=dict)
    #: injected cells that no identity holds (recognition left them out)
    absent: set[CellRef] = field(default_factory=set)
    #: a repair with fewer cells than injected (the errors then look like fewer errors)
    masked: frozenset[CellRef] | None = None
    #: another repair as small as the injected one (the case is then not identifiable)
    alternative: frozenset[CellRef] | None = None


def digits_of(value: Decimal) -> str:
    return f"{abs(value):.2f}"


def typo(value: Decimal, rng: random.Random) -> Decimal:
    s = digits_of(value)
    pos = rng.choice([i for i, ch in enumerate(s) if ch != "."])
    new = rng.choice([d for d in "0123456789" if d != s[pos]])
    out = Decimal(s[:pos] + new + s[pos + 1:])
    return -out if value < 0 else out


def swap(value: Decimal, rng: random.Random) -> Decimal | None:
    s = digits_of(value).replace(".", "")
    pairs = [i for i in range(len(s) - 1) if s[i] != s[i + 1]]
    if not pairs:
        return None
    i = rng.choice(pairs)
    t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    out = Decimal(t[:-2] + "." + t[-2:])
    return -out if value < 0 else out


class Workbook:
    """One generated workbook, read once; cases edit copies of its grids."""

    def __init__(self, family: str, seed: int, folder: Path) -> None:
        self.layout = family
        preset, style = FAMILIES[family]
        self.sample = write(generate(seed), folder / f"{family}_{seed}.xlsx", preset, **style)
        self.path = str(self.sample.path)
        t = time.perf_counter()
        self.grids = read_workbook(self.path)
        self.read_seconds = time.perf_counter() - t
        clean = analyse(copy.deepcopy(self.grids), self.path)
        #: read + recognition + rules + confrontation (+ a trivial locate): the whole check
        self.check_seconds = time.perf_counter() - t
        self.clean_findings = [f for f in clean.result.findings if f.severity != "info"]
        self.identities = clean.identities
        self.keys = [k for k, v in self.sample.shown.items() if v not in (None, Decimal(0))]
        self.ref = {k: CellRef(*self.sample.cells[k]) for k in self.sample.cells}
        self._signatures()

    def _signatures(self) -> None:
        """Which cells are identifiable, and each cell's largest identity tolerance (an edit
        within it may be rounding) and scale, from the clean workbook's error identities."""
        self.unique = identifiable_cells(self.identities)
        self.tolerance: dict[CellRef, Decimal] = defaultdict(Decimal)
        self.scale: dict[CellRef, int] = {}
        for ident in self.identities:
            if severity_of(ident) != "error":
                continue
            for t in ident.terms:
                self.scale[t.amount.ref] = t.amount.scale
                self.tolerance[t.amount.ref] = max(self.tolerance[t.amount.ref],
                                                   ident.tolerance)

    def edit(self, grids: list[Grid], key: tuple, value: Decimal | None) -> None:
        sheet, a1 = self.sample.cells[key]
        grid = next(g for g in grids if g.name == sheet)
        r, c = from_a1(a1)
        while len(grid.rows) <= r:
            grid.rows.append([])
        row = grid.rows[r]
        while len(row) <= c:
            row.append(None)
        old = row[c]
        if value is None:
            row[c] = None
        elif isinstance(old, str):  # keep text numbers text ("20,323.21")
            row[c] = f"{value:,.2f}"
        else:
            row[c] = float(value)

    def error(self, kind: str, rng: random.Random, taken: set) -> dict[tuple, Decimal | None]:
        """New values for the cells one error of ``kind`` changes (empty if not applicable)."""
        shown = self.sample.shown
        for _ in range(200):
            key = rng.choice(self.keys)
            if key in taken:
                continue
            v = shown[key]
            if kind == "typo":
                return {key: typo(v, rng)}
            if kind == "swap":
                w = swap(v, rng)
                if w is not None:
                    return {key: w}
            elif kind == "sign":
                return {key: -v}
            elif kind == "band":
                return {key: v + rng.choice((Decimal("0.01"), Decimal("-0.01")))}
            elif kind in ("copy_total", "wrong_row"):
                table, block, row, col = key
                if not (row.isdigit() and len(row) in (5, 7)):
                    continue
                parent = (table, block, row[:-2], col)
                if kind == "copy_total":
                    if parent in self.sample.cells and shown.get(parent) not in (None, v):
                        return {key: shown[parent]}
                    continue
                siblings = [k for k in self.sample.cells
                            if k[0] == table and k[1] == block and k[3] == col and k != key
                            and k[2].isdigit() and len(k[2]) == len(row)
                            and k[2][:-2] == row[:-2] and k not in taken]
                if siblings:
                    return {key: None, rng.choice(siblings): v}
        return {}


def run_case(wb: Workbook, kinds: tuple[str, ...], rng: random.Random) -> Case | None:
    grids = copy.deepcopy(wb.grids)
    changes: dict[tuple, Decimal | None] = {}
    for kind in kinds:
        change = wb.error(kind, rng, set(changes))
        if not change:
            return None
        changes.update(change)
    for key, value in changes.items():
        wb.edit(grids, key, value)
    case = Case(wb.layout, kinds, {wb.ref[k]: wb.sample.shown[k] for k in changes})
    case.bands = {wb.ref[k]: wb.tolerance.get(wb.ref[k], Decimal(0)) / wb.scale.get(wb.ref[k], 1)
                  for k in changes}
    deltas = {wb.ref[k]: abs((v or 0) - (wb.sample.shown[k] or 0)) * wb.scale.get(wb.ref[k], 1)
              for k, v in changes.items()}
    case.outside = any(d > wb.tolerance.get(r, Decimal(0)) for r, d in deltas.items())
    case.identifiable = all(r in wb.unique and deltas[r] > wb.tolerance.get(r, Decimal(0))
                            for r in case.injected)
    t = time.perf_counter()
    identities: list[Identity] = analyse(grids, wb.path).identities
    case.check_ratio = (wb.read_seconds + time.perf_counter() - t) / wb.check_seconds
    present = {t.amount.ref for i in identities for t in i.terms}
    case.absent = {r for r in case.injected if r not in present}
    t = time.perf_counter()
    case.findings = locate(identities)
    case.seconds = time.perf_counter() - t
    certain = {CellRef(f.sheet, f.cell) for f in case.findings if f.certain}
    exhaustive = len(case.injected) <= 2  # the independent search is combinatorial
    if case.identifiable and certain != set(case.injected) and exhaustive:
        # Errors can cancel in a shared identity (a value moved between rows of one column
        # leaves the column total right): check independently, by trying every smaller or
        # equal set of cells of the failing identities with the LP, whether another repair
        # exists; if so the case was not identifiable after all.
        case.alternative = alternative_repair(identities, set(case.injected),
                                              len(case.injected))
        case.identifiable = case.alternative is None
    found = {CellRef(f.sheet, f.cell) for f in case.findings}
    if case.outside and len(case.injected) > 1 and exhaustive and \
            not set(case.injected) <= found:
        # A cell missing from the candidates is a miss only if the injected cells form a
        # minimal repair; a smaller repair means the errors look like fewer errors (a value
        # moved between two rows of one column changes only that column's total).
        case.masked = alternative_repair(identities, set(case.injected),
                                         len(case.injected) - 1)
    return case


def alternative_repair(identities: list[Identity], injected: set[CellRef], size: int
                       ) -> frozenset[CellRef] | None:
    """Another set of at most ``size`` cells whose change makes every error identity (and
    every holding warning) hold, found by exhaustive search with LP feasibility (independent
    of the mixed-integer search), with the same non-negativity bound as localisation."""
    hard = [i for i in identities if severity_of(i) == "error" or not i.fails]
    system = System.build(hard)
    solver = get_solver()
    failing = [set(row) for k, row in enumerate(system.coefs) if system.identities[k].fails]
    cells = sorted(set().union(*failing))
    target = frozenset(system.index[r] for r in injected if r in system.index)
    for k in range(1, size + 1):
        for combo in itertools.combinations(cells, k):
            s = frozenset(combo)
            if s == target or not all(s & row for row in failing):
                continue
            if solver.solve(system.repair(s)).status == "optimal":
                return frozenset(system.cells[i].ref for i in s)
    return None


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}% ({a}/{b})" if b else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=6, help="workbooks per layout")
    ap.add_argument("--out", type=Path, default=None, help="folder for the sample workbooks")
    args = ap.parse_args()
    rng = random.Random(20231231)
    folder = args.out or Path(tempfile.mkdtemp(prefix="xlb-loc-"))
    cases: list[Case] = []
    clean_findings = 0
    clean_workbooks = 0
    read_times: list[float] = []
    check_times: list[float] = []
    clean_locate: list[float] = []
    for layout in FAMILIES:
        for seed in range(1, args.seeds + 1):
            wb = Workbook(layout, seed, folder)
            read_times.append(wb.read_seconds)
            check_times.append(wb.check_seconds)
            t = time.perf_counter()
            locate(wb.identities)
            clean_locate.append(time.perf_counter() - t)
            clean_workbooks += 1
            clean_findings += len(wb.clean_findings)
            FALSE_POSITIVES[layout] += len(wb.clean_findings)
            for f in wb.clean_findings:
                print(f"  clean {layout}/{seed}: {f.rule} {f.sheet}!{f.cell} {f.message[:80]}")
            singles = [(k,) for k in KINDS]
            doubles = [tuple(rng.sample(KINDS[:5], 2)) for _ in range(3)]
            several = [tuple(rng.choice(KINDS[:5]) for _ in range(n)) for n in (4, 6)]
            for kinds in singles + doubles + several:
                case = run_case(wb, kinds, rng)
                if case is not None:
                    cases.append(case)
    report(cases, clean_workbooks, clean_findings, read_times, check_times, clean_locate)
    pathological(folder, rng, statistics.median(read_times))


def pathological(folder: Path, rng: random.Random, base: float) -> None:
    """Many simultaneous errors: how far localisation goes, and what it reports as
    unexplained (never a partial repair)."""
    print("\nmany errors in one workbook (shanghai layout, seed 99):")
    wb = Workbook("shanghai", 99, folder)
    for n in (3, 30, 150):
        grids = copy.deepcopy(wb.grids)
        for key in rng.sample(wb.keys, n):
            wb.edit(grids, key, typo(wb.sample.shown[key], rng))
        identities = analyse(grids, wb.path).identities
        failing = sum(i.fails for i in identities)
        t = time.perf_counter()
        found = locate(identities)
        took = time.perf_counter() - t
        print(f"  {n:>3} errors, {failing:>3} failing identities: {took / base:7.1f}x read, "
              f"{len(found)} findings ({sum(f.certain for f in found)} certain, "
              f"{sum(bool(f.extra.get('unexplained')) for f in found)} unexplained groups, "
              f"{sum(_limited(f) for f in found)} decided by a work limit)")


def report(cases: list[Case], clean_workbooks: int, clean_findings: int,
           read_times: list[float], check_times: list[float], clean_locate: list[float]
           ) -> None:
    outside = [c for c in cases if c.outside]
    detected = [c for c in outside if any(f.severity == "error" for f in c.findings)]
    minimal = [c for c in outside if c.masked is None]
    cells = sum(len(c.injected) for c in minimal)
    recalled = sum(len(set(c.injected) & {CellRef(f.sheet, f.cell) for f in c.findings})
                   for c in minimal)
    ident = [c for c in outside if c.identifiable]

    def top1(c: Case) -> bool:
        return {CellRef(f.sheet, f.cell) for f in c.findings if f.certain} == set(c.injected)

    certain = [(c, f) for c in cases for f in c.findings if f.certain]
    right = [(c, f) for c, f in certain if CellRef(f.sheet, f.cell) in c.injected]
    # Values are judged where the injected cells are the minimal repair (not masked).
    valued = [(c, f) for c, f in right if c.masked is None]
    value_ok = [(c, f) for c, f in valued
                if f.expected in _original(c.injected[CellRef(f.sheet, f.cell)])]
    near = [(c, f) for c, f in valued if _near(f.expected, c.injected[CellRef(f.sheet, f.cell)],
                                               c.bands[CellRef(f.sheet, f.cell)])]
    band = [c for c in cases if c.kinds == ("band",)]
    print(f"\ncases: {len(cases)} ({len(outside)} with an error outside the rounding band, "
          f"{len(ident)} identifiable; "
          f"{sum(c.alternative is not None for c in cases)} found not identifiable by search)")
    print(f"detection (outside band):      {pct(len(detected), len(outside))}")
    print(f"top-1 (identifiable):          {pct(sum(map(top1, ident)), len(ident))}")
    print(f"candidate recall (cells):      {pct(recalled, cells)}  (cases whose injected "
          f"cells are a minimal repair; {len(outside) - len(minimal)} masked cases left out)")
    print(f"certain precision:             {pct(len(right), len(certain))}")
    print(f"expected value = original:     {pct(len(value_ok), len(valued))}")
    print(f"expected within rounding band: {pct(len(near), len(valued))}  (sums of shown values "
          "can differ from the printed figure by rounding)")
    print(f"false positives (clean):       {clean_findings} findings on {clean_workbooks} "
          "workbooks")
    print(f"0.01 edits reported:           {pct(sum(bool(c.findings) for c in band), len(band))}"
          "  (reported only when the edit pushes an identity past its band)")
    print("\nper kind            cases  outside  detected  identifiable  top-1   recall")
    by_kind: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_kind["+".join(c.kinds) if len(c.kinds) == 1 else f"{len(c.kinds)} errors"].append(c)
    for kind, cs in by_kind.items():
        out = [c for c in cs if c.outside]
        idf = [c for c in out if c.identifiable]
        det = sum(any(f.severity == "error" for f in c.findings) for c in out)
        n = sum(len(c.injected) for c in out if c.masked is None)
        rec = sum(len(set(c.injected) & {CellRef(f.sheet, f.cell) for f in c.findings})
                  for c in out if c.masked is None)
        print(f"{kind:<18}{len(cs):>7}{len(out):>9}{det:>10}{len(idf):>14}"
              f"{sum(map(top1, idf)):>7}{rec:>6}/{n}")
    print("\nper family          cases  detected      top-1        values   false pos.  limits")
    fams: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        fams[c.layout].append(c)
    for fam, cs in fams.items():
        out = [c for c in cs if c.outside]
        idf = [c for c in out if c.identifiable]
        det = sum(any(f.severity == "error" for f in c.findings) for c in out)
        val = [(c, f) for c, f in valued if c.layout == fam]
        ok = sum(f.expected in _original(c.injected[CellRef(f.sheet, f.cell)]) for c, f in val)
        lim = sum(any(_limited(f) for f in c.findings) for c in cs)
        print(f"{fam:<18}{len(cs):>6}{det:>6}/{len(out):<6}{sum(map(top1, idf)):>5}/{len(idf):<6}"
              f"{ok:>6}/{len(val):<6}{FALSE_POSITIVES[fam]:>6}{lim:>9}")
    limited = [c for c in cases if any(_limited(f) for f in c.findings)]
    unexplained = [c for c in cases if any(f.extra.get("unexplained") for f in c.findings)]
    print(f"cases decided by a work limit:  {len(limited)} of {len(cases)}; "
          f"cases with an unexplained group: {len(unexplained)}")
    for c in unexplained:
        print("  unexplained:", c.layout, c.kinds, [str(r) for r in c.injected],
              [(f.cell, f.rule) for f in c.findings if f.extra.get("unexplained")])
    for c in cases:
        if c.alternative is not None:
            print("  not identifiable:", c.layout, c.kinds, [str(r) for r in c.injected],
                  "also repaired by", sorted(str(r) for r in c.alternative))
    for c in outside:
        lost = set(c.injected) - {CellRef(f.sheet, f.cell) for f in c.findings}
        if lost and c.masked is not None:
            print("  masked:", c.layout, c.kinds, [str(r) for r in c.injected],
                  "explained by fewer cells:", sorted(str(r) for r in c.masked))
        elif lost:
            print("  not found:", c.layout, c.kinds, sorted(str(r) for r in lost),
                  "absent from every identity" if lost <= c.absent else "",
                  [(f.cell, f.certain, f.message[:50]) for f in c.findings][:4])
    for c, f in valued:
        ref = CellRef(f.sheet, f.cell)
        if not _near(f.expected, c.injected[ref], c.bands[ref]):
            print(f"  value: {c.layout} {c.kinds} {f.sheet}!{f.cell} expected {f.expected}, "
                  f"printed {c.injected[CellRef(f.sheet, f.cell)]}")
    for c in cases:
        if c.seconds > 0.5:
            print(f"  slow: {c.layout} {c.kinds} {[str(r) for r in c.injected]} "
                  f"{c.seconds:.2f}s, {len(c.findings)} findings")
    misses = [c for c in ident if not top1(c)]
    for c in misses[:10]:
        print("  missed:", c.layout, c.kinds, [str(r) for r in c.injected],
              [(f.cell, f.certain, f.expected) for f in c.findings][:6])
    base = statistics.median(read_times)
    times = sorted(c.seconds for c in cases)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"\nspeed, as multiples of the calamine read of the same workbook "
          f"(median read {base * 1000:.1f} ms):")
    print(f"  locate, clean workbook:   median {statistics.median(clean_locate) / base:.2f}x")
    print(f"  locate, with errors:      median {statistics.median(times) / base:.2f}x, "
          f"p95 {p95 / base:.2f}x, max {times[-1] / base:.2f}x")
    print(f"  locate, with errors:      median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")
    ratios = sorted(c.check_ratio for c in cases)
    print(f"whole check with 1–6 errors over the whole check of the same clean workbook: "
          f"median {statistics.median(ratios):.2f}x, p95 "
          f"{ratios[int(0.95 * (len(ratios) - 1))]:.2f}x, max {ratios[-1]:.2f}x")
    check = statistics.median(check_times)
    print(f"as multiples of the whole check of the clean workbook (calamine read, recognition, "
          f"rules; median {check * 1000:.1f} ms):")
    print(f"  locate, with errors:      median {statistics.median(times) / check:.2f}x, "
          f"p95 {p95 / check:.2f}x, max {times[-1] / check:.2f}x")


#: family -> non-info findings on its clean workbooks
FALSE_POSITIVES: dict[str, int] = defaultdict(int)


def _limited(f) -> bool:
    """Whether a work limit decided this finding (the benchmark's goal is none)."""
    return "计算量超过限度" in f.message or "未能全部列出" in f.message


def _near(expected: str | None, original: Decimal | None, band: Decimal) -> bool:
    if expected is None:
        return original is None
    return abs(Decimal(expected) - (original or Decimal(0))) <= band


def _original(value: Decimal | None) -> tuple[str | None, ...]:
    """The expected values that restore ``value`` (a blank is restored by blank or zero)."""
    return (None, "0.00") if value is None else (f"{value:.2f}",)


if __name__ == "__main__":
    main()
