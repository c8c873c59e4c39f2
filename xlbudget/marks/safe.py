"""Writing without losing data: temp file, re-open check, inventory of parts, backup, replace.

Every write of xlbudget goes: render into a temporary file beside the destination, re-open it
with the real reader (calamine) and check what was meant to be written, compare the package
inventory with the input's (what the writer could not keep), and only then move it into place.
In place, a timestamped backup of the input is written first. The input path is never the
destination of a copy.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlbudget import explain
from xlbudget.marks.atomic import WriteError, atomic_target, sibling
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import Grid, SourceError, from_a1
from xlbudget.tables.text import parse_amount

__all__ = ["WriteError", "default_output", "verify_marks", "write_safely"]



# Part categories counted by file name: label -> pattern on the part name.
_PART_KINDS: dict[str, re.Pattern[str]] = {
    "图表": re.compile(r"^xl/charts/chart\d*\.xml$"),
    "线程式批注": re.compile(r"^xl/threadedComments/"),
    "数据透视表": re.compile(r"^xl/pivotTables/"),
    "切片器": re.compile(r"^xl/slicers?(Caches)?/"),
    "外部链接": re.compile(r"^xl/externalLinks/externalLink"),
    "控件": re.compile(r"^xl/(ctrlProps|activeX)/"),
    "打印机设置": re.compile(r"^xl/printerSettings/"),
    "表格(列表)": re.compile(r"^xl/tables/table"),
    "数字签名": re.compile(r"^_xmlsignatures/"),
}
# Element counts inside worksheet, drawing and workbook XML: label -> (part pattern, element).
_ELEMENT_KINDS: dict[str, tuple[re.Pattern[str], bytes]] = {
    "形状/文本框": (re.compile(r"^xl/drawings/[^/]+\.xml$"), rb"<xdr:sp>|<xdr:sp "),
    "图片": (re.compile(r"^xl/drawings/[^/]+\.xml$"), rb"<xdr:pic>|<xdr:pic "),
    "工作表扩展(x14)": (re.compile(r"^xl/worksheets/sheet"), rb"<ext "),
    "条件格式": (re.compile(r"^xl/worksheets/sheet"), rb"<conditionalFormatting"),
    "数据验证": (re.compile(r"^xl/worksheets/sheet"), rb"<dataValidation "),
    "合并单元格": (re.compile(r"^xl/worksheets/sheet"), rb"<mergeCell "),
    "公式": (re.compile(r"^xl/worksheets/sheet"), rb"<f>|<f "),
    "批注": (re.compile(r"^xl/comments"), rb"<comment "),
    "定义名称": (re.compile(r"^xl/workbook\.xml$"), rb"<definedName "),
    "自定义功能区": (re.compile(r"^_rels/\.rels$"), rb"/ui/extensibility\""),
    "打印设置": (re.compile(r"^xl/worksheets/sheet"), rb"<pageSetup "),
}
VBA_PART = "xl/vbaProject.bin"


@dataclass(slots=True)
class Inventory:
    """What a package holds, by category, and the hash of its VBA project."""

    counts: Counter[str] = field(default_factory=Counter)
    vba_sha256: str | None = None


def inventory(path: Path) -> Inventory:
    """Count the parts and elements a writer might drop (not for .xls, which is never written)."""
    inv = Inventory()
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            for label, pat in _PART_KINDS.items():
                if pat.search(name):
                    inv.counts[label] += 1
            for label, (pat, needle) in _ELEMENT_KINDS.items():
                if pat.search(name):
                    inv.counts[label] += len(re.findall(needle, zf.read(name)))
            if name == VBA_PART:
                inv.vba_sha256 = hashlib.sha256(zf.read(name)).hexdigest()
    return inv


def lost_parts(before: Inventory, after: Inventory, *,
               expect_fewer: tuple[str, ...] = ()) -> list[str]:
    """Chinese descriptions of what ``after`` lost against ``before``."""
    out = []
    for label, n in before.counts.items():
        if label in expect_fewer:
            continue
        m = after.counts.get(label, 0)
        if m < n:
            out.append(f"{label}：原有 {n} 个，写出后 {m} 个")
    if before.vba_sha256 is not None and before.vba_sha256 != after.vba_sha256:
        out.append("VBA 工程(vbaProject.bin)：写出后与原文件不一致")
    return out


@dataclass(slots=True)
class WriteReport:
    path: Path
    backup: Path | None = None
    lost: list[str] = field(default_factory=list)


def default_output(src: Path, tag: str) -> Path:
    """``报表.xlsx`` -> ``报表_<tag>.xlsx`` beside the input."""
    return src.with_name(f"{src.stem}_{tag}{src.suffix}")


def write_safely(src: Path, dst: Path, produce: Callable[[Path], None],
                 verify: Callable[[list[Grid]], None], *, in_place: bool = False,
                 force: bool = False, expect_fewer: tuple[str, ...] = ()) -> WriteReport:
    """Produce ``dst`` (or replace ``src`` when ``in_place``) through a checked temporary file.

    ``produce(tmp)`` writes the new package; ``verify(grids)`` raises WriteError when the
    re-read file does not hold what was written. Parts lost against the input are reported; in
    place they refuse the write unless ``force`` (the input would lose them for good).
    """
    src, dst = src.resolve(), (src if in_place else dst).resolve()
    if not in_place and dst == src:
        raise WriteError(f"{src.name}：输出文件不能与输入文件相同"
                         "（如需覆盖原文件请使用 --in-place）")
    if src.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WriteError(f"{src.name}：只能写入 .xlsx 或 .xlsm 文件"
                         "（.xls 请先在 Excel 中另存为 .xlsx）")
    if dst.suffix.lower() != src.suffix.lower():
        raise WriteError(f"{dst.name}：输出文件的扩展名必须与输入相同（{src.suffix}）")
    with atomic_target(dst) as tmp:
        try:
            before = inventory(src)
        except (OSError, zipfile.BadZipFile) as exc:
            raise WriteError(f"{src.name}：无法读取原文件的内容清单（{exc}），未写出") from exc
        produce(tmp)
        _verify(tmp, verify)
        lost = lost_parts(before, inventory(tmp), expect_fewer=expect_fewer)
        if lost and in_place and not force:
            raise WriteError(f"{src.name}：写入会丢失以下内容，已取消覆盖原文件（可用 -o 另存副本，"
                             f"或加 --force 强制覆盖）：" + "；".join(lost))
        backup = None
        if in_place:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = sibling(src, "", f".备份-{stamp}{src.suffix}")
            n = 2
            while backup.exists():  # two writes within a second: the first backup stays
                backup = src.with_name(f"{src.stem}.备份-{stamp}-{n}{src.suffix}")
                n += 1
            with atomic_target(backup) as partial:  # a backup is whole or absent too
                shutil.copy2(src, partial)
    return WriteReport(dst, backup, lost)


def _verify(tmp: Path, verify: Callable[[list[Grid]], None]) -> None:
    try:
        grids = read_workbook(tmp)
    except SourceError as exc:
        raise WriteError(f"写出的文件无法重新打开，已放弃写入：{exc}") from exc
    verify(grids)


def verify_marks(result: dict[str, Any]) -> Callable[[list], None]:
    """Re-read check: the report sheet is there and each correction reads back as written."""
    def verify(grids: list) -> None:
        by_name = {g.name: g for g in grids}
        render = result["render"]
        if render.report_sheet and render.report_sheet not in by_name:
            raise WriteError(f"写出的文件中没有“{render.report_sheet}”工作表，已放弃写入")
        for v in render.fixed:
            r, c = from_a1(v.cell)
            got, _, _ = parse_amount(by_name[v.sheet].value(r, c))
            if got is None or got != Decimal(v.value):
                raise WriteError(f"{v.sheet}!{v.cell}：写入 {v.value} 后读回为 {got}，已放弃写入")
        for ch in render.charts:
            if ch not in by_name:
                raise WriteError(f"写出的文件中没有图表数据表“{ch}”，已放弃写入")
        if render.explanations is not None:
            sheet = [g for g in grids if g.name == explain.SHEET]
            if len(explain.read(sheet).saved) != render.explanations:
                raise WriteError(f"写出的文件中“{explain.SHEET}”工作表与要写入的说明不一致，"
                                 "已放弃写入")
    return verify


def verify_explanations(expected: list[explain.Explanation]) -> Callable[[list[Grid]], None]:
    """Re-read check for writing the 出错说明 sheet alone: it holds exactly ``expected``."""
    want = [(e.key, e.text) for e in expected]

    def verify(grids: list[Grid]) -> None:
        stored = explain.read([g for g in grids if g.name == explain.SHEET])
        got = [(e.key, e.text) for e in stored.saved]
        if got != want or stored.problems:
            raise WriteError(f"写出的文件中“{explain.SHEET}”工作表与要写入的说明不一致，已放弃写入")

    return verify
