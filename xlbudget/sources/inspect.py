"""What is checked before a file is parsed: its format, told by content and not by name, and
the work limits (size, compression ratio, the used area of each sheet).

python-calamine allocates the whole rectangle from A1 to the farthest cell of a sheet, so one
stray cell at XFD1048576 asks for 549 GB and aborts the process. Each worksheet's cell
addresses are therefore scanned first, streamed from the package; a sheet whose area is too
large is trimmed to the block holding its data (the stray cells are named in a warning) or,
when the data itself is too large, refused with one message. No XML part may declare a DTD
(ECMA-376 forbids them; they are how XXE and "billion laughs" files attack a reader).
"""

from __future__ import annotations

import io
import math
import mmap
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xlbudget.sources.grid import SourceError, col_letter, from_a1

MB = 1024 * 1024
#: environment variables that raise the limits (also set by the --max-* options)
ENV_SIZE, ENV_RATIO, ENV_CELLS = "XLBUDGET_MAX_SIZE", "XLBUDGET_MAX_RATIO", "XLBUDGET_MAX_CELLS"
_FLAG = {ENV_SIZE: "--max-size", ENV_RATIO: "--max-ratio", ENV_CELLS: "--max-cells"}


def _mb(n: float) -> str:
    return f"{n / MB:.3g} MB"


def _how(env: str) -> str:
    return f"可用 {_FLAG[env]} 或环境变量 {env} 提高上限"


@dataclass(frozen=True, slots=True)
class Limits:
    """Work limits of one file. Defaults keep a worker under 1 GB of memory."""

    #: uncompressed size of the whole package (bytes); the file size for .xls
    max_size: int = 512 * MB
    #: uncompressed / compressed size of any part larger than ``_RATIO_FLOOR``
    max_ratio: float = 100.0
    #: cells of one sheet's area from A1 to its last used cell, as the reader allocates it;
    #: a check costs about 140 bytes a cell over a 150 MB base (docs/performance.md)
    max_cells: int = 6_000_000

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(int(_env(ENV_SIZE, d.max_size / MB) * MB), _env(ENV_RATIO, d.max_ratio),
                   int(_env(ENV_CELLS, d.max_cells)))


def _env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or math.isinf(value):
        raise SourceError(f"环境变量 {name} 的值“{raw}”不是正数")
    return value


