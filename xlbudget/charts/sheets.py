"""Chart data sheets in a workbook: recognising the existing ones, planning the new ones."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlbudget.charts.data import TITLES, ChartData
from xlbudget.marks.plan import REPORT_SHEET, STATE_SHEET, ChartSheet
from xlbudget.sources.grid import Grid

_NAME = re.compile(r"^\s*图(?:表)?\s*([1-7])(?!\d)")


def chart_number(grid: Grid) -> int | None:
    """Which chart (1–7) a sheet holds the data of: by its name (图1, 图表1 …), else by a chart
    title in its first rows; None for any other sheet."""
    from xlbudget.tables.text import norm

    if grid.name in (REPORT_SHEET, STATE_SHEET):
        return None
    m = _NAME.match(norm(grid.name))
    if m:
        return int(m.group(1))
    titles = {n: norm(t).replace('"', "") for n, t in TITLES.items()}
    for r in range(min(grid.height, 3)):
        for c in range(min(len(grid.rows[r]), 4)):
            text = norm(grid.text(r, c)).replace('"', "")
            if not text or len(text) > 40:
                continue  # a caption, not a paragraph that happens to name a chart
            # longest title first: 图4's title contains 图1's.
            for n, title in sorted(titles.items(), key=lambda kv: -len(kv[1])):
                if title in text:
                    return n
    return None


def find_chart_sheets(grids: Iterable[Grid]) -> dict[int, list[str]]:
    """Chart number -> names of the sheets holding its data."""
    out: dict[int, list[str]] = {}
    for g in grids:
        n = chart_number(g)
        if n is not None:
            out.setdefault(n, []).append(g.name)
    return out


def plan_sheets(charts: list[ChartData], existing: dict[int, list[str]]) -> list[ChartSheet]:
    """Plan entries writing each chart's sheet in place of the sheets that held its data."""
    out = []
    for ch in charts:
        rows: list[list[str | int | float | None]] = [
            [r.label, *(float(v) for v in r.values)] for r in ch.rows
        ]
        out.append(ChartSheet(
            name=ch.name, title=f"{ch.name} {ch.title}", kind=ch.kind, unit=ch.unit,
            header=["项目", *ch.series], rows=rows, note=ch.note,
            replaces=list(existing.get(ch.number, [])) or [ch.name],
        ))
    return out
