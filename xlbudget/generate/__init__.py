"""Sample workbooks: a consistent department's final accounts (``data``), laid out as the nine
published tables in several real-world layouts (``layouts``), and known errors injected into a
copy (``inject``)."""

from xlbudget.generate.data import Dataset, generate
from xlbudget.generate.layouts import LAYOUTS, Sample, write

__all__ = ["LAYOUTS", "Dataset", "Sample", "generate", "write"]
