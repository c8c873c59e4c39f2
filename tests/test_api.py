"""The library (``xlbudget.api``) and the text report on workbooks written by the project's
generator, read back through the real code."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlbudget
from xlbudget.generate.data import generate
from xlbudget.generate.layouts import LAYOUTS, write
from xlbudget.tables.text import parse_amount
from xlbudget.text_report import file_text

ROOT = Path(__file__).resolve().parents[1]
ERRORS = ROOT / "workbooks" / "sample-errors.xlsx"


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("api")
    return {layout: write(generate(7), out / f"{layout}.xlsx", layout) for layout in LAYOUTS}


def _with_wrong_t7_total(sample: object, dst: Path, delta: Decimal) -> tuple[str, str, Decimal]:
    """Copy of a generated workbook with T7's 决算数 total off by ``delta`` (another cell in the
    same row stays right, so the total alone is wrong)."""
    sheet, cell = sample.cells[("T7", "main", "total", "total_final")]  # type: ignore[attr-defined]
    right = sample.shown[("T7", "main", "total", "total_final")]  # type: ignore[attr-defined]
    wb = openpyxl.load_workbook(sample.path)  # type: ignore[attr-defined]
    wb[sheet][cell].value = float(right + delta)
    wb.save(dst)
    return sheet, cell, right


def test_import_is_light() -> None:
    code = ("import sys, xlbudget; "
            "print(sorted(m for m in ('pandas', 'scipy', 'openpyxl', 'xlbudget.api') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert callable(xlbudget.check) and callable(xlbudget.charts)


def test_one_wrong_cell_is_one_line(samples: dict[str, object], tmp_path: Path) -> None:
    sample = samples["shanghai"]
    sheet, cell, right = _with_wrong_t7_total(sample, tmp_path / "t7.xlsx", Decimal("-7.23"))
    report = xlbudget.check(tmp_path / "t7.xlsx")
    text = file_text(report.files[0])
    wrong = f"{right - Decimal('7.23'):.2f}"
    lines = [line for line in text.splitlines() if line.lstrip().startswith("✗")]
    assert lines == [f"  ✗ {sheet}!{cell} 表中为 {wrong}，应为 {right:.2f} [T7-a]"]
    assert "合计：错误 1 处" in text and "四舍五入" in text and "违反" not in text
    assert report.problems()["error"] == 1 and report.exit_code == 1
    verbose = file_text(report.files[0], verbose=True)
    assert "违反 T7-a" in verbose and " = " in verbose  # the identity's formula


def test_clean_file_is_one_line(samples: dict[str, object]) -> None:
    for sample in samples.values():
        report = xlbudget.check(sample.path)  # type: ignore[attr-defined]
        text = file_text(report.files[0])
        assert "\n" not in text and "未发现问题" in text, text
        assert report.exit_code == 0 and report.problems()["error"] == 0


def test_candidates_and_copied_row_are_one_problem_each() -> None:
    report = xlbudget.check(ERRORS)
    df = report.to_frame()
    errors = df[df.severity == "error"]
    # Every finding belongs to exactly one problem; ties share it.
    ties = errors[~errors.certain]
    assert len(ties) > 1 and ties.defect.nunique() == 1
    row = errors[(errors.sheet == "一般公共预算财政拨款支出决算表") & (errors.rule == "T5-b")]
    assert len(row) == 3 and row.defect.nunique() == 1
    text = report.text()
    error_lines = [line for line in text.splitlines() if line.lstrip().startswith("✗")]
    assert len(error_lines) == report.problems()["error"] < len(errors)
    tie_line = next(line for line in error_lines if "有一格有误" in line)
    shown_cells = re.findall(r"\bC\d+\b", tie_line)
    assert set(shown_cells) <= set(ties.cell) and len(shown_cells) >= min(len(ties), 6)
    assert f"合计：错误 {report.problems()['error']} 处" in text


def test_report_frame(tmp_path: Path) -> None:
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    for name in ("sample-errors.xlsx", "sample-central.xlsx"):
        (tmp_path / name).write_bytes((ROOT / "workbooks" / name).read_bytes())
    report = xlbudget.check(tmp_path)
    df = report.to_frame()
    assert set(df.file) == {"坏.xlsx", "sample-errors.xlsx", "sample-central.xlsx"}
    bad = df[df.file == "坏.xlsx"]
    assert len(bad) == 1 and bad.iloc[0].status == "error" and "坏.xlsx" in bad.iloc[0].message
    assert df.actual.dtype == "float64" and df.expected.dtype == "float64"
    numeric = df.dropna(subset=["actual_text"])
    numeric = numeric[numeric.actual.notna()]
    assert (numeric.actual == numeric.actual_text.astype(float)).all()
    assert len(df) == 1 + sum(len(r.findings) for r in report.files)
    summary = report.summary()
    assert list(summary.file) == [Path(r.path).name for r in report.files]
    assert int(summary.loc[summary.file == "sample-errors.xlsx", "problems_error"].iloc[0]) \
        == sum(1 for _ in df[(df.file == "sample-errors.xlsx") & (df.severity == "error")]
               .defect.unique())
    html = report._repr_html_()
    assert "<table" in html and "坏.xlsx" in html


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 60), layout=st.sampled_from(LAYOUTS), key=st.sampled_from(
    ["T1", "T2", "T3", "T5", "T6", "T7"]))
def test_table_frame_addresses_hold_the_values(seed: int, layout: str, key: str,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("frame") / "book.xlsx"
    write(generate(seed), path, layout)
    frame = xlbudget.read(path).tables[key].to_frame()
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[frame.attrs["sheet"]]
    columns = [c for c in frame.columns if f"{c}_cell" in frame.columns]
    assert columns and not frame.empty
    for _, row in frame.iterrows():
        for c in columns:
            address = row[f"{c}_cell"]
            if not isinstance(address, str):
                continue
            value, _, _ = parse_amount(ws[address].value)
            got = row[c]
            if value is None:
                assert pd.isna(got) or got == 0
            else:
                assert float(value) == got, (key, address)


def test_name_findings_point_at_the_name_and_mark_colours_it(tmp_path: Path) -> None:
    report = xlbudget.check(ERRORS, select="NM")
    names = [f for f in report.findings if f.rule.startswith("NM-")]
    assert names
    wb = openpyxl.load_workbook(ERRORS)
    for f in names:
        assert f.actual and f.actual in str(wb[f.sheet][f.cell].value), (f.cell, f.actual)
    written = xlbudget.mark(ERRORS, tmp_path / "标注.xlsx", select="NM")
    marked = openpyxl.load_workbook(written.path)
    for f in names:
        c = marked[f.sheet][f.cell]
        assert c.fill.fill_type == "solid" and f.rule in c.comment.text


def test_writers_report_what_they_wrote(samples: dict[str, object], tmp_path: Path) -> None:
    sample = samples["shanghai"]
    src = tmp_path / "单位.xlsx"
    sheet, cell, _ = _with_wrong_t7_total(sample, src, Decimal("-7.23"))
    before = src.read_bytes()
    marked = xlbudget.mark(src)
    assert marked.path == tmp_path / "单位_标注.xlsx" and marked.marked >= 1
    assert src.read_bytes() == before  # the input is not changed
    fixed = xlbudget.fix(src, in_place=True)
    assert fixed.backup is not None and fixed.backup.read_bytes() == before
    assert f"{sheet}!{cell}" in fixed.fixed
    assert xlbudget.check(src, select="T7").exit_code == 0
    cleaned = xlbudget.clean(marked.path)
    assert cleaned.cleaned == marked.marked and cleaned.removed_sheets
    nothing = xlbudget.clean(cleaned.path)
    assert nothing.path == cleaned.path and nothing.cleaned == 0
    with pytest.raises(xlbudget.XlbudgetError, match=r"单位\.xls"):
        xlbudget.mark(tmp_path / "单位.xls")


def test_cli_counts_agree(samples: dict[str, object], tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xlbudget", *args], capture_output=True,
                              text=True, timeout=300)

    src = tmp_path / "单位.xlsx"
    src.write_bytes(ERRORS.read_bytes())
    check = run("check", str(src))
    mark = run("mark", str(src))
    clean = run("clean", str(tmp_path / "单位_标注.xlsx"))
    assert (check.returncode, mark.returncode, clean.returncode) == (1, 1, 0), mark.stderr
    errors = re.search(r"合计：错误 (\d+) 处", check.stdout)
    said = re.search(r"错误 (\d+) 处.*已标注 (\d+) 个单元格", mark.stdout)
    undone = re.search(r"已还原 (\d+) 个单元格", clean.stdout)
    assert errors and said and undone, (check.stdout, mark.stdout, clean.stdout)
    assert said.group(1) == errors.group(1) and undone.group(1) == said.group(2)


def test_select_takes_the_command_line_forms() -> None:
    lower = xlbudget.check(ERRORS, select="t7").to_frame()
    assert set(lower.rule) == {"T7-a"}
    starred = xlbudget.check(ERRORS, select=["X1*", "t7-a"]).to_frame()
    assert set(starred.rule) <= {"T7-a", *(f"X1{i}" for i in ("", *range(10)))}
    with pytest.raises(xlbudget.XlbudgetError, match="T77"):
        xlbudget.check(ERRORS, select="T77")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(LAYOUTS), pick=st.integers(0, 10**6),
       delta=st.sampled_from([Decimal("1.00"), Decimal("-3.21"), Decimal("100.00")]))
def test_any_single_wrong_cell_is_one_problem(samples: dict[str, object], layout: str, pick: int,
                                              delta: Decimal,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever amount is mistyped, the text report shows one error line, and that line's
    problem holds the mistyped cell (as the cell judged wrong or as one of its candidates)."""
    from hypothesis import assume

    sample = samples[layout]
    keys = sorted(k for k, v in sample.shown.items()  # type: ignore[attr-defined]
                  if isinstance(v, Decimal) and v + delta >= 0)
    key = keys[pick % len(keys)]
    sheet, cell = sample.cells[key]  # type: ignore[attr-defined]
    path = tmp_path_factory.mktemp("one") / "book.xlsx"
    wb = openpyxl.load_workbook(sample.path)  # type: ignore[attr-defined]
    wb[sheet][cell].value = float(sample.shown[key] + delta)  # type: ignore[attr-defined]
    wb.save(path)
    report = xlbudget.check(path)
    df = report.to_frame()
    errors = df[df.severity == "error"]
    assume(not errors.empty)  # a cell no identity reads (none in the standard tables)
    assert report.problems()["error"] == 1, errors[["cell", "rule", "certain", "message"]]
    assert errors.defect.nunique() == 1
    assert cell in set(errors[errors.sheet == sheet].cell)
    lines = [x for x in report.text().splitlines() if x.lstrip().startswith("✗")]
    assert len(lines) == 1


