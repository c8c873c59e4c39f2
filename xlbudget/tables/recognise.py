"""Find the standard tables in sheet grids and read them into the model.

A table is found by its title cell anywhere on a sheet (the sheet name is the fallback); its
region (``tables.region``) is read by the reader of its kind (``tables.readers``). Nothing here
depends on fixed cell addresses.
"""

from __future__ import annotations

import re
from collections import Counter

from xlbudget.model import CellRef, Problem, WorkbookModel
from xlbudget.sources.grid import Grid, to_a1
from xlbudget.tables.readers import TableReader
from xlbudget.tables.specs import SPECS, TABLES, TableSpec
from xlbudget.tables.text import canon_item, norm

_TITLE_NAMES = sorted(
    ((canon_item(norm(n)), spec) for spec in TABLES for n in spec.names),
    key=lambda x: -len(x[0]),
)
_SHEET_NUM = re.compile(r"^(?:表|公开0?|[A-Z]0?)(\d)(?:表)?(?:\s|$|[-_ ])")


def recognise(grids: list[Grid], path: str) -> WorkbookModel:
    """Every standard table in ``grids``; sheets with none are kept as ignored extra sheets."""
    model = WorkbookModel(path=path)
    for grid in grids:
        found = _find_titles(grid)
        if not found:
            spec = _spec_from_sheet_name(grid.name)
            if spec is not None and spec.key not in model.tables and grid.height:
                found = [(-1, spec)]
        if not found:
            model.ignored_sheets.append(grid.name)
            model.extra_sheets[grid.name] = grid
            continue
        texts = _texts(grid)
        for i, (row, spec) in enumerate(found):
            end = found[i + 1][0] if i + 1 < len(found) else grid.height
            if spec.key in model.tables:
                model.problems.append(Problem(
                    "TB-c", "warning",
                    f"{spec.name}出现不止一次，只校验第一张（{model.tables[spec.key].sheet}）",
                    CellRef(grid.name, to_a1(max(row, 0), 0))))
                continue
            reader = TableReader(grid, spec, row, end, model.problems, texts)
            model.tables[spec.key] = reader.read()
    years = [t.year for t in model.tables.values() if t.year]
    model.year = Counter(years).most_common(1)[0][0] if years else None
    return model


def _texts(grid: Grid) -> list[list[str]]:
    """Every cell as normalised text, once per sheet (numbers as Excel shows integers)."""
    out = []
    for row in grid.rows:
        out.append([norm(v) if isinstance(v, str) else
                    "" if v is None else
                    str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                    for v in row])
    return out


def _find_titles(grid: Grid) -> list[tuple[int, TableSpec]]:
    out: list[tuple[int, TableSpec]] = []
    for r, row in enumerate(grid.rows):
        for v in row:
            if not isinstance(v, str) or len(v) > 80:
                continue
            spec = _title_spec(v)
            if spec is not None:
                out.append((r, spec))
                break
    return out


def _title_spec(text: str) -> TableSpec | None:
    if "表" not in text and "三公" not in text:
        return None
    s = canon_item(norm(text))
    if s.startswith("注") or len(s) < 4:
        return None
    s = re.sub(r"(\((?:公开|财决|表)?[\w]*\d+表?\)|公开0?\d表|表\d+)$", "", s)
    for name, spec in _TITLE_NAMES:
        if s.endswith(name):
            return spec
    return None


def _spec_from_sheet_name(name: str) -> TableSpec | None:
    s = canon_item(norm(name))
    m = _SHEET_NUM.match(norm(name) + " ")
    if m and f"T{m.group(1)}" in SPECS:
        return SPECS[f"T{m.group(1)}"]
    for full, spec in _TITLE_NAMES:
        if len(s) >= 8 and (full.startswith(s) or s.endswith(full)):
            return spec
    return None
