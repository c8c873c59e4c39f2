"""Exit codes, rule selection, failed writes and the work limits, as a user meets them."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlbudget.cli import main
from xlbudget.generate.large import write_rows_sheet
from xlbudget.marks.atomic import remove_stale, temp_path, write_failure
from xlbudget.rules.selection import SelectionError, parse_selection, resolve, selected


def _run(*args: object, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _cli(*args: object, cwd: Path | None = None, limit: int | None = None,
         ) -> subprocess.CompletedProcess[str]:
    """The real command in its own process; ``limit``: largest file it may write (bytes), as a
    full disk would stop it."""
    def fsize() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # type: ignore[arg-type]

    return subprocess.run([sys.executable, "-m", "xlbudget", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=fsize if limit else None)


@pytest.fixture
def sample(make_sample, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    p = tmp_path / "报表.xlsx"
    shutil.copy(make_sample("shanghai", 1).path, p)
    return p


# --- rule selection ---------------------------------------------------------------------------

CODES = ["T7-a", "T7-b", "X1", "X10", "X17", "IN-a", "IN-b", "N-amount"]


def test_selection_patterns() -> None:
    assert resolve("X1", CODES) == ["X1"]  # X1 means X1, not X10–X17
    assert resolve("x1*", CODES) == ["X1", "X10", "X17"]
    assert resolve("T7", CODES) == ["T7-a", "T7-b"]  # a group
    assert resolve("t7-A", CODES) == ["T7-a"]  # case does not matter
    assert resolve("in，X10", CODES) == ["X10", "IN-a", "IN-b"]
    assert parse_selection(["T7, x1", "T7"], CODES) == ("T7", "X1")
    assert not selected("X10", ["X1"]) and selected("X10", ["X1*"]) and selected("T7-a", ["t7"])
    assert not selected("T7-a", (), ["T7"]) and selected("X10", (), ["X1"])
    with pytest.raises(SelectionError, match=r"没有规则“X18”.*X1"):
        parse_selection(["X18"], CODES)
    with pytest.raises(SelectionError):
        parse_selection(["T"], CODES)  # no group T (T7 is)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("command", ["check", "mark", "fix"])
def test_unknown_rule_is_a_usage_error(sample: Path, option: str, command: str) -> None:
    r = _run(command, sample, option, "T7-z")
    assert r.exit_code == 2, r.output
    assert "没有规则“T7-z”" in r.output and "T7-a" in r.output  # with the close matches
    assert list(sample.parent.iterdir()) == [sample]  # nothing written


def test_select_is_exact_and_case_free(make_sample, edit_copy) -> None:  # type: ignore[no-untyped-def]
    s = make_sample("shanghai", 1)
    key = ("T7", "main", "total", "total_final")
    bad = edit_copy(s, [(*s.cells[key], float(s.shown[key]) + 1)])
    assert _run("check", bad, "--select", "t7").exit_code == 1
    assert _run("check", bad, "--select", "T7-A").exit_code == 1
    r = _run("check", bad, "--select", "X1", "--format", "json")
    assert {f["rule"] for f in json.loads(r.output)["files"][0]["findings"]} <= {"X1"}


# --- exit codes -------------------------------------------------------------------------------

def test_internal_error_exits_3_without_traceback(sample: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import xlbudget.api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("模拟的程序错误")

    monkeypatch.setattr(xlbudget.api, "mark", boom)
    monkeypatch.setenv("XLBUDGET_DEBUG", "0")  # --debug sets it; restored after the test
    r = _run("mark", sample)
    assert r.exit_code == 3, r.output
    assert "内部错误" in r.output and "RuntimeError" in r.output and "--debug" in r.output
    assert "Traceback" not in r.output
    r = _run("--debug", "mark", sample)
    assert isinstance(r.exception, RuntimeError)  # --debug lets the traceback through


def test_exit_codes_documented() -> None:
    text = _run("--help").output
    assert "退出码" in text and "3 内部错误" in text
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "3 内部错误" in readme


# --- failed writes ----------------------------------------------------------------------------

def test_write_failure_messages(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "r.xlsx"
    for code, cause in ((errno.ENOSPC, "磁盘已满"), (errno.EACCES, "没有写入权限"),
                        (errno.EPERM, "没有写入权限"), (errno.ENOENT, "目录不存在")):
        msg = write_failure(target, OSError(code, os.strerror(code)))
        assert cause in msg and "r.xlsx" in msg and str(tmp_path / "sub") in msg


@pytest.mark.parametrize("args", [
    ("mark", "{src}", "-o", "{missing}/m.xlsx"),
    ("fix", "{src}", "-o", "{missing}/m.xlsx"),
    ("charts", "{src}", "-o", "{missing}/m.xlsx"),
    ("sample", "{missing}/s.xlsx"),
    ("check", "{src}", "--report", "{file}/r.csv"),
    ("check", "{src}", "--report", "{file}/r.xlsx"),
])
def test_missing_folder_is_named(sample: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "a-file").write_text("x")
    values = {"src": sample, "missing": tmp_path / "没有这个目录", "file": tmp_path / "a-file"}
    r = _run(*(a.format(**values) for a in args))
    assert r.exit_code == 2, r.output
    assert ("目录不存在" in r.output and "没有这个目录" in r.output) or "a-file 是文件" in r.output
    assert "Traceback" not in r.output and "Error" not in r.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "只读"
    out.mkdir()
    out.chmod(0o555)
    try:
        r = _run("mark", sample, "-o", out / "m.xlsx")
        assert r.exit_code == 2 and "没有写入权限" in r.output and "只读" in r.output
    finally:
        out.chmod(0o755)


@pytest.mark.parametrize("args", [
    ("check", "报表.xlsx", "--report", "out/r.xlsx"),
    ("check", "报表.xlsx", "--report", "out/r.csv", "--format", "json"),
    ("check", "报表.xlsx", "报表2.xlsx", "--report", "out/r.json"),
    ("sample", "out/s.xlsx"),
    ("mark", "报表.xlsx", "-o", "out/m.xlsx"),
    ("fix", "报表.xlsx", "-o", "out/m.xlsx"),
])
def test_full_disk_leaves_nothing(sample: Path, args: tuple[str, ...]) -> None:
    """Each output stops at 6 KB, as on a full disk: one Chinese line, exit 2, no partial file,
    no temporary file, no noise from half-written zip files."""
    folder = sample.parent
    (folder / "out").mkdir()
    shutil.copy(sample, folder / "报表2.xlsx")
    before = sample.read_bytes()
    if any(a.endswith((".csv", ".json")) for a in args):
        # Reports of findings are small: make them large enough to hit the limit.
        for k in range(40):
            shutil.copy(sample, folder / f"报表{k + 3}.xlsx")
        args = (*args[:1], ".", *args[2:])
    p = _cli(*args, cwd=folder, limit=6000)
    assert p.returncode == 2, p.stderr
    assert "磁盘已满" in p.stderr and "out" in p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr
    assert list((folder / "out").iterdir()) == []
    assert sample.read_bytes() == before
    assert not [n for n in os.listdir(folder) if n.startswith(".")]


def test_stale_temp_files_are_removed(sample: Path) -> None:
    folder = sample.parent
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        stale = folder / f".报表_标注.xlbudget-tmp-{dead.pid}.xlsx"
        old_style = folder / ".报表_标注.xlbudget-tmp.xlsx"  # before temp names had a pid
        live = folder / f".报表_标注.xlbudget-tmp-{alive.pid}.xlsx"
        for p in (stale, old_style, live):
            p.write_bytes(b"PK partial")
        assert _run("mark", sample).exit_code in (0, 1)
        assert not stale.exists() and not old_style.exists()
        assert live.exists()  # another run is still writing it
        assert remove_stale(folder) == []
    finally:
        alive.kill()
        alive.wait()
    assert temp_path(folder / "x.xlsx").name == f".x.xlbudget-tmp-{os.getpid()}.xlsx"
    # Names near the limit are shortened, and two targets never share a temporary file.
    long = "长" * 82
    a, b = temp_path(folder / f"{long}.xlsx"), temp_path(folder / f"{long}.备份-1.xlsx")
    assert a != b and max(len(a.name.encode()), len(b.name.encode())) <= 247


# --- limits -----------------------------------------------------------------------------------

def test_million_rows_finish_under_1gb(tmp_path: Path) -> None:
    big = tmp_path / "百万行.xlsx"
    write_rows_sheet(big, 1_000_000, 3)
    p = _cli("check", big, "--format", "json")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert p.returncode == 2, p.stderr  # read whole; no budget table in it
    assert "未识别到任何部门决算公开表" in p.stdout
    assert peak_kb < 1024 * 1024, f"{peak_kb / 1024:.0f} MB"


def test_far_cell_is_a_warning_in_a_batch(sample: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(sample)
    wb.worksheets[0]["XFD1048576"] = "误填"
    far = sample.with_name("远处.xlsx")
    wb.save(far)
    p = _cli("check", sample.parent, "--format", "json", "-j", "2")
    assert p.returncode == 0, p.stderr
    files = {Path(f["path"]).name: f for f in json.loads(p.stdout)["files"]}
    assert files["远处.xlsx"]["status"] == "findings"
    notes = [f["message"] for f in files["远处.xlsx"]["findings"] if f["rule"] == "IN-f"]
    assert len(notes) == 1 and "XFD1048576" in notes[0] and "未读取" in notes[0]


@pytest.fixture(autouse=True)
def _limits_restored(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The --max-* options set the environment of the process: restored after each test."""
    for name in ("XLBUDGET_MAX_SIZE", "XLBUDGET_MAX_RATIO", "XLBUDGET_MAX_CELLS"):
        monkeypatch.setenv(name, "")