#: parts smaller than this are not held to the ratio (a tiny part can compress very well).
_RATIO_FLOOR = 4 * MB
_CHUNK = 8 * MB
#: gaps (empty rows / columns) that separate a stray cell from the data block
_ROW_GAP, _COL_GAP = 1000, 100
#: a sheet smaller than this is read as it is, stray cells and all; a larger one loses the
#: cells beyond a gap when they make it more than four times the size of its data block
_TRIM_FLOOR = 1_000_000

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NON_FINITE = re.compile(rb"v>\s*[-+]?(?:[nN][aA][nN]|[iI][nN][fF]|[0-9.]+[eE]\+?[0-9]{3})")
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_WHOLE_CELL = re.compile(rb'<((?:\w+:)?c)\s([^>]*?)(?:/>|>.*?</\1>)', re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_EMPTY_ROW = re.compile(rb"<((?:\w+:)?row)\b[^>]*?(?:/>|>\s*</\1>)")


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


def identify(p: Path) -> str:
    """``"xlsx"`` or ``"xls"``, told by content and not by name; SourceError (Chinese, naming
    the file) for anything else: missing, empty, text, another format, encrypted, broken."""
    from xlbudget.sources.files import file_head

    head = file_head(p)
    if head.startswith(_CFB_MAGIC):
        _cfb_kind(p)
        return "xls"
    if head.startswith(_ZIP_MAGIC):
        _open_package(p).close()
        return "xlsx"
    raise SourceError(f"{p.name}：不是 Excel 工作簿（{_what_text(p)}）")


def prepare(p: Path, head: bytes, limits: Limits | None = None) -> Prepared:
    """Tell the format by content and check the limits; SourceError (Chinese, naming the
    file) for anything that is no readable Excel workbook or is over a limit."""
    if limits is None:
        try:
            limits = Limits.from_env()
        except SourceError as exc:
            raise SourceError(f"{p.name}：{exc}") from exc
    suffix = p.suffix.lower()
    if head.startswith(_CFB_MAGIC):
        size = p.stat().st_size
        if size > limits.max_size:
            raise SourceError(f"{p.name}：文件有 {_mb(size)}，超过上限 "
                              f"{_mb(limits.max_size)}（{_how(ENV_SIZE)}）")
        _cfb_kind(p)
        # calamine picks the format by extension: a misnamed file is handed over in memory
        prepared = Prepared("xls", p if suffix == ".xls" else io.BytesIO(p.read_bytes()))
    elif head.startswith(_ZIP_MAGIC):
        prepared = _package(p, limits)
        if suffix not in (".xlsx", ".xlsm") and isinstance(prepared.source, Path):
            prepared.source = io.BytesIO(p.read_bytes())  # size checked by _package
    else:
        raise SourceError(f"{p.name}：不是 Excel 工作簿（{_what_text(p)}）")
    if prepared.kind == "xls" and suffix != ".xls":
        prepared.note = (f"{p.name}：文件内容是 Excel 97-2003 工作簿（.xls），扩展名却是"
                         f"“{p.suffix}”，已按 .xls 读取；标注、修正前请在 Excel 中另存为 .xlsx")
    elif prepared.kind == "xlsx" and suffix not in (".xlsx", ".xlsm"):
        prepared.note = (f"{p.name}：文件内容是 Excel 2007 及以后的工作簿（.xlsx），扩展名却是"
                         f"“{p.suffix}”，已按 .xlsx 读取")
    return prepared


# --- compound files (.xls, encrypted OOXML, other Office 97-2003 documents) -------------------

def _utf16_entry(name: str) -> bytes:
    return name.encode("utf-16-le") + b"\x00\x00"


#: stream name -> what a compound file holding it is (None: an Excel workbook)
_CFB_STREAMS: tuple[tuple[str, str | None], ...] = (
    ("EncryptedPackage", "encrypted"),
    ("Workbook", None),
    ("Book", None),
    ("WordDocument", "Word 97-2003 文档"),
    ("PowerPoint Document", "PowerPoint 97-2003 演示文稿"),
)


def _cfb_kind(p: Path) -> None:
    """Raise unless the compound file is an Excel 97-2003 workbook. Directory entries are
    128-byte records (UTF-16 name, then its byte length at offset 64) on 128-byte boundaries;
    finding a stream's record by its name avoids walking the FAT chains (olefile would, but it
    is not a runtime dependency)."""
    with p.open("rb") as fh:
        try:
            data: mmap.mmap | bytes = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            data = fh.read()
        try:
            for name, what in _CFB_STREAMS:
                if _has_entry(data, name):
                    if what == "encrypted":
                        raise SourceError(f"{p.name}：文件已加密（设置了打开密码），"
                                          "请在 Excel 中取消密码后再校验")
                    if what is None:
                        return
                    raise SourceError(f"{p.name}：不是 Excel 工作簿（是 {what}）")
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    raise SourceError(f"{p.name}：不是 Excel 工作簿（是其他格式的 Office 复合文档，"
                      "或文件已损坏）")


def _has_entry(data: mmap.mmap | bytes, name: str) -> bool:
    needle = _utf16_entry(name)
    length = len(needle).to_bytes(2, "little")
    at = data.find(needle)
    while at >= 0:
        if at % 128 == 0 and data[at + 64:at + 66] == length:
            return True
        at = data.find(needle, at + 1)
    return False


# --- text and other non-workbooks ------------------------------------------------------------

def _what_text(p: Path) -> str:
    with p.open("rb") as fh:
        head = fh.read(4096)
    low = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if low.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "是 Excel 2003 XML 表格，请在 Excel 中另存为 .xlsx"
    if low.startswith((b"<!doctype html", b"<html")) or b"<table" in low:
        return "是网页（HTML）文件，常见于系统导出的“Excel”，请在 Excel 中另存为 .xlsx"
    if head.startswith(b"%PDF"):
        return "是 PDF 文件"
    if b"\x00" not in head:
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
            except UnicodeDecodeError:
                continue
            csv_like = b"," in head or b"\t" in head
            return ("是文本文件，看起来是 CSV，请在 Excel 中打开后另存为 .xlsx" if csv_like
                    else "是文本文件")
    return "无法识别的文件格式"


# --- packages (.xlsx, .xlsm; .xlsb and .ods are told apart) ----------------------------------

def _open_package(p: Path) -> zipfile.ZipFile:
    """The zip package of a workbook; SourceError for a broken zip or one holding no workbook."""
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"{p.name}：文件已损坏（zip 包不完整或已截断，可能是没有下载或复制完整）"
                          ) from exc
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        what = _what_package(zf, names)
        zf.close()
        raise SourceError(f"{p.name}：不是 Excel 工作簿（{what}）")
    return zf


