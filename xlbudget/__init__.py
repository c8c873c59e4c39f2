"""xlbudget: check Chinese public-sector final-accounts (部门决算) workbooks."""

__version__ = "0.1.0"
