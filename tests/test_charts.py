"""Chart data sheets 图1–图7 on real files: data from the tables, native charts, prior values,
the staleness rule CH-a, and LibreOffice opening what we write."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlbudget.chart_data import PriorValuesError, chart_data, prior_template, read_prior_values
from xlbudget.cli import main
from xlbudget.codes import FUNCTION_CLASSES
from xlbudget.engine import analyse, check_file
from xlbudget.generate import generate, write
from xlbudget.generate.inject import inject
from xlbudget.sources.files import read_workbook
from xlbudget.sources.own import REPORT_SHEET

INCOME = ("gpb", "fund", "soe", "superior_subsidy", "business", "operating", "affiliated_remit",
          "other")


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("charts")
    ds = generate(5)
    return write(ds, d / "本年.xlsx"), write(ds.prior, d / "上年.xlsx")  # type: ignore[arg-type]


def sheet_rows(path: Path, name: str) -> dict[str, list[float]]:
    g = {g.name: g for g in read_workbook(path)}[name]
    return {str(r[0]): [v for v in r[1:] if isinstance(v, float)] for r in g.rows[4:]
            if r and r[0] and any(isinstance(v, float) for v in r[1:])}


def test_chart_data_follows_the_tables(sample) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    model = analyse(read_workbook(s.path), str(s.path)).model
    charts, missing = chart_data(model)
    assert missing == [] and [c.number for c in charts] == list(range(1, 8))
    by = {c.number: {r.label: r.values for r in c.rows} for c in charts}
    shown = s.shown
    income = {k: shown[("T1", "income", k, "amount")] or Decimal(0) for k in INCOME}
    assert [v[0] for v in by[2].values()] == [v for v in income.values() if v]
    assert by[1]["本年收入合计"] == [shown[("T1", "income", "income_total", "amount")]]
    assert by[5]["一般公共预算财政拨款支出"] == [shown[("T5", "main", "total", "total")]]
    classes = [c for c in s.dataset.rows[("T5", "main")] if len(c) == 3]
    assert list(by[6]) == [FUNCTION_CLASSES[c] for c in classes
                           if shown[("T5", "main", c, "total")]]
    assert by[7]["公务接待费"] == [shown[("T7", "main", "total", "reception_final")]]
    assert all(c.note and "仅列本年数" in c.note for c in charts if c.number in (1, 4, 5))


def test_charts_command_writes_native_charts(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    src = tmp_path / "本年.xlsx"
    shutil.copy(s.path, src)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "图.xlsx"
    code, text = run("charts", src, "-o", out)
    assert code == 0, text
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    names = [g.name for g in read_workbook(out)]
    assert names[-7:] == [f"图{n}" for n in range(1, 8)]
    rows = sheet_rows(out, "图3")
    basic = s.shown[("T3", "main", "total", "basic")]
    assert Decimal(repr(rows["基本支出"][0])) == basic
    with zipfile.ZipFile(out) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = b"".join(z.read(n) for n in charts).decode()
    assert len(charts) == 7
    assert xml.count("<barChart>") == 3 and xml.count("<pieChart>") == 4
    assert "收、支决算总计变动情况" in xml and "“三公”经费财政拨款支出结构" in xml
    g1 = {g.name: g for g in read_workbook(out)}["图1"]
    assert any("仅列本年数" in g1.text(r, 0) for r in range(g1.height))


def test_prior_workbook_gives_last_year(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, prior = sample
    out = tmp_path / "图.xlsx"
    code, text = run("charts", s.path, "--prior", prior.path, "-o", out)
    assert code == 0, text
    g = {g.name: g for g in read_workbook(out)}["图1"]
    assert g.rows[3][1:3] == [f"{s.dataset.year - 1}年", f"{s.dataset.year}年"]
    rows = sheet_rows(out, "图1")
    last = prior.shown[("T1", "income", "income_total", "amount")]
    this = s.shown[("T1", "income", "income_total", "amount")]
    assert [Decimal(repr(v)) for v in rows["本年收入合计"]] == [last, this]
    rows5 = sheet_rows(out, "图5")
    assert Decimal(repr(rows5["一般公共预算财政拨款支出"][0])) == \
        prior.shown[("T5", "main", "total", "total")]


def test_prior_values_file(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    tpl = tmp_path / "上年数.csv"
    code, _ = run("charts", s.path, "--prior-template", tpl)
    assert code == 0 and prior_template() == tpl.read_text(encoding="utf-8-sig")
    text = tpl.read_text(encoding="utf-8-sig").replace("本年收入合计,", "本年收入合计,\"1,234.50\"")
    text = text.replace("本年支出合计,", "本年支出合计,1200")
    tpl.write_text(text, encoding="utf-8-sig")
    values = read_prior_values(tpl)
    assert values == {"本年收入合计": Decimal("12345000.00"), "本年支出合计": Decimal(12000000)}
    out = tmp_path / "图.xlsx"
    code, text = run("charts", s.path, "--prior-values", tpl, "-o", out)
    assert code == 0, text
    assert sheet_rows(out, "图1")["本年收入合计"][0] == 1234.5
    assert len(sheet_rows(out, "图4")["财政拨款收入总计"]) == 1  # not given: this year only
    bad = tmp_path / "坏.csv"
    bad.write_text("单位,万元\n本年收入合计,abc\n", encoding="utf-8")
    with pytest.raises(PriorValuesError, match="第 2 行"):
        read_prior_values(bad)
    code, text = run("charts", s.path, "--prior-values", bad)
    assert code == 2 and "坏.csv 第 2 行" in text


def _with_stale_sheets(src: Path, dst: Path, basic_wrong: float, project: float) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("图2", 2)
    for row in (["收入决算结构"], [], ["", "三月", "四月"], ["欧洲区", 10, 12], ["北美区", 8, 9]):
        ws.append(row)
    ws3 = wb.create_sheet("图3 支出决算结构")
    for row in (["支出决算结构"], ["单位：万元"], ["项目", "2023年"], ["基本支出", basic_wrong],
                ["项目支出", project], ["旅游支出", 5.0]):
        ws3.append(row)
    wb.save(dst)


def test_stale_chart_sheets_are_reported_and_replaced(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    book = tmp_path / "旧图.xlsx"
    basic = s.shown[("T3", "main", "total", "basic")]
    project = s.shown[("T3", "main", "total", "project")]
    _with_stale_sheets(s.path, book, float(basic + 1), float(project))
    found = [f for f in check_file(book).findings if f.rule == "CH-a"]
    template = [f for f in found if f.sheet == "图2"]
    assert len(template) == 1 and template[0].cell == "B3"  # 三月, first in reading order
    assert "欧洲区" in template[0].message and "三月" in template[0].message
    stale = [f for f in found if f.sheet == "图3 支出决算结构"]
    wrong = [f for f in stale if f.cell == "B4"]
    assert len(wrong) == 1 and Decimal(wrong[0].expected) == basic  # type: ignore[arg-type]
    assert any("旅游支出" in f.message and f.cell == "A6" for f in stale)
    assert not any(f.cell == "B5" for f in stale)  # 项目支出 is right
    # fix writes the certain expected value into the chart data sheet
    fixed = tmp_path / "修.xlsx"
    assert run("fix", book, "-o", fixed)[0] == 0
    g = {g.name: g for g in read_workbook(fixed)}["图3 支出决算结构"]
    assert Decimal(repr(g.rows[3][1])) == basic
    # charts replaces both sheets where they were; check then has nothing to say about charts
    out = tmp_path / "新图.xlsx"
    code, text = run("charts", book, "-o", out)
    assert code == 0, text
    names = [g.name for g in read_workbook(out)]
    assert names[2] == "图2" and "图3 支出决算结构" not in names and "图3" in names
    assert [f for f in check_file(out).findings if f.rule == "CH-a"] == []
    # in place: a backup first, then the input itself holds the new chart sheets
    code, text = run("charts", out, "--in-place")
    assert code == 0 and len(list(tmp_path.glob("新图.备份-*.xlsx"))) == 1, text
    # the command-line check reports the rule too (registered by the rule catalog)
    code, text = run("check", book)
    assert "CH-a" in text and "欧洲区" in text


def test_charts_keep_earlier_marks(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    src = tmp_path / "表.xlsx"
    wb = openpyxl.load_workbook(s.path)
    sheet, cell = s.cells[("T5", "main", "total", "basic")]
    wb[sheet][cell].value = float(s.shown[("T5", "main", "total", "basic")] + 3)
    wb.save(src)
    marked, charted = tmp_path / "m.xlsx", tmp_path / "c.xlsx"
    assert run("mark", src, "-o", marked)[0] == 1  # 1: the mark found an error
    assert run("charts", marked, "-o", charted)[0] == 0
    wb = openpyxl.load_workbook(charted)
    assert REPORT_SHEET in wb.sheetnames and "图7" in wb.sheetnames
    assert "T5-a" in wb[sheet][cell].comment.text
    cleaned = tmp_path / "clean.xlsx"
    assert run("clean", charted, "-o", cleaned)[0] == 0
    wb = openpyxl.load_workbook(cleaned)
    assert REPORT_SHEET not in wb.sheetnames and "图7" in wb.sheetnames  # charts are kept
    assert wb[sheet][cell].comment is None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_marked_and_charted_files(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, _ = sample
    src = tmp_path / "表.xlsx"
    # one wrong total, so that the marked copy carries a note
    key = ("T7", "main", "total", "total_final")
    inject(s.path, src, [(*s.cells[key], float(s.shown[key] + 1))])
    assert run("mark", src)[0] == 1 and run("charts", src)[0] == 0  # 1: an error was found
    files = [tmp_path / "表_标注.xlsx", tmp_path / "表_图表.xlsx"]
    proc = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), *map(str, files)],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    marked = zipfile.ZipFile(tmp_path / "ods" / "表_标注.ods").read("content.xml").decode()
    charted = zipfile.ZipFile(tmp_path / "ods" / "表_图表.ods").read("content.xml").decode()
    assert f'table:name="{REPORT_SHEET}"' in marked
    assert "office:annotation" in marked  # the notes
    for n in range(1, 8):
        assert f'table:name="图{n}"' in charted
    assert charted.count("<draw:object ") == 7


def test_chart_sheets_are_recognised_by_name_or_caption() -> None:
    from xlbudget.chart_data import chart_number
    from xlbudget.sources.grid import Grid

    assert chart_number(Grid("图表 4", [[]])) == 4
    assert chart_number(Grid("Sheet3", [["图3：支出决算结构图"]])) == 3
    # 图4's title contains 图1's: the longer one wins
    assert chart_number(Grid("收支图", [["财政拨款收、支决算总计变动情况"]])) == 4
    paragraph = ("本单位支出决算结构情况说明：基本支出占比较高，"
                 "项目支出主要用于信息化建设和业务运行等方面")
    assert chart_number(Grid("说明", [[paragraph]])) is None
    assert chart_number(Grid(REPORT_SHEET, [["图1"]])) is None
    assert chart_number(Grid("图12", [[]])) is None
