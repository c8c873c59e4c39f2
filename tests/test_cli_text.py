"""What a newcomer sees from the command line: Click's own texts in Chinese, ``rules CODE``
with the identity's formula."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENGLISH = ("Usage:", "Error:", "Missing argument", "Show this message", "No such command",
           "Try '", "Options:", "Commands:", "[OPTIONS]", "COMMAND [ARGS]", "PATHS")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlbudget", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("args", "code", "expected"), [
    (("--help",), 0, ("用法：", "显示本帮助并退出", "命令")),
    (("check", "--help"), 0, ("用法：", "--verbose", "显示本帮助并退出")),
    (("check",), 2, ("用法：", "[选项] 路径...", "错误：缺少参数 '路径...'", "查看帮助")),
    (("chek",), 2, ("没有命令", "check")),
    (("check", "--bogus", "x"), 2, ("没有选项",)),
    (("check", "--format", "xls", "x.xlsx"), 2, ("的值无效", "不是")),
])
def test_click_speaks_chinese(args: tuple[str, ...], code: int, expected: tuple[str, ...]) -> None:
    r = run(*args)
    out = r.stdout + r.stderr
    assert r.returncode == code, out
    for text in expected:
        assert text in out, out
    for text in ENGLISH:
        assert text not in out, out


def test_rules_page_shows_the_formula() -> None:
    r = run("rules", "t7-a")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("T7-a")
    assert "公式" in r.stdout and "三公经费合计(决算数) = 因公出国（境）费(决算数)" in r.stdout


def test_rules_group_and_unknown() -> None:
    group = run("rules", "T7")
    assert group.returncode == 0
    codes = [line.split()[0] for line in group.stdout.splitlines() if line.startswith("T7-")]
    assert codes[:1] == ["T7-a"] and len(codes) >= 2
    unknown = run("rules", "T77")
    assert unknown.returncode == 2 and "没有规则" in unknown.stderr


_BLOCKED = """
import sys
class Block:  # as if the extra were not installed
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(name)
sys.meta_path.insert(0, Block())
from xlbudget.cli import main
sys.argv = ["xlbudget", *{args!r}]
main()
"""


@pytest.mark.parametrize(("blocked", "args", "extra"), [
    (("ms_ovba_compression",), ("excel", "build", "--check"), "xlbudget[build]"),
    (("xlwings",), ("excel", "install", "--addin", "x.xlam"), "xlbudget[excel]"),
])
def test_excel_without_extras_names_the_extra(blocked: tuple[str, ...], args: tuple[str, ...],
                                              extra: str) -> None:
    code = _BLOCKED.format(blocked=set(blocked), args=list(args))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert f'pip install "{extra}"' in r.stderr and "Traceback" not in r.stderr


def test_csv_on_a_chinese_windows_console_is_the_report_file(tmp_path: Path) -> None:
    """A GBK console (Chinese Windows) must not change the CSV: stdout holds the same bytes as
    --report x.csv, UTF-8 with a BOM, which Excel opens as UTF-8."""
    book = Path(__file__).resolve().parents[1] / "workbooks" / "sample-errors.xlsx"
    report = tmp_path / "汇总.csv"
    r = subprocess.run([sys.executable, "-m", "xlbudget", "check", str(book), "--format", "csv",
                        "--report", str(report)], capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONIOENCODING": "gbk"})
    assert r.returncode == 1
    assert r.stdout.startswith(b"\xef\xbb\xbf") and r.stdout == report.read_bytes()
    assert "三公" in r.stdout.decode("utf-8-sig")
