"""xlbudget: check Chinese public-sector final-accounts (部门决算) workbooks.

The library is :mod:`xlbudget.api`, exported here: ``xlbudget.check``, ``read``, ``mark``,
``fix``, ``charts``, ``clean`` and their result types. They load on first use, so that
``import xlbudget`` and ``xlbudget --help`` stay fast (pandas, scipy and openpyxl load only
when a function needs them). See ``docs/api.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Report", "TableView", "Workbook", "Written", "XlbudgetError", "__version__",
           "charts", "check", "check_file", "clean", "fix", "mark", "read"]

if TYPE_CHECKING:
    from xlbudget.api import (
        Report,
        TableView,
        Workbook,
        Written,
        XlbudgetError,
        charts,
        check,
        check_file,
        clean,
        fix,
        mark,
        read,
    )


def __getattr__(name: str) -> Any:
    # PEP 562: the API module is imported on first access, not with the package.
    if name in __all__:
        from xlbudget import api

        return getattr(api, name)
    raise AttributeError(f"module 'xlbudget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
