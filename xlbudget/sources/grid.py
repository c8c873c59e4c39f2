"""A sheet as a plain grid of values, with Excel's own row and column indexes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

Value = str | float | int | bool | None


class SourceError(Exception):
    """A file that cannot be read; the message is Chinese and names the file."""


@lru_cache(maxsize=1024)
def col_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A, 26 -> AA)."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def to_a1(row: int, col: int) -> str:
    """0-based (row, col) to an A1 address."""
    return f"{col_letter(col)}{row + 1}"


def from_a1(a1: str) -> tuple[int, int]:
    """An A1 address to 0-based (row, col)."""
    letters = "".join(ch for ch in a1 if ch.isalpha()).upper()
    digits = "".join(ch for ch in a1 if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


@dataclass(slots=True)
class Grid:
    """Values of one sheet; ``rows[r][c]`` is Excel cell (r+1, c+1); ragged rows allowed."""

    name: str
    rows: list[list[Value]]
    #: merged ranges as 0-based inclusive (r1, c1, r2, c2)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: cells holding an Excel error value (#DIV/0! …), 0-based -> error text
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: formula cells without a cached value, 0-based -> formula text
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
    #: what the reader left out or read differently (Chinese; becomes an IN-f warning)
    notes: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, r: int, c: int) -> Value:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def text(self, r: int, c: int) -> str:
        v = self.value(r, c)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()
