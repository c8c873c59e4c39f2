"""出错说明: explanations stored in the workbook, judged on every check (xlbudget.explain).

Every workbook is made by the project's generator, saved, changed with openpyxl where a user
would change it, and read back through the real file source (calamine) or, for the add-in, the
xlwings JSON-book engine.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_addin_build import _soffice
from test_excel_actions import _alert, _named, _open
from test_excel_payload import payload_from_xlsx

import xlbudget.excel.actions as a
from xlbudget import explain
from xlbudget.cli import main
from xlbudget.engine import check_file
from xlbudget.generate import generate, write
from xlbudget.generate.inject import inject
from xlbudget.rules.catalog import REGISTRY
from xlbudget.sources.files import read_workbook
from xlbudget.sources.own import REPORT_SHEET

TEXT = "本单位基本支出中的公务接待费含非财政拨款资金，超出部分已报财政部门备案"
T6_ITEM = ("T6", "main", "30217", "amount")
T7_KEYS = (("T7", "main", "total", "reception_final"), ("T7", "main", "total", "total_final"))


@dataclasses.dataclass
class X16Book:
    path: Path
    sheet: str
    cell: str
    #: (sheet, cell) of the two 三公 cells lowered to make X16 fail, and by how much (万元)
    t7: list[tuple[str, str, Decimal]]


@pytest.fixture(scope="module")
def x16(tmp_path_factory: pytest.TempPathFactory) -> X16Book:
    """A consistent workbook whose only finding is one X16 warning (可说明): 公务接待费 in the
    basic-expenditure table exceeds the 三公 table's, both 三公 totals lowered together so that
    T7-a still holds. Amounts in whole 百元 so that no rounding note appears."""
    ds = generate(7)
    yuan = {k: v * 100 for k, v in ds.yuan.items()}
    gap = yuan[T7_KEYS[0]] - yuan[T6_ITEM] + 100_000
    for k in T7_KEYS:
        yuan[k] -= gap
    d = tmp_path_factory.mktemp("x16")
    sample = write(dataclasses.replace(ds, yuan=yuan), d / "x16.xlsx", "shanghai")
    sheet, cell = sample.cells[T6_ITEM]
    t7 = [(*sample.cells[k], Decimal(gap) / 10000) for k in T7_KEYS]
    return X16Book(sample.path, sheet, cell, t7)


def _copy(book: X16Book, tmp_path: Path, name: str = "单位.xlsx") -> Path:
    dst = tmp_path / name
    shutil.copy(book.path, dst)
    return dst


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored(path: Path) -> explain.Stored:
    """The explanations the file holds, as read back by the real source (not judged)."""
    return explain.read(read_workbook(path))


def _only(result: Any, rule: str) -> Any:
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.severity, f.cell) for f in result.findings]
    return found[0]


def test_rule_classes_are_data_and_identities_are_never_explainable(make_sample) -> None:
    from xlbudget.api import read

    model = read(make_sample("shanghai", 7).path).model
    explainable = {c for c, r in REGISTRY.items() if r.explainable}
    assert {"X11", "X12", "X14", "X15", "X16", "X17", "NM-a", "NM-b"} <= explainable
    for code, rule in REGISTRY.items():
        if rule.identities and rule.explainable:
            ops = {i.op for i in rule.build(model)}
            assert ops == {"<="}, code  # only comparisons; an identity (=) is 必须修改
    for code in ("T1-a", "T7-a", "X1", "X13", "IN-a", "IN-e", "EX-a", "EX-b", "EX-c"):
        assert not REGISTRY[code].explainable, code
    # declaring an identity 可说明 is refused where the rule is defined
    with pytest.raises(ValueError, match="T1-a"):
        dataclasses.replace(REGISTRY["T1-a"], explainable=True)
    assert dataclasses.replace(REGISTRY["X16"], explainable=True).explainable
    listing = _run("rules").output.splitlines()
    by_code = {line.split()[0]: line.split()[2] for line in listing if line.strip()}
    assert by_code["X16"] == "可说明" and by_code["T1-a"] == "必须修改"
    assert set(by_code.values()) == {"可说明", "必须修改"}
    page = _run("rules", "X16").output
    assert "[警告·可说明]" in page and "类别\n  可说明：" in page
    assert "类别\n  必须修改：" in _run("rules", "T1-a").output


def test_explain_round_trip_through_the_saved_file(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    before = check_file(path)
    assert _only(before, "X16").severity == "warning" and before.counts()["explained"] == 0

    r = _run("explain", str(path), "X16", x16.cell, TEXT, "--author", "张会计")
    assert r.exit_code == 0, r.output
    backups = list(tmp_path.glob("单位.备份-*.xlsx"))
    assert len(backups) == 1 and _sha(backups[0]) == _sha(x16.path)  # the original, kept

    after = check_file(path)
    f = _only(after, "X16")
    assert (f.severity, f.explained, f.sheet, f.cell) == ("info", TEXT, x16.sheet, x16.cell)
    assert f.extra["status"] == "explained" and f.extra["explained_severity"] == "warning"
    assert f.extra["explained_by"] == "张会计"
    assert after.counts() == {"error": 0, "warning": 0, "info": 0, "explained": 1}
    # The sheet is visible and holds what the documentation says, value as it was shown.
    wb = openpyxl.load_workbook(path)
    ws = wb[explain.SHEET]
    assert ws.sheet_state == "visible"
    assert [c.value for c in ws[2]] == list(explain.HEADER)
    row = [c.value for c in ws[3]]
    shown = wb[x16.sheet][x16.cell].value
    assert row[:5] == ["X16", x16.sheet, x16.cell, explain.value_text(shown), TEXT]
    assert row[5] == "张会计" and len(row[6]) == 10  # YYYY-MM-DD
    # Not a table: recognition never sees it.
    assert explain.SHEET not in after.ignored_sheets

    # JSON, CSV and the listing say the same.
    out = _run("check", str(path), "--format", "json")
    assert out.exit_code == 0
    doc = json.loads(out.output)
    assert doc["summary"]["explained"] == 1 and doc["summary"]["warning"] == 0
    (jf,) = [x for x in doc["files"][0]["findings"] if x["rule"] == "X16"]
    assert jf["severity"] == "info" and jf["explained"] == TEXT
    rows = list(csv.DictReader(io.StringIO(_run("check", str(path), "--format", "csv")
                                           .output.lstrip("\ufeff"))))
    assert [(x["rule"], x["severity"], x["explained"]) for x in rows] == [("X16", "info", TEXT)]
    listed = _run("explain", str(path), "--list").output
    assert "[有效]" in listed and TEXT in listed and "已说明 1" in listed


def test_explain_replaces_and_removes(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    assert _run("explain", str(path), "X16", f"{x16.sheet}!{x16.cell}", "第一稿").exit_code == 0
    assert _run("explain", str(path), "x16", x16.cell.lower(), TEXT).exit_code == 0
    assert [e.text for e in _stored(path).saved] == [TEXT]  # replaced, not added
    r = _run("explain", str(path), "X16", x16.cell, "--remove")
    assert r.exit_code == 0, r.output
    assert _stored(path).saved == []
    # one backup per write, even within one second; the original is among them
    backups = list(tmp_path.glob("单位.备份-*.xlsx"))
    assert len(backups) == 3 and _sha(x16.path) in {_sha(b) for b in backups}
    assert _only(check_file(path), "X16").severity == "warning"
    # -o writes a copy and leaves the input alone
    sha = _sha(path)
    copy = tmp_path / "副本.xlsx"
    assert _run("explain", str(path), "X16", x16.cell, TEXT, "-o", str(copy)).exit_code == 0
    assert _sha(path) == sha and _only(check_file(copy), "X16").explained == TEXT


def test_must_fix_rules_and_wrong_cells_are_refused(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    sha = _sha(path)
    r = _run("explain", str(path), "T1-a", "B7", TEXT)
    assert r.exit_code == 2
    assert "必须修改" in r.output and "T1-a" in r.output and "不能以出错说明代替" in r.output
    r = _run("explain", str(path), "X16", "A1", TEXT)  # no X16 finding there
    assert r.exit_code == 2 and "没有规则 X16 的问题" in r.output
    assert _run("explain", str(path), "ZZ-9", "B7", TEXT).exit_code == 2
    assert _run("explain", str(path), "X16", "第七行", TEXT).exit_code == 2
    assert _sha(path) == sha and not list(tmp_path.glob("*.备份-*"))


def _write_rows(path: Path, rows: list[list[Any]], dst: Path) -> Path:
    """A user's hand-made 出错说明 sheet, added with openpyxl."""
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet(explain.SHEET)
    for row in explain.sheet_rows([]) + rows:
        ws.append(row)
    wb.save(dst)
    return dst


