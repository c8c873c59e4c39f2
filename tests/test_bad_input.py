"""Bad input gets a clear Chinese message naming the file (and sheet and cell); the batch
goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xlbudget.engine import check_file


def _err(path: Path) -> str:
    r = check_file(path)
    assert r.status == "error", r
    assert r.findings == []
    assert path.name in (r.error or "")
    assert "Traceback" not in (r.error or "")
    return r.error or ""


def test_not_a_spreadsheet(tmp_path) -> None:
    p = tmp_path / "说明.xlsx"
    p.write_text("这不是表格", encoding="utf-8")
    assert "不是 Excel 工作簿（是文本文件）" in _err(p)


def test_corrupt_zip(tmp_path, make_sample) -> None:
    p = tmp_path / "坏文件.xlsx"
    data = Path(make_sample("shanghai", 1).path).read_bytes()
    p.write_bytes(data[: len(data) // 2])
    assert "损坏" in _err(p)


def test_zip_that_is_no_workbook(tmp_path) -> None:
    p = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "不是 Excel 工作簿（是一个不含工作簿的 zip 压缩包）" in _err(p)


def test_empty_file(tmp_path) -> None:
    p = tmp_path / "空.xlsx"
    p.write_bytes(b"")
    assert "文件为空" in _err(p)


def test_encrypted(tmp_path, make_sample) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    src = make_sample("shanghai", 1).path
    p = tmp_path / "加密.xlsx"
    with open(src, "rb") as fin, open(p, "wb") as fout:
        OOXMLFile(fin).encrypt("secret", fout)
    assert "加密" in _err(p)


def test_empty_workbook(tmp_path) -> None:
    from openpyxl import Workbook

    p = tmp_path / "空工作簿.xlsx"
    Workbook().save(p)
    assert "工作簿为空" in _err(p)


def test_no_recognisable_table(tmp_path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "人员名单"
    wb.active["A1"] = "姓名"
    wb.active["B1"] = "工号"
    p = tmp_path / "名单.xlsx"
    wb.save(p)
    msg = _err(p)
    assert "未识别到任何部门决算公开表" in msg and "人员名单" in msg


def test_missing_file(tmp_path) -> None:
    r = check_file(tmp_path / "不存在.xlsx")
    assert r.status == "error" and "不存在" in (r.error or "")


def test_batch_goes_on(tmp_path, make_sample) -> None:
    """A folder with bad files and a good one: every file has its row, exit code from the good."""
    good = tmp_path / "a-good.xlsx"
    shutil.copy(make_sample("shanghai", 1).path, good)
    (tmp_path / "b-bad.xlsx").write_text("x", encoding="utf-8")
    (tmp_path / "c-empty.xlsx").write_bytes(b"")
    out = subprocess.run([sys.executable, "-m", "xlbudget", "check", str(tmp_path),
                          "--format", "json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    status = {Path(f["path"]).name: f["status"] for f in doc["files"]}
    assert status["a-good.xlsx"] in ("ok", "findings")
    assert status["b-bad.xlsx"] == status["c-empty.xlsx"] == "error"
    assert "Traceback" not in out.stderr


def test_all_unreadable_exit_2(tmp_path) -> None:
    (tmp_path / "bad.xlsx").write_text("x", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xlbudget", "check", str(tmp_path / "bad.xlsx")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "bad.xlsx" in out.stdout and "Traceback" not in out.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xls", "xlsm"])
def test_legacy_xls_and_xlsm_read(tmp_path, make_sample, fmt) -> None:
    """The same sample converted by LibreOffice to .xls / .xlsm checks the same."""
    src = tmp_path / "sample.xlsx"
    shutil.copy(make_sample("central", 2).path, src)
    filt = {"xls": "xls:MS Excel 97", "xlsm": "xlsm:Calc MS Excel 2007 VBA XML"}[fmt]
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", filt, "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    conv = tmp_path / f"sample.{fmt}"
    a, b = check_file(src), check_file(conv)
    assert b.status != "error", b.error
    assert [t.key for t in b.tables] == [t.key for t in a.tables]
    assert [(f.rule, f.cell) for f in b.findings if f.severity != "info"] == \
           [(f.rule, f.cell) for f in a.findings if f.severity != "info"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_formulas_with_cached_values_are_read(tmp_path, make_sample) -> None:
    """Totals typed as =SUM(…) are the norm in real workbooks: once a spreadsheet application
    has calculated and saved them, their cached values are checked like typed numbers."""
    from openpyxl import load_workbook

    s = make_sample("shanghai", 1)
    sheet, total = s.cells[("T5", "main", "total", "total")]
    classes = [s.cells[k][1] for k in s.cells
               if k[0] == "T5" and k[3] == "total" and len(k[2]) == 3 and k[2].isdigit()]
    wb = load_workbook(s.path)
    wb[sheet][total] = "=" + "+".join(classes)
    src = tmp_path / "formula.xlsx"
    wb.save(src)
    uncached = check_file(src)
    assert [(f.rule, f.cell) for f in uncached.findings if f.rule == "IN-c"] == [("IN-c", total)]
    out = tmp_path / "calc"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                    str(src)], check=True, capture_output=True, timeout=180)
    cached = check_file(out / "formula.xlsx")
    assert cached.status != "error", cached.error
    assert not [f for f in cached.findings if f.rule == "IN-c"]
    assert [f for f in cached.findings if f.severity == "error"] == []
