"""Shared helpers of the batch tests (no tests here): real workbooks, bad files, and checkers
with ``check_file``'s signature that misbehave on demand. Checkers live at module level so a
worker process can import them by name."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from xlbudget.findings import FileResult, Finding, TableInfo
from xlbudget.sources.files import read_workbook


def make_workbook(path: Path, *, total: float = 30.0, parts: tuple[float, ...] = (10.0, 20.0),
                  sheet: str = "收入支出决算总表") -> Path:
    """A small real workbook: a title, a column of parts and their total."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = sheet
    for i, v in enumerate(parts, start=2):
        ws.cell(i, 1, f"项目{i - 1}")
        ws.cell(i, 2, v)
    ws.cell(len(parts) + 2, 1, "合计")
    ws.cell(len(parts) + 2, 2, total)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def bad_files(folder: Path) -> dict[str, Path]:
    """Unreadable inputs: text named .xlsx, a truncated zip, an empty file, an encrypted
    workbook (msoffcrypto) and a CFB container named .xlsx."""
    import msoffcrypto

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    out["text"] = folder / "不是表格.xlsx"
    out["text"].write_text("这不是 Excel 文件\n", encoding="utf-8")
    good = make_workbook(folder / "_source.xlsm")
    data = good.read_bytes()
    out["corrupt"] = folder / "损坏.xlsx"
    out["corrupt"].write_bytes(data[: len(data) // 2])
    out["empty"] = folder / "空文件.xls"
    out["empty"].write_bytes(b"")
    out["encrypted"] = folder / "加密.xlsx"
    with good.open("rb") as src, out["encrypted"].open("wb") as dst:
        msoffcrypto.OfficeFile(src).encrypt("密码", dst)
    good.unlink()
    return out


def sum_check(path: str, **options: object) -> FileResult:
    """Reads the file through the real source and checks 合计 = Σ parts in column B."""
    grids = read_workbook(path)
    g = grids[0]
    values = [g.value(r, 1) for r in range(1, g.height)]
    total_row = g.height - 1
    parts = sum(float(v) for v in values[:-1] if isinstance(v, int | float))
    actual = g.value(total_row, 1)
    result = FileResult(str(path), tables=[TableInfo("T1", g.name, f"A1:B{g.height}", "万元")])
    if isinstance(actual, int | float) and abs(actual - parts) > 0.005:
        result.findings.append(Finding(
            rule="T1-sum", severity="error", message=f"合计应为 {parts:.2f}，表中为 {actual:.2f}",
            sheet=g.name, cell=f"B{total_row + 1}", actual=f"{actual:.2f}",
            expected=f"{parts:.2f}", related=[{"sheet": g.name, "cell": "B2"}]))
        result.findings.append(Finding(rule="T0-note", severity="info", message="说明", sheet=None))
    result.refresh_status()
    return result


def misbehaving_check(path: str, **options: object) -> FileResult:
    """``sum_check``, except on files whose name says otherwise."""
    name = os.path.basename(path)
    if name.startswith("crash"):
        os._exit(7)  # dies like a segfault in native code: no exception, no result
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("stuck"):
        # A hang the in-worker alarm cannot interrupt (as in native code): only the parent's
        # deadline and killing the worker end it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    if name.startswith("raise"):
        raise KeyError("意外的键")
    if name.startswith("slow"):
        time.sleep(0.3)
    return sum_check(path, **options)
