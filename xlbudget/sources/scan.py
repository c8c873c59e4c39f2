"""The scan of each worksheet's cell addresses, streamed from the package, and the trimmed copy
of a package whose sheets hold stray cells far from their data.

python-calamine allocates the whole rectangle from A1 to the farthest cell of a sheet, so one
stray cell at XFD1048576 asks for 549 GB and aborts the process. A sheet whose area is too
large is therefore trimmed to the block holding its data (the stray cells are named in a
warning) or, when the data itself is too large, refused with one message.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from xlbudget.sources.grid import SourceError, col_letter, from_a1
from xlbudget.sources.limits import ENV_CELLS, MB, Limits, how_to_raise

_CHUNK = 8 * MB
#: gaps (empty rows / columns) that separate a stray cell from the data block
_ROW_GAP, _COL_GAP = 1000, 100
#: a sheet smaller than this is read as it is, stray cells and all; a larger one loses the
#: cells beyond a gap when they make it more than four times the size of its data block
_TRIM_FLOOR = 1_000_000
_WHOLE_CELL = re.compile(rb'<((?:\w+:)?c)\s([^>]*?)(?:/>|>.*?</\1>)', re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_EMPTY_ROW = re.compile(rb"<((?:\w+:)?row)\b[^>]*?(?:/>|>\s*</\1>)")


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


def scan_sheet(zf: zipfile.ZipFile, part: str, sheet: str, file: str, limits: Limits
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
                          f"（{how_to_raise(ENV_CELLS)}）")
    if kept > limits.max_cells:
        raise SourceError(
            f"{file}：工作表“{sheet}”的数据区域有 {last_row + 1} 行 × {last_col + 1} 列，"
            f"超过上限 {limits.max_cells} 个单元格（{how_to_raise(ENV_CELLS)}）")
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


def trimmed(zf: zipfile.ZipFile, trims: dict[str, tuple[int, int]], parts: dict[str, str],
            notes: dict[str, list[str]]) -> io.BytesIO:
    """A copy of the package in memory with the stray cells of ``trims`` left out; what was
    left out goes to ``notes`` (worksheet part -> notes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename in trims:
                data, dropped = _drop_cells(data, *trims[info.filename])
                last_row, last_col = trims[info.filename]
                shown = "、".join(dropped[:5]) + ("等" if len(dropped) > 5 else "")
                block = f"A1:{col_letter(last_col)}{last_row + 1}"
                notes.setdefault(info.filename, []).append(
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
