"""Read workbook files (.xlsx, .xlsm, .xls) into grids with python-calamine.

calamine gives values only. Two things it hides are recovered from the sheet XML, and only when
the sheet has them: error values (calamine returns them as empty strings) and formulas without a
cached value (also empty). Both must never be read as zero.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from xlbudget.sources.grid import Grid, SourceError, Value, from_a1

if TYPE_CHECKING:
    from xlbudget.sources.inspect import Prepared

SUPPORTED = (".xlsx", ".xlsm", ".xls")

# One <c> element: its address, attributes and body. The sheet XML is machine-written and flat,
# so a regex over it is exact and many times faster than a full parse for the rare sheets that
# need it; openpyxl's reader would cost a second load of the whole workbook.
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)


def read_workbook(path: str | Path) -> list[Grid]:
    """All worksheets of a file as grids, in workbook order.

    The format is told by content (``sources.inspect``), and the limits are checked before
    the file is parsed. Raises SourceError with a Chinese message naming the file for anything
    unreadable or over a limit; what was read differently is in the grids' ``notes``.
    """
    from xlbudget.sources.inspect import prepare

    p = Path(path)
    prepared = prepare(p, file_head(p))
    import python_calamine as pc

    try:
        if isinstance(prepared.source, Path):
            wb = pc.CalamineWorkbook.from_path(str(prepared.source))
        else:
            wb = pc.CalamineWorkbook.from_filelike(prepared.source)
    except pc.PasswordError as exc:
        raise SourceError(f"{p.name}：文件已加密（设置了打开密码），请先取消密码后再校验") from exc
    except Exception as exc:  # calamine's zip/xml/format errors all mean the same to a user
        raise SourceError(f"{p.name}：文件已损坏，无法打开（可能是没有下载或复制完整）") from exc
    grids: list[Grid] = []
    name = ""
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                continue
            name = meta.name
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            grid = Grid(name, rows, _clipped(sheet.merged_cell_ranges or [], rows))
            grids.append(grid)
    except Exception as exc:
        # calamine's own words ("t", "Xml error: …") would tell a user nothing more
        raise SourceError(f"{p.name}：文件已损坏，无法读取工作表“{name}”"
                          "（其内容不完整或不是有效的 XML）") from exc
    finally:
        wb.close()
    for g in grids:  # one pass in C per row: cheaper than searching the XML for them
        _replace_non_finite(g)
    if prepared.kind == "xlsx":
        _add_hidden_cells(p, grids, prepared)
    if prepared.note and grids:
        grids[0].notes.insert(0, prepared.note)
    return grids


def _clipped(ranges: list, rows: list[list[Value]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the cells read: a merge over the whole sheet must not make later
    loops run over a million rows."""
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    out = []
    for a, b in ranges:
        r1, c1, r2, c2 = a[0], a[1], min(b[0], height - 1), min(b[1], width - 1)
        if r1 <= r2 and c1 <= c2:
            out.append((r1, c1, r2, c2))
    return out


def _replace_non_finite(g: Grid) -> None:
    """NaN and infinite numbers (no spreadsheet can hold them, a hostile file can) become their
    text, which the amount reader reports as an unreadable amount naming the cell."""
    for row in g.rows:
        # fsum is finite unless a value is NaN or infinite (or the sum overflows: then look).
        numbers = [v for v in row if type(v) is float]
        try:
            finite = math.isfinite(math.fsum(numbers))
        except (ValueError, OverflowError):  # inf - inf, or a sum past the float range
            finite = False
        if not finite:
            row[:] = [repr(v) if type(v) is float and not math.isfinite(v) else v for v in row]


def file_head(p: Path, error: type[SourceError] = SourceError) -> bytes:
    """The first 8 bytes of a file, which tell its format; ``error`` (Chinese, naming the file)
    when it is missing, unreadable or empty."""
    try:
        with p.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError as exc:
        raise error(f"{p}：文件不存在") from exc
    except OSError as exc:
        raise error(f"{p}：无法打开文件（{exc.strerror}）") from exc
    if not head:
        raise error(f"{p.name}：文件为空（0 字节）")
    return head


def short_error(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name, from workbook.xml and its relationships."""
    wb = zf.read("xl/workbook.xml")
    rels = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in re.finditer(rb"<Relationship\b([^>]*)/?>", rels):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(1)))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode()
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs[b"Id"].decode()] = target
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)/?>", wb):
        attrs = dict(re.findall(rb'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        name = attrs.get(b"name")
        if rid is not None and name is not None and rid.decode() in targets:
            out[_unescape(name.decode())] = targets[rid.decode()]
    return out


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _add_hidden_cells(p: Path, grids: list[Grid], prepared: Prepared) -> None:
    """Fill ``errors``, ``uncached`` and ``notes`` of each grid from the sheet XML."""
    try:
        with zipfile.ZipFile(p) as zf:
            parts = sheet_parts(zf)
            for g in grids:
                part = parts.get(g.name)
                if part is None or part not in zf.namelist():
                    continue
                g.notes.extend(prepared.sheet_notes.get(part, []))
                xml = zf.read(part)
                if b't="e"' not in xml and b"<f" not in xml:
                    continue
                for m in _CELL.finditer(xml):
                    attrs, body = m.group(2), m.group(3) or b""
                    rc = from_a1(m.group(1).decode())
                    if b't="e"' in attrs:
                        v = _VALUE.search(body)
                        g.errors[rc] = v.group(1).decode() if v else "#ERROR"
                        continue
                    f = _FORMULA.search(body)
                    if f is not None:
                        v = _VALUE.search(body)
                        if v is None or not v.group(1).strip():
                            g.uncached[rc] = "=" + _unescape((f.group(1) or b"").decode())
    except (KeyError, zipfile.BadZipFile):
        # calamine read the values already; a package without these parts has nothing hidden.
        return
