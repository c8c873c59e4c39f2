"""Chart data sheets in a workbook: recognising the existing ones, planning the new ones."""

from __future__ import annotations

from collections.abc import Iterable

from xlbudget.chart_data import ChartData, chart_number
from xlbudget.marks.plan import ChartSheet
from xlbudget.sources.grid import Grid


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
