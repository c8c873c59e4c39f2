"""Build the project's sample workbooks (``workbooks/``), the shanghai sample's narrative
(情况说明 .docx) and the README with the error list.

Run ``python -m xlbudget.generate.samples workbooks`` from the repository root. The known
errors are data (``ERRORS``): each names the truth's cell by its key and how the value goes
wrong, so the README's table of sheet, cell, wrong and right value is computed, never typed.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from xlbudget.engine import read_and_analyse
from xlbudget.generate.data import generate
from xlbudget.generate.dataset import Dataset
from xlbudget.generate.inject import inject
from xlbudget.generate.layouts import Sample, write
from xlbudget.narrative.generate import write_narrative

#: Clean samples: (file stem, layout, seed). Seeds chosen for variety: 7 has fund,
#: state-capital and non-fiscal money (every table full); 26 has an empty fund table; 11 has
#: empty fund and state-capital tables.
CLEAN = (("sample-shanghai", "shanghai", 7), ("sample-central", "central", 26),
         ("sample-stacked", "stacked", 11))
ERRORS_SEED = 1  # fund money with different opening and closing balances
YEAR = 2023


@dataclass(frozen=True, slots=True)
class KnownError:
    """One error of the error workbook: which truth cells (by key) go wrong, and how."""

    what: str
    #: the keys of the wrong cells: amount keys, or (table, block, row) for a row's label
    targets: Callable[[Dataset], list[tuple[str, ...]]]
    #: the wrong value of one target from its key and right (shown) value
    wrong: Callable[[tuple[str, ...], object, Dataset], object]
    rules: str
    #: whether the identities alone single out the wrong cell, and why
    locatable: str


def mistype(value: Decimal) -> Decimal:
    """One digit typed wrong: the second digit of the integer part (or the first) moves by 5."""
    text = f"{value:.2f}"
    pos = 1 if len(text.split(".")[0]) > 1 else 0
    digit = (int(text[pos]) + 5) % 10
    return Decimal(text[:pos] + str(digit) + text[pos + 1:])


def swap_digits(value: Decimal) -> Decimal:
    """Two neighbouring digits swapped: the first differing pair after the leading digit."""
    text = f"{value:.2f}"
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    for a, b in pairwise(digits[1:]):
        if text[a] != text[b] and b == a + 1:
            return Decimal(text[:a] + text[b] + text[a] + text[b + 1:])
    raise ValueError(f"{value} has no neighbouring digits to swap")


def _leaf(ds: Dataset, table: str, column: str, minimum: Decimal) -> str:
    """The first 项 of ``table`` whose ``column`` shows at least ``minimum``."""
    return next(c for c in ds.rows[(table, "main")] if len(c) == 7
                and ds.shown((table, "main", c, column)) >= minimum)


def _copied_leaf(ds: Dataset) -> str:
    """A 项 of T5 whose row differs from its class row in every column, so a copy shows."""
    columns = ds.columns[("T5", "main")]
    return next(c for c in ds.rows[("T5", "main")] if len(c) == 7 and all(
        ds.shown(("T5", "main", c, col)) != ds.shown(("T5", "main", c[:3], col))
        for col in columns))


def _moved_leaf(ds: Dataset) -> str:
    return next(c for c in ds.rows[("T8", "main")] if len(c) == 7
                and ds.yuan[("T8", "main", c, "opening")] != ds.yuan[("T8", "main", c, "closing")])


_ONLY_SHARED = "unique: the only cell in both failing identities"

ERRORS: tuple[KnownError, ...] = (
    KnownError(
        "收入决算表：一个项级科目的财政拨款收入输错一位数字",
        lambda ds: [("T2", "main", _leaf(ds, "T2", "fiscal", Decimal(100)), "fiscal")],
        lambda key, v, ds: mistype(v), "T2-a, T2-b", _ONLY_SHARED),
    KnownError(
        "三公经费表：决算数合计漏加公务接待费",
        lambda ds: [("T7", "main", "total", "total_final")],
        lambda key, v, ds: v - ds.shown(("T7", "main", "total", "reception_final")), "T7-a",
        "unique with X16: a lower 因公出国 or 接待 决算数 would fall below its T6 item"),
    KnownError(
        "一般公共预算财政拨款支出决算表：一个项级科目整行抄成了所属类的合计（该类被重复计算）",
        lambda ds: [("T5", "main", _copied_leaf(ds), col) for col in ("total", "basic",
                                                                     "project")],
        lambda key, v, ds: ds.shown(("T5", "main", key[2][:3], key[3])), "T5-b",
        "unique only with spending ≥ 0: another 项 of the 款 would have to turn negative"),
    KnownError(
        "收入支出决算总表：社会保障和就业支出与支出决算表不一致（多填 100 万元）",
        lambda ds: [("T1", "expense", "208", "amount")],
        lambda key, v, ds: v + 100, "T1-b, X5", _ONLY_SHARED),
    KnownError(
        "一般公共预算财政拨款支出决算表：卫生健康支出仍用旧名称",
        lambda ds: [("T5", "main", "210")],
        lambda key, v, ds: "医疗卫生与计划生育支出", "NM-c（名称已过时；另见 NM-a）",
        "a name check, not arithmetic"),
    KnownError(
        "基本支出决算表：基本工资两位数字颠倒",
        lambda ds: [("T6", "main", "30101", "amount")],
        lambda key, v, ds: swap_digits(v), "T6-a",
        "a tie by arithmetic: any 301 item fixes T6-a; the difference is a multiple of 9, "
        "the mark of swapped digits"),
    KnownError(
        "政府性基金预算财政拨款收入支出决算表：一个项级科目的年末结转和结余填成了年初数",
        lambda ds: [("T8", "main", _moved_leaf(ds), "closing")],
        lambda key, v, ds: ds.shown(("T8", "main", key[2], "opening")), "T8-b, T8-c", _ONLY_SHARED),
)


@dataclass(frozen=True, slots=True)
class InjectedCell:
    """One changed cell of the error workbook, as listed in the README."""

    number: int
    what: str
    sheet: str
    cell: str
    wrong: object
    right: object
    rules: str
    locatable: str


def _resolve(sample: Sample) -> list[InjectedCell]:
    """The error list for one sample: every wrong cell with its address and both values."""
    ds = sample.dataset
    out = []
    for n, err in enumerate(ERRORS, 1):
        for key in err.targets(ds):
            if len(key) == 4:
                right: object = ds.shown(key)  # type: ignore[arg-type]
                sheet, cell = sample.cells[key]  # type: ignore[index]
            else:
                right = ds.names[key[2]]
                sheet, cell = sample.labels[key]  # type: ignore[index]
            wrong = err.wrong(key, right, ds)
            out.append(InjectedCell(n, err.what, sheet, cell, wrong, right, err.rules,
                                    err.locatable))
    return out


def reproducible(path: Path, year: int = YEAR) -> None:
    """Rewrite an .xlsx or .docx with fixed zip times and document dates, so that a rebuild of an
    unchanged sample is byte-identical and git sees no change (openpyxl stamps the time)."""
    stamp = f"{year + 1}-08-31T00:00:00Z".encode()
    with zipfile.ZipFile(path) as zf:
        parts = [(info.filename, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*",
                              rb"\g<1>" + stamp, data)
            info = zipfile.ZipInfo(name, date_time=(year + 1, 8, 31, 0, 0, 0))
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def build(out_dir: str | Path) -> list[Path]:
    """Write every sample workbook and README.md into ``out_dir``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    clean_rows = []
    for stem, layout, seed in CLEAN:
        ds = generate(seed, YEAR)
        written.append(write(ds, out / f"{stem}.xlsx", layout).path)
        assert ds.prior is not None
        written.append(write(ds.prior, out / f"{stem}-prior.xlsx", layout).path)
        clean_rows.append((stem, layout, seed, ds))
    ds = generate(ERRORS_SEED, YEAR)
    base = write(ds, out / "sample-errors-clean.xlsx", "shanghai")
    cells = _resolve(base)
    edits = [(c.sheet, c.cell, float(c.wrong) if isinstance(c.wrong, Decimal) else c.wrong)
             for c in cells]
    inject(base.path, out / "sample-errors.xlsx", edits)
    written += [base.path, out / "sample-errors.xlsx"]
    written.append(_narrative(out / "sample-shanghai.xlsx", out / "sample-shanghai-prior.xlsx"))
    for path in written:
        reproducible(path)
    readme = out / "README.md"
    readme.write_text(_readme(clean_rows, ds, cells), encoding="utf-8")
    written.append(readme)
    return written


