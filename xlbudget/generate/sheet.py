"""A sample sheet as plain data (``Sheet``: values, kinds and merges) and the one function that
writes sheets with openpyxl (``emit``). Every amount cell is recorded in ``Sample.cells`` with
the exact value it shows, so tests and benchmarks know where each figure of the truth went.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlbudget.generate.dataset import Dataset, Key, shown_value
from xlbudget.generate.style import Style
from xlbudget.sources.grid import to_a1


@dataclass(slots=True)
class Sample:
    """A written sample workbook and where every amount of its Dataset went."""

    path: Path
    layout: str
    dataset: Dataset
    style: Style
    #: table key -> sheet name
    sheets: dict[str, str] = field(default_factory=dict)
    #: amount key -> (sheet, A1 cell)
    cells: dict[Key, tuple[str, str]] = field(default_factory=dict)
    #: amount key -> value the cell shows in its table's unit (None for a blank cell)
    shown: dict[Key, Decimal | None] = field(default_factory=dict)
    #: (table, block, row id) -> (sheet, A1 cell) of the row's label (name) cell
    labels: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    #: table key -> unit of its amounts
    units: dict[str, str] = field(default_factory=dict)
    #: table key -> (sheet, A1 cell) of its title
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)


class Sheet:
    """Cells of one sheet as plain data: values with a kind that decides their format."""

    def __init__(self, name: str, sample: Sample, rng: random.Random) -> None:
        self.name = name
        self.sample = sample
        self.style = sample.style
        self.rng = rng
        self.cells: dict[tuple[int, int], object] = {}
        self.kinds: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.next_row = 0

    def put(self, r: int, c: int, value: object, kind: str,
            r2: int | None = None, c2: int | None = None) -> None:
        self.cells[(r, c)] = value
        self.kinds[(r, c)] = kind
        r2, c2 = r if r2 is None else r2, c if c2 is None else c2
        if (r2, c2) != (r, c):
            self.merges.append((r, c, r2, c2))
            for rr in range(r, r2 + 1):
                for cc in range(c, c2 + 1):
                    if (rr, cc) != (r, c):
                        self.kinds[(rr, cc)] = kind  # borders over the whole merged area

    def label(self, r: int, c: int, table: str, block: str, row: str, text: str,
              c2: int | None = None) -> None:
        self.put(r, c, text, "label", c2=c2)
        self.sample.labels[(table, block, row)] = (self.name, to_a1(r, c))

    def amount(self, r: int, c: int, key: Key, blank: bool = False) -> None:
        """Write the shown value of ``key``: number, text with separators, or a zero form."""
        unit = self.sample.units[key[0]]
        shown: Decimal | None = shown_value(self.sample.dataset.yuan[key], unit)
        value: object
        if blank:
            value, shown = None, None
        elif shown == 0:
            form = self.rng.choice(self.style.zero)
            value = None if form == "" else form if form == "-" else 0
            shown = None if form == "" else Decimal("0.00")
        elif self.style.text_numbers and self.rng.random() < self.style.text_numbers:
            value = f"{shown:,.2f}"
        else:
            value = float(shown)
        self.put(r, c, value, "amount")
        self.sample.cells[key] = (self.name, to_a1(r, c))
        self.sample.shown[key] = shown

    def code(self, r: int, c: int, code: str) -> None:
        as_number = self.style.codes_as_numbers and not self.style.split_codes
        self.put(r, c, int(code) if as_number else code, "code")


def _cover(sample: Sample) -> tuple[list[str], list[str]]:
    ds = sample.dataset
    cover = [f"{ds.organisation}", f"{ds.year}年度部门决算", "",
             f"编制单位：{ds.organisation}", f"报送日期：{ds.year + 1}年8月"]
    notes = ["说明", f"一、本公开表反映{ds.organisation}{ds.year}年度部门决算情况。",
             ("二、除“一般公共预算财政拨款基本支出决算表”以元为单位外，其余各表金额单位均为万元。"
              if sample.units["T6"] == "元" else "二、各表金额单位均为万元。"),
             "三、部分合计数与各分项之和因四舍五入存在尾差。"]
    return cover, notes


def emit(sample: Sample, sheets: list[Sheet]) -> None:
    """Write the sheets with openpyxl: merges, borders, number formats, column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.worksheet.cell_range import CellRange

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Border()

    def font(size: int = 10, bold: bool = False) -> Font:
        return Font(name="宋体", size=size, bold=bold)

    # Named styles: assigning one is a lookup, while assigning font/border/alignment objects
    # hashes them per cell (most of openpyxl's write time for these small sheets).
    specs = {
        "title": (font(16, True), Alignment(horizontal="center"), plain, "General"),
        "meta": (font(), Alignment(horizontal="left"), plain, "General"),
        "meta_center": (font(), Alignment(horizontal="center"), plain, "General"),
        "meta_right": (font(), Alignment(horizontal="right"), plain, "General"),
        "header": (font(bold=True),
                   Alignment(horizontal="center", vertical="center", wrap_text=True), box,
                   "General"),
        "label": (font(), Alignment(horizontal="left"), box, "General"),
        "code": (font(), Alignment(horizontal="center"), box, "@"),
        "code_number": (font(), Alignment(horizontal="center"), box, "0"),
        "amount": (font(), Alignment(horizontal="right"), box, sample.style.number_format),
        "note": (font(9), Alignment(horizontal="left"), plain, "General"),
    }
    wb = Workbook()
    wb.remove(wb.active)
    for kind, (f, align, border, number_format) in specs.items():
        wb.add_named_style(NamedStyle(f"xlb_{kind}", font=f, alignment=align, border=border,
                                      number_format=number_format))
    if sample.style.sheet_names == "stacked":
        cover, notes = _cover(sample)
        for name, lines in (("封面", cover), ("说明", notes)):
            ws = wb.create_sheet(name)
            for i, text in enumerate(lines):
                ws.cell(i + 1, 1, text)
            ws.column_dimensions["A"].width = 80
    for sh in sheets:
        ws = wb.create_sheet(sh.name)
        for (r, c), kind in sh.kinds.items():
            value = sh.cells.get((r, c))
            cell = ws.cell(r + 1, c + 1, value)
            if kind == "code" and isinstance(value, int):
                kind = "code_number"
            cell.style = f"xlb_{kind}"
        for r1, c1, r2, c2 in sh.merges if sample.style.merges else ():
            # Registered as plain ranges: ws.merge_cells (and MergedCellRange) would work out
            # and re-draw each range's border, which every cell of the range already has; the
            # writer needs only the reference.
            ws.merged_cells.add(CellRange(min_row=r1 + 1, min_col=c1 + 1, max_row=r2 + 1,
                                          max_col=c2 + 1))
        widths: dict[int, float] = {}
        for (_r, c), v in sh.cells.items():
            if sh.kinds[(_r, c)] in ("label", "amount", "code", "header") and v is not None:
                text = str(v)
                w = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
                widths[c] = max(widths.get(c, 8), min(w, 44))
        for c, w in widths.items():
            ws.column_dimensions[to_a1(0, c)[:-1]].width = w
        ws.sheet_view.showGridLines = False
    wb.save(sample.path)
