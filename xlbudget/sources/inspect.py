"""What is checked before a file is parsed: its format (:mod:`~xlbudget.sources.formats`), the
work limits (:mod:`~xlbudget.sources.limits`: size, compression ratio, the used area of each
sheet, scanned by :mod:`~xlbudget.sources.scan`) and, in a package, that no XML part declares a
DTD (ECMA-376 forbids them; they are how XXE and "billion laughs" files attack a reader).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from xlbudget.sources.files import sheet_parts
from xlbudget.sources.formats import CFB_MAGIC, ZIP_MAGIC, cfb_kind, open_package, what_text
from xlbudget.sources.grid import SourceError
from xlbudget.sources.limits import ENV_RATIO, ENV_SIZE, RATIO_FLOOR, Limits, how_to_raise, mb
from xlbudget.sources.scan import scan_sheet, trimmed

_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


@dataclass(slots=True)
class Prepared:
    """A file ready for the reader: what it is, where to read it from, and notes."""

    kind: str  # "xlsx" or "xls"
    #: the file itself, or a trimmed copy of the package in memory
    source: Path | io.BytesIO
    #: a note on the whole file (e.g. content and extension disagree)
    note: str | None = None
    #: worksheet part -> notes on what was left out of it
    sheet_notes: dict[str, list[str]] = field(default_factory=dict)


def prepare(p: Path, head: bytes, limits: Limits | None = None) -> Prepared:
    """Tell the format by content and check the limits; SourceError (Chinese, naming the
    file) for anything that is no readable Excel workbook or is over a limit."""
    if limits is None:
        try:
            limits = Limits.from_env()
        except SourceError as exc:
            raise SourceError(f"{p.name}：{exc}") from exc
    suffix = p.suffix.lower()
    if head.startswith(CFB_MAGIC):
        size = p.stat().st_size
        if size > limits.max_size:
            raise SourceError(f"{p.name}：文件有 {mb(size)}，超过上限 "
                              f"{mb(limits.max_size)}（{how_to_raise(ENV_SIZE)}）")
        cfb_kind(p)
        # calamine picks the format by extension: a misnamed file is handed over in memory
        prepared = Prepared("xls", p if suffix == ".xls" else io.BytesIO(p.read_bytes()))
    elif head.startswith(ZIP_MAGIC):
        prepared = _package(p, limits)
        if suffix not in (".xlsx", ".xlsm") and isinstance(prepared.source, Path):
            prepared.source = io.BytesIO(p.read_bytes())  # size checked by _package
    else:
        raise SourceError(f"{p.name}：不是 Excel 工作簿（{what_text(p)}）")
    if prepared.kind == "xls" and suffix != ".xls":
        prepared.note = (f"{p.name}：文件内容是 Excel 97-2003 工作簿（.xls），扩展名却是"
                         f"“{p.suffix}”，已按 .xls 读取；标注、修正前请在 Excel 中另存为 .xlsx")
    elif prepared.kind == "xlsx" and suffix not in (".xlsx", ".xlsm"):
        prepared.note = (f"{p.name}：文件内容是 Excel 2007 及以后的工作簿（.xlsx），扩展名却是"
                         f"“{p.suffix}”，已按 .xlsx 读取")
    return prepared


def _package(p: Path, limits: Limits) -> Prepared:
    with open_package(p) as zf:
        names = set(zf.namelist())
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > limits.max_size:
            raise SourceError(f"{p.name}：解压后有 {mb(total)}，超过上限 "
                              f"{mb(limits.max_size)}（{how_to_raise(ENV_SIZE)}）")
        for i in infos:
            ratio = i.file_size / max(i.compress_size, 1)
            if i.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
                raise SourceError(
                    f"{p.name}：部件 {i.filename} 的压缩比为 {ratio:.0f}:1，超过上限 "
                    f"{limits.max_ratio:g}:1，可能是“压缩炸弹”，未读取"
                    f"（{how_to_raise(ENV_RATIO)}）")
        current = ""
        try:
            for i in infos:
                if i.filename.endswith((".xml", ".rels", ".vml")):
                    current = i.filename
                    with zf.open(i) as fh:
                        if _DTD.search(fh.read(4096)):
                            raise SourceError(f"{p.name}：部件 {i.filename} 含有 DTD/实体声明"
                                              "（Excel 从不写入，可能是恶意文件），未读取")
            prepared = Prepared("xlsx", p)
            parts = {part: name for name, part in sheet_parts(zf).items() if part in names}
            trims: dict[str, tuple[int, int]] = {}
            for part, sheet in parts.items():
                current = part
                box = scan_sheet(zf, part, sheet, p.name, limits)
                if box is not None:
                    trims[part] = box
        except SourceError:
            raise
        except Exception as exc:  # zip, zlib and CRC errors of a damaged part
            raise SourceError(f"{p.name}：文件已损坏（部件 {current} 无法解压，"
                              "可能是没有下载或复制完整）") from exc
        if trims:
            prepared.source = trimmed(zf, trims, parts, prepared.sheet_notes)
    return prepared