def _narrative(workbook: Path, prior: Path) -> Path:
    """The sample narrative (情况说明) of the shanghai sample, so that it never goes stale
    when the samples change (the narrative generator reads the workbooks back)."""
    out = workbook.with_name(f"{workbook.stem}-说明.docx")
    model = read_and_analyse(workbook)[1].model
    prior_model = read_and_analyse(prior)[1].model
    write_narrative(model, out, prior_model)
    return out


def _features(ds: Dataset) -> str:
    parts = []
    if ds.value("T1", "income", "income_total", "amount") != ds.value(
            "T4", "income", "income_total", "amount"):
        parts.append("non-fiscal income (T1 ≠ T4)")
    parts.append("fund money in T8" if not ds.is_empty("T8") else "T8 empty with its note")
    parts.append("state-capital money in T9" if not ds.is_empty("T9")
                 else "T9 empty with its note")
    return "; ".join(parts)


def _fmt(v: object) -> str:
    return f"{v:.2f}" if isinstance(v, Decimal) else str(v)


def _readme(clean: list, errors_ds: Dataset, cells: list[InjectedCell]) -> str:
    layouts = {
        "shanghai": "nine sheets named by table, one code column, 合计 first (T2/T3) and last "
                    "(T5), 三公 interleaved 预算数/决算数",
        "central": "sheets 公开01表…公开09表 with the tag in the corner, 编制部门/金额单位, "
                   "行次 in T1/T4 (every class listed with ordinals), split 类/款/项 codes, "
                   "栏次 rows, "
                   "三公 blocked (six 预算数 then six 决算数), T6 in three blocks, zeros blank",
        "stacked": "all nine tables on one sheet 决算公开表 plus 封面 and 说明, codes as numbers, "
                   "T6 in 元, 三公 vertical, some amounts as text with thousands separators, "
                   "zeros as - or blank",
    }
    lines = [
        "# Sample workbooks",
        "",
        "*Developer documentation, in English; what the samples are for, in Chinese: the "
        "README's 示例输出 and `docs/api.md`.*",
        "",
        "Made by the project's generator (`xlbudget.generate`): amounts are drawn in 元, summed "
        "exactly, and every cell is rounded on its own to 0.01 万元, so the clean files hold "
        "every identity of the reference (T1-a … X17) up to rounding residuals of 0.01–0.02, as "
        "real documents do. Each `…-prior.xlsx` is the same department one year earlier "
        f"({YEAR - 1}), for charts and narrative growth figures.",
        "",
        "Regenerate everything (deterministic; run from the repository root):",
        "",
        "```",
        "python -m xlbudget.generate.samples workbooks",
        "```",
        "",
        "One file at a time: `xlbudget sample OUT.xlsx --layout shanghai|central|stacked "
        "--seed N [--year Y] [--prior OUT_PRIOR.xlsx]`.",
        "",
        "## Clean samples",
        "",
        "| file | layout | seed | department | money |",
        "|---|---|---|---|---|",
    ]
    for stem, layout, seed, ds in clean:
        lines.append(f"| `{stem}.xlsx` | {layout}: {layouts[layout]} | {seed} | "
                     f"{ds.organisation} | {_features(ds)} |")
    lines += [
        "",
        "`sample-shanghai-说明.docx` is the narrative (情况说明) of `sample-shanghai.xlsx`, "
        "written by `xlbudget.narrative.generate` from that workbook and its prior year; the "
        "command above rebuilds it with the workbooks, so its figures always match.",
        "",
        "## Workbook with known errors",
        "",
        f"`sample-errors.xlsx` is `sample-errors-clean.xlsx` (shanghai layout, seed "
        f"{ERRORS_SEED}, {errors_ds.organisation}; {_features(errors_ds)}) with the cells "
        "below changed by `xlbudget.generate.inject.inject`, formats kept. No two errors break "
        "the same identity; the last column says whether the identities alone single out the "
        "wrong cell. Amounts in 万元.",
        "",
        "| # | error | sheet | cell | wrong | right | rules | locatable |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in cells:
        lines.append(f"| {c.number} | {c.what} | {c.sheet} | {c.cell} | {_fmt(c.wrong)} | "
                     f"{_fmt(c.right)} | {c.rules} | {c.locatable} |")
    lines += ["", "Rule ids are those of the domain reference `juesuan-tables.md` §3 (T1-a … "
              "X17) and of `xlbudget rules` (NM-a/NM-c: class names).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "workbooks"
    for path in build(target):
        print(path)
