"""Sources give plain sheet grids; they are the only readers of spreadsheet files or live Excel."""

from xlbudget.sources.grid import Grid, SourceError, col_letter, to_a1

__all__ = ["Grid", "SourceError", "col_letter", "to_a1"]