def test_narrative_findings_keep_their_place_in_the_frame(tmp_path: Path) -> None:
    import docx

    book = tmp_path / "单位.xlsx"
    book.write_bytes((ROOT / "workbooks" / "sample-shanghai.xlsx").read_bytes())
    doc = docx.Document(str(ROOT / "workbooks" / "sample-shanghai-说明.docx"))
    run = next(r for p in doc.paragraphs for r in p.runs if re.search(r"\d+\.\d\d万元", r.text))
    run.text = re.sub(r"(\d+)(\.\d\d万元)", lambda m: f"{int(m[1]) + 100}{m[2]}", run.text,
                      count=1)
    doc.save(str(tmp_path / "单位.docx"))  # paired with the workbook by its name
    df = xlbudget.check(book).to_frame()
    told = df[df.document.notna()]
    assert not told.empty and set(told.document) == {"单位.docx"}
    assert told.paragraph.notna().all() and told["quote"].str.contains("万元").any()
    assert told.sheet.isna().all()


def test_json_summary_counts_problems_too() -> None:
    report = xlbudget.check(ERRORS)
    summary = report.to_json()["summary"]
    assert summary["problems"] == report.problems()
    assert summary["error"] == report.counts()["error"] > summary["problems"]["error"]
    out = subprocess.run([sys.executable, "-m", "xlbudget", "check", str(ERRORS), "--format",
                          "json"], capture_output=True, text=True, timeout=120)
    import json

    assert json.loads(out.stdout)["summary"] == summary
