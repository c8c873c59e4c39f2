"""Sample workbooks: a consistent department's final accounts (``data`` draws a ``department``
and its amounts into a ``dataset``), laid out as the nine published tables in several real-world
layouts (``layouts``), and known errors injected into a copy (``inject``). ``samples`` builds
the project's ``workbooks/``.

Example::

    from xlbudget.generate import generate, write

    ds = generate(seed=7, year=2023)          # amounts in 元, every identity exact
    sample = write(ds, "out.xlsx", "central", sheet_names="number")
    sheet, cell = sample.cells[("T7", "main", "total", "abroad_final")]
    sample.shown[("T7", "main", "total", "abroad_final")]   # the Decimal that cell shows
    write(ds.prior, "out-prior.xlsx", "central")             # the same department, year − 1
"""

from xlbudget.generate.data import generate
from xlbudget.generate.dataset import Dataset
from xlbudget.generate.layouts import LAYOUTS, Sample, write

__all__ = ["LAYOUTS", "Dataset", "Sample", "generate", "write"]