def _package(p: Path, limits: Limits) -> Prepared:
    from xlbudget.sources.files import sheet_parts

    with _open_package(p) as zf:
        names = set(zf.namelist())
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > limits.max_size:
            raise SourceError(f"{p.name}：解压后有 {_mb(total)}，超过上限 "
                              f"{_mb(limits.max_size)}（{_how(ENV_SIZE)}）")
        for i in infos:
            ratio = i.file_size / max(i.compress_size, 1)
            if i.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
                raise SourceError(
                    f"{p.name}：部件 {i.filename} 的压缩比为 {ratio:.0f}:1，超过上限 "
                    f"{limits.max_ratio:g}:1，可能是“压缩炸弹”，未读取"
                    f"（{_how(ENV_RATIO)}）")
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
                box = _scan_sheet(zf, part, sheet, p.name, limits)
                if box is not None:
                    trims[part] = box
        except SourceError:
            raise
        except Exception as exc:  # zip, zlib and CRC errors of a damaged part
            raise SourceError(f"{p.name}：文件已损坏（部件 {current} 无法解压，"
                              "可能是没有下载或复制完整）") from exc
        if trims:
            prepared.source = _trimmed(zf, trims, parts, prepared)
    return prepared


def _what_package(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return "是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx"
    if "mimetype" in names:
        kind = zf.read("mimetype")[:100]
        if b"spreadsheet" in kind:
            return "是 OpenDocument 表格（.ods），请另存为 .xlsx"
        return "是 OpenDocument 文档"
    if "word/document.xml" in names:
        return "是 Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return "是 PowerPoint 演示文稿"
    return "是一个不含工作簿的 zip 压缩包"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _chunks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A part's XML in pieces of about ``_CHUNK`` bytes, each ending before a tag."""
    if zf.getinfo(part).file_size <= _CHUNK:  # the usual part: in one piece
        yield zf.read(part)
        return
    rest = b""
    with zf.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            data = rest + block
            if not block:
                yield data
                return
            cut = data.rfind(b"<")
            data, rest = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            yield data


#: a cell beyond Z999: a column name of two letters or more, or a row number of four digits
_BEYOND_Z999 = re.compile(rb' r="(?:[A-Z]{2}|[A-Z][0-9]{4})')


def _small(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether every cell of a sheet is addressed plainly within A1:Z999 (one search and three
    counts per piece, no per-cell work): the usual sheet of a budget workbook, which the reader
    may take as it is."""
    for data in _chunks(zf, part):
        if data.count(b"<c ") + data.count(b"<c>") != data.count(b'<c r="') \
                or b":c " in data or _BEYOND_Z999.search(data):
            return False
    return True


def _scan_sheet(zf: zipfile.ZipFile, part: str, sheet: str, file: str, limits: Limits
                ) -> tuple[int, int] | None:
    """Scan one worksheet's cell addresses. None when the reader may read it as it is, else
    the (last row, last column) to keep, 0-based; SourceError when even the data block is
    over ``limits.max_cells``."""
    if _small(zf, part) and limits.max_cells >= 999 * 26:
        return None
    rows: set[bytes] = set()
    cols: set[bytes] = set()
    row_tags: set[bytes] = set()
    with_ref = any_cell = 0
    for data in _chunks(zf, part):
        found = _CELL_REF_ROW.findall(data)
        with_ref += len(found)
        rows.update(found)
        cols.update(_CELL_REF_COL.findall(data))
        row_tags.update(_ROW_TAG.findall(data))
        any_cell += data.count(b"<c ") + data.count(b"<c>")
        if b":c " in data or b":c>" in data:
            any_cell += len(_PREFIXED_CELL.findall(data))
    if any_cell > with_ref:
        rows |= row_tags  # cells placed by position sit in these rows
        cols.add(col_letter(max(any_cell - with_ref, 1) - 1).encode())  # at most this wide
    if not rows:
        return None
    row_ns = sorted(int(r) - 1 for r in rows)
    col_ns = sorted(_col_number(c) for c in cols)
    area = (row_ns[-1] + 1) * (col_ns[-1] + 1)
    if area <= min(limits.max_cells, _TRIM_FLOOR):
        return None
    last_row = _block_end(row_ns, _ROW_GAP)
    last_col = _block_end(col_ns, _COL_GAP)
    kept = (last_row + 1) * (last_col + 1)
    if area <= limits.max_cells and kept * 4 > area:
        return None  # large, but no stray block making it so: read as it is
    if any_cell > with_ref:
        # Cells without addresses are placed by position: they cannot be trimmed by address.
        if area <= limits.max_cells:
            return None
        raise SourceError(f"{file}：工作表“{sheet}”的数据区域超过上限 {limits.max_cells} 个单元格"
                          f"（{_how(ENV_CELLS)}）")
    if kept > limits.max_cells:
        raise SourceError(
            f"{file}：工作表“{sheet}”的数据区域有 {last_row + 1} 行 × {last_col + 1} 列，"
            f"超过上限 {limits.max_cells} 个单元格（{_how(ENV_CELLS)}）")
    return last_row, last_col


# Separate passes (all in C) for the row numbers and column letters of addressed cells. In a
# worksheet only a cell has an ``r`` attribute of letters and digits (a row's is digits only);
# the literal start keeps each pass at memchr speed.
_CELL_REF_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"')
_CELL_REF_COL = re.compile(rb' r="([A-Z]{1,3})[0-9]{1,7}"')
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s>]")
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,7})"')


def _block_end(sorted_ns: list[int], gap: int) -> int:
    """The last index of the largest run of ``sorted_ns`` without a gap wider than ``gap``,
    counted from the first run (the data block, starting near A1)."""
    best_start, best_len, start = 0, 0, 0
    for i in range(1, len(sorted_ns) + 1):
        if i == len(sorted_ns) or sorted_ns[i] - sorted_ns[i - 1] > gap:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = i
    return sorted_ns[best_start + best_len - 1]


def _trimmed(zf: zipfile.ZipFile, trims: dict[str, tuple[int, int]], parts: dict[str, str],
             prepared: Prepared) -> io.BytesIO:
    """A copy of the package in memory with the stray cells of ``trims`` left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename in trims:
                data, dropped = _drop_cells(data, *trims[info.filename])
                last_row, last_col = trims[info.filename]
                shown = "、".join(dropped[:5]) + ("等" if len(dropped) > 5 else "")
                block = f"A1:{col_letter(last_col)}{last_row + 1}"
                prepared.sheet_notes.setdefault(info.filename, []).append(
                    f"工作表“{parts[info.filename]}”中 {len(dropped)} 个有内容的单元格"
                    f"（{shown}）远离表格区域 {block}，未读取；请确认它们不是误填"
                    if dropped else
                    f"工作表“{parts[info.filename]}”在表格区域 {block} 之外有带格式的空单元格，"
                    "已忽略")
            zo.writestr(info, data)
    out.seek(0)
    return out


def _drop_cells(xml: bytes, last_row: int, last_col: int) -> tuple[bytes, list[str]]:
    """``xml`` without the cells beyond (last_row, last_col) and the rows left empty; the
    addresses of the dropped cells that held something."""
    dropped: list[str] = []

    def keep(m: re.Match[bytes]) -> bytes:
        ref = _R_ATTR.search(m.group(2))
        if ref is None:
            return m.group(0)
        r, c = from_a1(ref.group(1).decode())
        if r <= last_row and c <= last_col:
            return m.group(0)
        if not m.group(0).endswith(b"/>"):
            dropped.append(ref.group(1).decode())
        return b""

    xml = _WHOLE_CELL.sub(keep, xml)
    return _EMPTY_ROW.sub(b"", xml), dropped


#: openpyxl (the writer) holds every cell as an object, and every cell of a merged range.
WRITE_MAX_CELLS = 2_000_000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")


def write_obstacle(p: Path) -> str | None:
    """Why openpyxl cannot open ``p`` for writing although the reader could check it, in
    Chinese; None when nothing is known to stop it. Asked before openpyxl loads the file, so
    that a workbook it would choke on (or load into many gigabytes) gets a clear message."""
    from xlbudget.sources.files import sheet_parts

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
