"""Put known errors into a copy of a workbook, cell by cell, keeping every cell's format."""

from __future__ import annotations

from pathlib import Path

Edit = tuple[str, str, object]


def inject(path_in: str | Path, path_out: str | Path, edits: list[Edit]) -> None:
    """Copy ``path_in`` to ``path_out`` with ``edits`` (sheet, A1 cell, new value) applied.

    Only values change: fonts, borders and number formats stay as they were. A sheet or cell
    that does not exist, or a cell inside a merged range, is refused with a Chinese message,
    because a silently misplaced error would make the error list lie.
    """
    from openpyxl import load_workbook
    from openpyxl.cell.cell import MergedCell

    if Path(path_in).resolve() == Path(path_out).resolve():
        raise ValueError(f"{Path(path_out).name}：不能覆盖原文件，请写到另一个文件")
    wb = load_workbook(path_in, keep_vba=Path(path_in).suffix.lower() == ".xlsm")
    for sheet, cell, value in edits:
        if sheet not in wb.sheetnames:
            raise ValueError(f"{Path(path_in).name}：没有工作表“{sheet}”")
        target = wb[sheet][cell]
        if isinstance(target, MergedCell):
            raise ValueError(f"{Path(path_in).name}：工作表“{sheet}”单元格 {cell} 位于合并区域内")
        target.value = value
    wb.save(path_out)
