"""Chart data sheets 图1–图7: figures from the tables (``data``), the sheets (``sheets``) and the
staleness rule CH-a (``rule``)."""

import sys
from types import ModuleType
from typing import Any


class _CallablePackage(ModuleType):
    """``xlbudget.charts(...)`` is the library function ``xlbudget.api.charts``; once this
    package is imported Python binds the name to the package, so the package forwards calls."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from xlbudget.api import charts

        return charts(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