def test_limits_by_option_and_environment(sample: Path) -> None:
    r = _run("check", sample, "--max-size", "0.001")
    assert r.exit_code == 2 and "超过上限" in r.output and "--max-size" in r.output
    size = {"XLBUDGET_MAX_SIZE": ""}  # the option above set it for this process
    r = _run("check", sample, env={**size, "XLBUDGET_MAX_CELLS": "10"})
    assert r.exit_code == 2 and "XLBUDGET_MAX_CELLS" in r.output
    r = _run("check", sample, env={**size, "XLBUDGET_MAX_RATIO": "abc"})
    assert r.exit_code == 2 and "不是正数" in r.output and "报表.xlsx" in r.output
    # Raised limits let the file through.
    assert _run("check", sample, "--max-cells", "1e9", env={**size, "XLBUDGET_MAX_CELLS": "10"}
                ).exit_code == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_xls_with_wrong_extension_is_read_with_a_note(sample: Path) -> None:
    folder = sample.parent
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/lo",
                    "--convert-to", "xls:MS Excel 97", "--outdir", str(folder), str(sample)],
                   check=True, capture_output=True, timeout=180)
    misnamed = folder / "旧格式.xlsx"
    (folder / "报表.xls").rename(misnamed)
    r = _run("check", misnamed, "--format", "json")
    doc = json.loads(r.output)["files"][0]
    assert doc["status"] != "error", doc["error"]
    assert len(doc["tables"]) == 9
    notes = [f["message"] for f in doc["findings"] if f["rule"] == "IN-f"]
    assert notes and "Excel 97-2003" in notes[0] and "扩展名" in notes[0]
    r = _run("mark", misnamed)
    assert r.exit_code == 2 and "(.xls) 文件不能写入" in r.output