def test_hand_written_rows_of_must_fix_rules_and_bad_rows_are_refused(
        x16: X16Book, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    sheet, cell, _ = x16.t7[1]
    inject(x16.path, bad, [(sheet, cell, 1.0)])  # 三公 total wrong: T7-a fails (必须修改)
    errors = [f for f in check_file(bad).findings if f.severity == "error"]
    assert errors
    e = errors[0]
    path = _write_rows(bad, [[e.rule, e.sheet, e.cell, e.actual, "这个数是对的", "", ""],
                             ["X16", x16.sheet, "", "", "缺单元格", "", ""],
                             ["X16", x16.sheet, "F9999999", "", "不是单元格", "", ""]],
                       tmp_path / "hand.xlsx")
    result = check_file(path)
    refused = [f for f in result.findings if f.rule == "EX-c"]
    assert len(refused) == 3 and all(f.severity == "warning" for f in refused)
    assert any("必须修改" in f.message and (f.sheet, f.cell) == (e.sheet, e.cell) for f in refused)
    assert {(f.sheet, f.cell) for f in refused} >= {(explain.SHEET, "A4"), (explain.SHEET, "A5")}
    # the error is still an error, and still fails the check
    assert any(f.rule == e.rule and f.cell == e.cell and f.severity == "error"
               for f in result.findings)
    assert _run("check", str(path)).exit_code == 1


def test_stale_when_the_value_changed(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    assert _run("explain", str(path), "X16", x16.cell, TEXT).exit_code == 0
    changed = tmp_path / "changed.xlsx"
    old = explain.value_text(openpyxl.load_workbook(path)[x16.sheet][x16.cell].value)
    # still over the 三公 figure, but another number: the explanation no longer vouches for it
    inject(path, changed, [(x16.sheet, x16.cell, float(Decimal(old) + 1))])
    result = check_file(changed)
    stale = _only(result, "EX-a")
    assert (stale.severity, stale.sheet, stale.cell) == ("warning", x16.sheet, x16.cell)
    assert stale.expected == old and TEXT[:20] in stale.message
    assert stale.related == [{"sheet": explain.SHEET, "cell": "A3"}]
    x = [f for f in result.findings if f.rule == "X16" and f.cell == x16.cell]
    assert x and all(f.severity == "warning" and f.explained is None for f in x)
    assert "已过时" in _run("explain", str(changed), "--list").output


def test_stale_when_the_rule_no_longer_fails(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    assert _run("explain", str(path), "X16", x16.cell, TEXT).exit_code == 0
    fixed = tmp_path / "fixed.xlsx"
    wb = openpyxl.load_workbook(path)
    # the 三公 figures corrected upwards (both, so T7-a holds): X16 holds again
    edits = [(s, c, float(Decimal(str(wb[s][c].value)) + gap)) for s, c, gap in x16.t7]
    inject(path, fixed, edits)
    result = check_file(fixed)
    assert not [f for f in result.findings if f.rule == "X16"]
    stale = _only(result, "EX-b")
    assert (stale.severity, stale.sheet, stale.cell) == ("warning", x16.sheet, x16.cell)
    assert "不再报出问题" in stale.message
    # not judged when the rule does not run
    assert not [f for f in check_file(fixed, ignore=("X16",)).findings if f.rule == "EX-b"]


def test_explanations_survive_clean_and_mark(x16: X16Book, tmp_path: Path) -> None:
    path = _copy(x16, tmp_path)
    assert _run("explain", str(path), "X16", x16.cell, TEXT).exit_code == 0
    marked = tmp_path / "marked.xlsx"
    assert _run("mark", str(path), "-o", str(marked)).exit_code == 0
    wb = openpyxl.load_workbook(marked)
    assert explain.SHEET in wb.sheetnames and REPORT_SHEET in wb.sheetnames
    # the explained cell is not painted as a problem, and the report shows the text
    assert wb[x16.sheet][x16.cell].fill.fill_type is None
    report = [[c.value for c in row] for row in wb[REPORT_SHEET].iter_rows()]
    head = next(r for r in report if r and r[0] == "序号")
    line = next(r for r in report if r[2] == "X16")
    assert line[head.index(explain.REPORT_COLUMN)] == TEXT and line[head.index("处理")] == "已说明"
    cleaned = tmp_path / "cleaned.xlsx"
    assert _run("clean", str(marked), "-o", str(cleaned)).exit_code == 0
    wb = openpyxl.load_workbook(cleaned)
    assert REPORT_SHEET not in wb.sheetnames and explain.SHEET in wb.sheetnames
    assert _only(check_file(cleaned), "X16").explained == TEXT


def _marked_with_report_text(x16: X16Book, tmp_path: Path) -> Path:
    """A marked copy in whose 校验结果 sheet the user typed TEXT into the last column of the
    X16 row (as in Excel), saved."""
    marked = tmp_path / "marked.xlsx"
    assert _run("mark", str(_copy(x16, tmp_path)), "-o", str(marked)).exit_code == 0
    wb = openpyxl.load_workbook(marked)
    ws = wb[REPORT_SHEET]
    head = next(r for r in ws.iter_rows() if r[0].value == "序号")
    col = next(c.column for c in head if c.value == explain.REPORT_COLUMN)
    line = next(r for r in ws.iter_rows(min_row=head[0].row + 1) if r[2].value == "X16")
    ws.cell(line[0].row, col, TEXT)
    wb.save(marked)
    return marked


def test_the_report_column_is_read_by_the_next_check(x16: X16Book, tmp_path: Path) -> None:
    marked = _marked_with_report_text(x16, tmp_path)
    pending = check_file(marked)
    f = _only(pending, "X16")
    assert (f.severity, f.explained) == ("info", TEXT)
    assert "尚未保存到出错说明表" in _run("explain", str(marked), "--list").output
    # the next mark moves it into the 出错说明 sheet, which clean leaves alone
    again = tmp_path / "again.xlsx"
    assert _run("mark", str(marked), "-o", str(again)).exit_code == 0
    saved = _stored(again)
    assert [(e.rule, e.sheet, e.cell, e.text) for e in saved.saved] == \
        [("X16", x16.sheet, x16.cell, TEXT)]
    assert saved.pending == [] and saved.saved[0].date
    cleaned = tmp_path / "cleaned.xlsx"
    assert _run("clean", str(again), "-o", str(cleaned)).exit_code == 0
    assert _only(check_file(cleaned), "X16").explained == TEXT


def test_libreoffice_round_trip(x16: X16Book, tmp_path: Path) -> None:
    """Saved by LibreOffice (through .ods and back), the explanation still holds: the value is
    compared as a number, the sheet is found by its header."""
    soffice = _soffice()
    path = _copy(x16, tmp_path, "lo.xlsx")
    assert _run("explain", str(path), "X16", x16.cell, TEXT).exit_code == 0
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    for fmt, src, out in (("ods", path, tmp_path / "ods"), ("xlsx", tmp_path / "ods" / "lo.ods",
                                                           tmp_path / "back")):
        subprocess.run([soffice, "--headless", profile, "--convert-to", fmt, "--outdir",
                        str(out), str(src)], check=True, capture_output=True, timeout=300)
    back = tmp_path / "back" / "lo.xlsx"
    result = check_file(back)
    f = _only(result, "X16")
    assert (f.severity, f.explained) == ("info", TEXT)
    assert not [x for x in result.findings if x.rule.startswith("EX-")]


@given(st.text(max_size=200))
def test_the_add_in_text_encoding_round_trips(text: str) -> None:
    # As the VBA of the ribbon (Hex16) sends it: each UTF-16 code unit as four hex digits.
    units = text.encode("utf-16-be", "surrogatepass")
    codes = "".join(f"{int.from_bytes(units[i:i + 2], 'big'):04X}"
                    for i in range(0, len(units), 2))
    assert a.decode_text(codes) == text.strip()


def _codes(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _payload_at(path: Path, sheet: str, cell: str) -> dict[str, Any]:
    payload = payload_from_xlsx(path)
    names = [s["name"] for s in payload["sheets"]]
    payload["book"]["active_sheet_index"] = names.index(sheet)
    payload["book"]["selection"] = cell
    return payload


def test_excel_button_explains_the_selected_cell(x16: X16Book, tmp_path: Path) -> None:
    book = _open(_payload_at(x16.path, x16.sheet, x16.cell))
    a.explain(_codes(TEXT))
    assert "已为" in _alert(book) and "X16" in _alert(book)
    added = [act for _, act in _named(book, "addSheet")]
    assert [x["args"][1] for x in added] == [explain.SHEET]
    writes = [act for s, act in _named(book, "setValues") if s == explain.SHEET]
    rows = writes[-1]["values"]
    assert rows[1] == list(explain.HEADER)
    assert rows[2][:5] == ["X16", x16.sheet, x16.cell,
                           explain.value_text(openpyxl.load_workbook(x16.path)[x16.sheet]
                                              [x16.cell].value), TEXT]
    # The workbook as Excel would save it: the next check (file or button) sees it explained.
    saved = _write_rows(x16.path, [list(r) for r in rows[2:]], tmp_path / "saved.xlsx")
    assert _only(check_file(saved), "X16").explained == TEXT
    again = _open(_payload_at(saved, x16.sheet, "A1"))
    a.check()
    assert "已说明 1 处" in _alert(again)


def test_excel_button_refuses_must_fix_findings(x16: X16Book, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    sheet, cell, _ = x16.t7[1]
    inject(x16.path, bad, [(sheet, cell, 1.0)])
    e = next(f for f in check_file(bad).findings if f.severity == "error" and f.cell)
    book = _open(_payload_at(bad, e.sheet, e.cell))
    a.explain(_codes(TEXT))
    alert = _alert(book)
    assert "不能写出错说明" in alert and "必须修改" in alert
    assert not [s for s, act in _named(book, "setValues") if s == explain.SHEET]
    # a cell without a finding, and the empty text (remove) where there is nothing to remove
    book = _open(_payload_at(x16.path, x16.sheet, "A1"))
    a.explain(_codes(TEXT))
    assert "没有需要说明的问题" in _alert(book)
    book = _open(_payload_at(x16.path, x16.sheet, x16.cell))
    a.explain("")
    assert "没有出错说明" in _alert(book)


def test_excel_mark_moves_the_report_column_into_the_sheet(x16: X16Book, tmp_path: Path) -> None:
    """The user typed an explanation into 校验结果 and clicks 标注 again: the report sheet is
    replaced, so the text moves into the 出错说明 sheet first."""
    marked = _marked_with_report_text(x16, tmp_path)
    wb = openpyxl.load_workbook(marked)
    book = _open(payload_from_xlsx(marked))
    a.mark()
    assert "已保存到工作表「出错说明」（共 1 条）" in _alert(book)
    rows = [act for s, act in _named(book, "setValues") if s == explain.SHEET][-1]["values"]
    assert [r[:5] for r in rows[2:]] == [["X16", x16.sheet, x16.cell,
                                          explain.value_text(wb[x16.sheet][x16.cell].value),
                                          TEXT]]
    assert rows[2][6]  # dated when it moved


def test_batch_summary_counts_explained_apart(x16: X16Book, tmp_path: Path) -> None:
    folder = tmp_path / "局"
    folder.mkdir()
    explained = _copy(x16, folder, "已说明.xlsx")
    _copy(x16, folder, "未说明.xlsx")
    assert _run("explain", str(explained), "X16", x16.cell, TEXT).exit_code == 0
    for backup in folder.glob("*.备份-*"):
        backup.unlink()
    report = tmp_path / "汇总.xlsx"
    r = _run("check", str(folder), "--jobs", "1", "--report", str(report), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert (doc["summary"]["warning"], doc["summary"]["explained"]) == (1, 1)
    wb = openpyxl.load_workbook(report)
    overview = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert (overview["错误"], overview["警告"], overview["已说明"]) == (0, 1, 1)
    head = [c.value for c in wb["汇总"][1]]
    rows = {Path(row[0]).name: dict(zip(head, row, strict=False))
            for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (rows["已说明.xlsx"]["警告"], rows["已说明.xlsx"]["已说明"]) == (0, 1)
    assert (rows["未说明.xlsx"]["警告"], rows["未说明.xlsx"]["已说明"]) == (1, 0)
    x16_rows = list(wb["X16"].iter_rows(min_row=1, values_only=True))
    col = x16_rows[0].index("出错说明")
    assert sorted(str(row[col] or "") for row in x16_rows[1:]) == ["", TEXT]
    last = _run("check", str(folder), "--jobs", "1").stdout.strip().splitlines()[-1]
    assert last.startswith("共 2 个文件") and "警告 1" in last and "已说明 1" in last


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False,
                   allow_infinity=False), st.integers(min_value=0, max_value=3))
def test_values_compare_as_numbers(value: Decimal, zeros: int) -> None:
    shown = f"{value:f}" + ("0" * zeros if "." in f"{value:f}" else "")
    assert explain.same_value(explain.value_text(float(value)), shown)
    assert not explain.same_value(f"{value:f}", f"{value + Decimal('0.01'):f}")


def test_excel_button_on_a_row_of_the_report(x16: X16Book, tmp_path: Path) -> None:
    """Selecting the finding's row in 校验结果 explains that finding (its rule only)."""
    marked = tmp_path / "marked.xlsx"
    assert _run("mark", str(_copy(x16, tmp_path)), "-o", str(marked)).exit_code == 0
    ws = openpyxl.load_workbook(marked)[REPORT_SHEET]
    line = next(r for r in ws.iter_rows() if r[2].value == "X16")
    book = _open(_payload_at(marked, REPORT_SHEET, f"I{line[0].row}"))
    a.explain(_codes(TEXT))
    assert f"已为 {x16.sheet}!{x16.cell}" in _alert(book)
    rows = [act for s, act in _named(book, "setValues") if s == explain.SHEET][-1]["values"]
    assert [[*r[:3], r[4]] for r in rows[2:]] == [["X16", x16.sheet, x16.cell, TEXT]]
    book = _open(_payload_at(marked, REPORT_SHEET, "B2"))  # the summary block
    a.explain(_codes(TEXT))
    assert "选中某个问题所在的行" in _alert(book)
