"""Failing identities grouped for the search: the groups, their rings, and the graph helpers
(identities touching cells, connected components) that form them."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlbudget.model import CellRef
from xlbudget.rules.identity import Identity


@dataclass(slots=True, eq=False)
class Group:
    """Failing identities searched together, and the ring searched so far."""

    failing: list[Identity]
    ring: set[CellRef] = field(default_factory=set)
    open: bool = True
    #: the ring stopped growing: the last search was over every cell that could matter
    final: bool = False
    #: the last search hit the work limit
    limited: bool = False
    #: closed without a repair: more than MAX_EXCESS cells beyond the bound, or a work limit
    unexplained: bool = False
    #: the group this one was split from (None: a group of the start)
    parent: Group | None = None

    def __post_init__(self) -> None:
        self.ring = {t.amount.ref for i in self.failing for t in i.terms}

    @property
    def root(self) -> Group:
        return self if self.parent is None else self.parent.root


def unsettled(groups: list[Group], but: Group) -> list[Group]:
    """The groups other than ``but`` that are open or were given up as unexplained."""
    return [o for o in groups if (o.open or o.unexplained) and o is not but]


def touching(identities: list[Identity], cells: set[CellRef]) -> list[Identity]:
    """The identities that hold at least one of ``cells``."""
    return [i for i in identities if any(t.amount.ref in cells for t in i.terms)]


def components(identities: list[Identity]) -> list[list[Identity]]:
    """Connected groups of identities (sharing cells), in input order."""
    parent: dict[CellRef, CellRef] = {}

    def find(r: CellRef) -> CellRef:
        while parent.setdefault(r, r) != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for ident in identities:
        root = find(ident.terms[0].amount.ref)
        for t in ident.terms[1:]:
            other = find(t.amount.ref)
            if other != root:
                parent[other] = root
    groups: dict[CellRef, list[Identity]] = {}
    for ident in identities:
        groups.setdefault(find(ident.terms[0].amount.ref), []).append(ident)
    return list(groups.values())
