"""The sheets xlbudget itself writes into a workbook, which no check reads as the user's tables.

Every layer needs these names (the engine skips the sheets, the writers write them, the chart
data and batch discovery recognise them), so they live here, beside the grid they are read from.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlbudget.sources.grid import Grid

#: The report of findings that marking adds, last in the workbook.
REPORT_SHEET = "校验结果"
#: The very hidden sheet recording what marking changed, so that ``clean`` can undo it.
STATE_SHEET = "_xlbudget"
#: The user's explanations of findings (出错说明), read by the next check.
EXPLAIN_SHEET = "出错说明"


def own_sheets(grids: Iterable[Grid]) -> set[str]:
    """The sheets xlbudget wrote into a workbook (the state sheet and the sheets it records as
    added, such as the report sheet), which no check should read as the user's tables."""
    out: set[str] = set()
    for g in grids:
        if g.name == STATE_SHEET:
            out.add(g.name)
            out |= {str(r[1]) for r in g.rows[1:] if len(r) > 1 and r[0] == "sheet" and r[1]}
    return out
