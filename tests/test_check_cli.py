"""``xlbudget check`` and ``xlbudget rules`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal

from click.testing import CliRunner

from xlbudget.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _broken(make_sample, edit_copy):
    s = make_sample("shanghai", 1)
    sheet, cell = s.cells[("T7", "main", "total", "total_final")]
    value = s.shown[("T7", "main", "total", "total_final")] - Decimal("0.56")
    return s, edit_copy(s, [(sheet, cell, float(value))]), (sheet, cell)


def test_clean_file_exit_0(make_sample) -> None:
    r = _run("check", str(make_sample("central", 1).path))
    assert r.exit_code == 0, r.output
    assert "识别到 9 张表" in r.output


def test_error_exit_1_and_json_contract(make_sample, edit_copy) -> None:
    _, path, (sheet, cell) = _broken(make_sample, edit_copy)
    r = _run("check", str(path), "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    assert doc["version"] == 1 and set(doc) >= {"files", "summary"}
    f = doc["files"][0]
    assert set(f) >= {"path", "status", "error", "tables", "findings"}
    assert f["status"] == "findings" and f["error"] is None
    assert {"key", "sheet", "range", "unit"} <= set(f["tables"][0])
    keys = {"rule", "severity", "message", "sheet", "cell", "actual", "expected", "certain",
            "related"}
    for x in f["findings"]:
        assert keys <= set(x)
        assert x["actual"] is None or isinstance(x["actual"], str)
    errors = [x for x in f["findings"] if x["severity"] == "error"]
    assert any(x["cell"] == cell and x["sheet"] == sheet for x in errors)
    assert doc["summary"]["files"] == 1 and doc["summary"]["error"] == len(errors)


def test_text_lines_and_select_ignore(make_sample, edit_copy) -> None:
    _, path, (sheet, cell) = _broken(make_sample, edit_copy)
    r = _run("check", str(path))
    assert f"{sheet}!{cell}" in r.output and "T7-a" in r.output
    assert _run("check", str(path), "--ignore", "T7").exit_code == 0
    assert _run("check", str(path), "--select", "X1,X2").exit_code == 0
    assert _run("check", str(path), "--select", "T7-a").exit_code == 1


def test_folder_recursive(make_sample, tmp_path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(make_sample("shanghai", 1).path, tmp_path / "a" / "one.xlsx")
    shutil.copy(make_sample("stacked", 2).path, tmp_path / "a" / "b" / "two.xlsx")
    (tmp_path / "a" / "notes.txt").write_text("x", encoding="utf-8")
    r = _run("check", str(tmp_path), "--format", "json")
    names = sorted(f["path"].rsplit("/", 1)[-1] for f in json.loads(r.output)["files"])
    assert names == ["one.xlsx", "two.xlsx"]


def test_unusable_arguments_exit_2(tmp_path) -> None:
    assert _run("check", str(tmp_path / "nothing.xlsx")).exit_code == 2
    assert _run("check", str(tmp_path)).exit_code == 2
    assert _run("rules", "ZZ-9").exit_code == 2


def test_rules_list_and_page() -> None:
    r = _run("rules")
    assert "T7-a" in r.output and "X16" in r.output and "NM-c" in r.output
    page = _run("rules", "T7-a").output
    for part in ("什么", "为什么", "例子", "如何修正", "三公"):
        assert part in page


def test_console_script_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "xlbudget", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "check" in out.stdout
