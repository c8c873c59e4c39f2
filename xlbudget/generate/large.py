"""A workbook with one large sheet of numbers, its XML streamed (openpyxl would hold every cell
as an object): for the tests and benchmarks of the reader's limits."""

from __future__ import annotations

import zipfile
from pathlib import Path


def write_rows_sheet(path: str | Path, rows: int, cols: int) -> Path:
    """Write ``rows`` × ``cols`` (at most 26) numbers as the only sheet of ``path``."""
    from openpyxl import Workbook

    path = Path(path)
    base = path.with_name(f".{path.stem}.base.xlsx")
    Workbook().save(base)
    letters = [chr(65 + c).encode() for c in range(cols)]
    try:
        with zipfile.ZipFile(base) as zin, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename != "xl/worksheets/sheet1.xml":
                    zout.writestr(info, zin.read(info))
                    continue
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                             b'spreadsheetml/2006/main"><sheetData>')
                    for start in range(1, rows + 1, 10000):
                        fh.write(b"".join(
                            b'<row r="%d">' % r
                            + b"".join(b'<c r="%s%d"><v>%d.25</v></c>' % (c, r, r)
                                       for c in letters) + b"</row>"
                            for r in range(start, min(start + 10000, rows + 1))))
                    fh.write(b"</sheetData></worksheet>")
    finally:
        base.unlink(missing_ok=True)
    return path
