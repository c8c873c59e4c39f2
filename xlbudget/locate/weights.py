"""Reliability weights: what it costs to declare a cell wrong (errorlocate's ``expand_weights``).

Every amount cell costs the same, 1. The reasons, from the errors these workbooks carry:

- A total is typed like any detail (the published tables are pasted values, not formulas), so a
  typed total and a typed detail are equally likely to be wrong.
- A cell that several tables confirm must not be made cheaper or dearer by hand: the identities
  between tables already make changing it expensive, because every table that repeats it would
  have to change as well. Weighting it again would count the same evidence twice.
- A blank cell is an amount of exactly zero and costs the same: "a value typed into the wrong
  row" leaves one blank that must be filled.

Equal weights keep the minimum repair a count of cells, so ties are real ties (several cells
explain the failures equally well) and are reported as candidates instead of being broken by an
arbitrary preference. Results are deterministic because nothing here is random (errorlocate adds
random noise to break ties; we enumerate them instead).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from xlbudget.model import Amount

#: The cost of changing one amount cell.
CELL_WEIGHT = 1.0


def cell_weights(cells: Sequence[Amount]) -> np.ndarray:
    """The weight of changing each cell, in the order given."""
    return np.full(len(cells), CELL_WEIGHT)
