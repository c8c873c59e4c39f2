"""``xlbudget check`` over folders, run as a user runs it (a subprocess): parallel workers, the
summary workbook, JSON/CSV, marked copies, time limits, Ctrl-C, progress on a terminal, Dask."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from test_batch_helpers import bad_files

from xlbudget.findings import FileResult, exit_code, report_json

WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"
SAMPLES = ["sample-shanghai.xlsx", "sample-central.xlsx", "sample-stacked.xlsx",
           "sample-errors.xlsx"]


def xlbudget(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlbudget", *args], capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "各单位"
    for i, name in enumerate(SAMPLES):
        dst = root / f"局{i % 2}" / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WORKBOOKS / name, dst)
    bad_files(root / "退回")
    return root


def test_folder_json_report_and_exit_code(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "汇总.xlsx"
    run = xlbudget("check", str(folder), "--format", "json", "-j", "2", "--report", str(report))
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    results = [FileResult.from_json(f) for f in doc["files"]]
    names = [Path(r.path).relative_to(folder).as_posix() for r in results]
    # Input order (folders walked in name order), whatever order the workers finished in.
    assert names == ["局0/sample-shanghai.xlsx", "局0/sample-stacked.xlsx",
                     "局1/sample-central.xlsx", "局1/sample-errors.xlsx",
                     "退回/不是表格.xlsx", "退回/加密.xlsx", "退回/损坏.xlsx", "退回/空文件.xls"]
    assert doc == report_json(results) and exit_code(results) == 1
    by = {Path(r.path).name: r for r in results}
    assert by["sample-errors.xlsx"].counts()["error"] > 0
    assert by["sample-shanghai.xlsx"].counts()["error"] == 0
    assert all(by[n].status == "error" and n in by[n].error
               for n in ("加密.xlsx", "损坏.xlsx", "不是表格.xlsx", "空文件.xls"))
    # The same checks as one file at a time in this process.
    from xlbudget.engine import check_file

    one = check_file(str(folder / "局1" / "sample-errors.xlsx"))
    assert by["sample-errors.xlsx"].to_json() == one.to_json()

    wb = openpyxl.load_workbook(report)
    rows = list(wb["汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [r.path for r in results]
    assert {r[1] for r in rows} == {"有问题", "无法校验"}
    rule_sheets = [n for n in wb.sheetnames if n not in ("概况", "汇总", "规则统计",
                                                          "_xlbudget_summary")]
    errors = by["sample-errors.xlsx"]
    assert {f.rule for r in results for f in r.findings} == set(rule_sheets)
    listed = sum(wb[n].max_row - 1 for n in rule_sheets)
    assert listed == sum(len(r.findings) for r in results)
    t7 = [f for f in errors.findings if f.rule == "T7-a" and f.cell]
    got = [r for r in wb["T7-a"].iter_rows(min_row=2, values_only=True)
           if r[0] == errors.path and r[2] == t7[0].cell]
    assert got and str(got[0][3]) == str(float(t7[0].actual))
    titles = {r[0]: r[1] for r in wb["规则统计"].iter_rows(min_row=2, values_only=True)}
    assert titles["T7-a"]  # the rule's Chinese title from the registry


def test_csv_include_exclude_and_timeout(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "汇总.csv"
    run = xlbudget("check", str(folder), "--format", "csv", "--include", "*.xlsx",
                   "--exclude", "退回/*", "--exclude", "*stacked*", "--report", str(report))
    # stdout and the report file are the same CSV, with a BOM so that Excel on Chinese Windows
    # reads it as UTF-8.
    assert run.stdout.startswith("\ufeff") and run.stdout.count("\ufeff") == 1
    rows = list(csv.DictReader(io.StringIO(run.stdout.removeprefix("\ufeff"))))
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(io.StringIO(report.read_text("utf-8-sig")))) == rows
    assert sorted({Path(r["path"]).name for r in rows}) == [
        "sample-central.xlsx", "sample-errors.xlsx", "sample-shanghai.xlsx"]
    assert run.returncode == 1
    wrong = [r for r in rows if r["severity"] == "error"]
    assert wrong and all(r["rule"] and r["message"] for r in wrong)

    slow = xlbudget("check", str(folder / "局0"), "--timeout", "0.001", "--format", "json")
    doc = json.loads(slow.stdout)
    assert slow.returncode == 2  # nothing could be checked in time
    assert all("超过 0.001 秒" in f["error"] for f in doc["files"])


def test_mark_dir_and_own_outputs_are_skipped_next_time(folder: Path) -> None:
    out = folder / "标注副本"
    report = folder / "汇总.xlsx"
    run = xlbudget("check", str(folder), "--mark-dir", str(out), "--report", str(report))
    assert run.returncode == 1, run.stderr
    marked = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx"))
    assert marked == ["局1/sample-errors_标注.xlsx"]  # the only file with errors or warnings
    wb = openpyxl.load_workbook(out / marked[0])
    assert "校验结果" in wb.sheetnames
    # A later run over the same folder, with the copies and the report inside, skips them.
    again = xlbudget("check", str(folder), "--format", "json")
    names = [Path(f["path"]).name for f in json.loads(again.stdout)["files"]]
    assert len(names) == 8 and "汇总.xlsx" not in names
    assert not any(n.endswith("_标注.xlsx") for n in names)


def test_ctrl_c_stops_and_writes_what_was_done(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(150):
        shutil.copy(WORKBOOKS / SAMPLES[i % 3], root / f"{i:03d}.xlsx")
    report = tmp_path / "中断.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "xlbudget", "check", str(root), "-j", "2",
                             "--format", "csv", "--report", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8-sig")  # the CSV starts with a BOM, for Excel
    assert proc.stdout is not None
    seen: set[str] = set()
    for row in csv.DictReader(proc.stdout):  # rows stream as files finish
        seen.add(row["path"])
        if len(seen) == 6:  # five files written in full
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err
    wb = openpyxl.load_workbook(report)
    done = wb["汇总"].max_row - 1
    assert 5 <= done < 150
    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["文件数"] == done and "中断" in overview["说明"]


def test_progress_bar_on_a_terminal_only(folder: Path) -> None:
    target = str(folder / "局0")
    piped = xlbudget("check", target)
    assert "校验中" not in piped.stderr and "校验中" not in piped.stdout
    # stderr on a pseudo-terminal: the bar is drawn there; stdout stays plain.
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "xlbudget", "check", target, "--format",
                             "json"], stdout=subprocess.PIPE, stderr=follower,
                            env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    out, _ = proc.communicate(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert "校验中" in seen.decode("utf-8", "replace")
    assert json.loads(out)["summary"]["files"] == 2


def test_dask_scheduler(folder: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run = xlbudget("check", str(folder), "--format", "json", "--scheduler",
                       cluster.scheduler_address)
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["summary"]["files"] == 8 and doc["summary"]["unreadable"] == 4
    local = json.loads(xlbudget("check", str(folder), "--format", "json").stdout)
    # Paths are absolute on a cluster; everything else is the same as a local run.
    for a, b in zip(doc["files"], local["files"], strict=True):
        assert a["path"] == str(Path(b["path"]).resolve())
        assert {**a, "path": ""} == {**b, "path": ""}


def test_unreachable_scheduler_and_bad_report_are_clear_errors(folder: Path) -> None:
    start = time.monotonic()
    run = xlbudget("check", str(folder), "--scheduler", "tcp://127.0.0.1:1")
    assert run.returncode == 2 and "Dask" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - start < 60
    bad = xlbudget("check", str(folder), "--report", str(folder / "r.txt"))
    assert bad.returncode == 2 and ".xlsx" in bad.stderr


def test_mark_dir_notes_an_xls_it_cannot_write(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is needed to make an .xls")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(WORKBOOKS / "sample-errors.xlsx", src)
    subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "in"),
                    str(src / "sample-errors.xlsx")], capture_output=True, timeout=120, check=True)
    out = tmp_path / "out"
    run = xlbudget("check", str(tmp_path / "in"), "--mark-dir", str(out), "--format", "json")
    result = json.loads(run.stdout)["files"][0]
    assert result["status"] == "findings"
    notes = [f for f in result["findings"] if f["rule"] == "B-mark"]
    assert len(notes) == 1 and ".xls" in notes[0]["message"] and notes[0]["severity"] == "info"
    assert not out.exists() or not any(out.rglob("*"))
