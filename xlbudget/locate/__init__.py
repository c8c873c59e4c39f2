"""Error localisation: the cells to change and the values they must take (Fellegi–Holt).

Shaped like Statistics Netherlands' errorlocate: the verb and its ring-by-ring strategy in
:mod:`~xlbudget.locate.locate`, the groups of failing identities in
:mod:`~xlbudget.locate.groups`, the search on one system in :mod:`~xlbudget.locate.search`, the
findings in :mod:`~xlbudget.locate.publish`, the translation of identities into a mixed-integer
program in :mod:`~xlbudget.locate.mip`, the solver behind a small interface in
:mod:`~xlbudget.locate.solver` and the weights in :mod:`~xlbudget.locate.weights`.
"""

from xlbudget.locate.locate import locate

__all__ = ["locate"]
