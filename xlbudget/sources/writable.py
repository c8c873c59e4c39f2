"""What keeps openpyxl from opening a workbook for writing although the reader could check it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from xlbudget.sources.files import sheet_parts
from xlbudget.sources.grid import from_a1

#: openpyxl (the writer) holds every cell as an object, and every cell of a merged range.
WRITE_MAX_CELLS = 2_000_000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_NON_FINITE = re.compile(rb"v>\s*[-+]?(?:[nN][aA][nN]|[iI][nN][fF]|[0-9.]+[eE]\+?[0-9]{3})")
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")


def write_obstacle(p: Path) -> str | None:
    """Why openpyxl cannot open ``p`` for writing although the reader could check it, in
    Chinese; None when nothing is known to stop it. Asked before openpyxl loads the file, so
    that a workbook it would choke on (or load into many gigabytes) gets a clear message."""
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                return "文件缺少 [Content_Types].xml 部件（不是由 Excel 写出的标准格式）"
            if "xl/styles.xml" not in names:
                return "文件缺少样式部件 xl/styles.xml（不是由 Excel 写出的标准格式）"
            parts = sheet_parts(zf)
            for name in parts:
                if _BAD_TITLE.search(name) or not name.strip() or len(name) > 31:
                    return (f"工作表名“{name}”不符合 Excel 的规定"
                            "（含 \\ / ? * [ ] : 或超过 31 个字）")
            cells = 0
            for name, part in parts.items():
                if part not in names:
                    continue
                xml = zf.read(part)
                cells += xml.count(b"<c ") + xml.count(b"<c>")
                if _NON_FINITE.search(xml):
                    return f"工作表“{name}”中有 NaN 或无穷大的数值（Excel 不会写出这种值）"
                for m in _MERGE.finditer(xml):
                    (r1, c1), (r2, c2) = (from_a1(m.group(i).decode()) for i in (1, 2))
                    span = (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                    if span > WRITE_MAX_CELLS:
                        return (f"工作表“{name}”的合并区域 {m.group(1).decode()}:"
                                f"{m.group(2).decode()} 有 {span} 个单元格，写入时无法处理")
            if cells > WRITE_MAX_CELLS:
                return f"文件有 {cells} 个单元格，超过写入时能处理的 {WRITE_MAX_CELLS} 个"
    except (zipfile.BadZipFile, OSError, KeyError, EOFError) as exc:
        return f"文件已损坏（{type(exc).__name__}）"
    return None
