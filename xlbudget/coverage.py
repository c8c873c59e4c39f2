"""What a check covered: per rule, the identities built and those skipped with their reasons.

Nothing is left unchecked in silence: an identity whose table, column or row was not found is
not checked with terms missing; it is counted here, with why, and shown by ``--coverage``, in
the JSON ``coverage`` section and as one line of the text report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from xlbudget.rules.arith import Skipped
from xlbudget.rules.identity import Identity


class Coverage:
    """Collects, rule by rule, what was built and what was skipped."""

    def __init__(self) -> None:
        self.built: Counter[str] = Counter()
        self.skipped: dict[str, Counter[str]] = defaultdict(Counter)
        self.checked: list[str] = []

    def take(self, code: str, items: Iterable[Identity | Skipped]) -> list[Identity]:
        """The identities among ``items`` (the rule's output), counting both kinds."""
        self.checked.append(code)
        out = []
        for item in items:
            if isinstance(item, Identity):
                out.append(item)
                self.built[code] += 1
            else:
                self.skipped[code][item.reason] += 1
        return out

    def to_json(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for code in self.checked:
            skipped = self.skipped.get(code, Counter())
            n_skip = sum(skipped.values())
            entry: dict[str, Any] = {
                "status": "skipped" if n_skip and not self.built[code] else "built",
                "identities": self.built[code],
                "skipped": n_skip,
            }
            if skipped:
                entry["reasons"] = [reason if n == 1 else f"{reason}（{n} 处）"
                                    for reason, n in skipped.items()]
            out[code] = entry
        return out


def skipped_total(coverage: dict[str, dict[str, Any]]) -> int:
    """How many identities a result's coverage says were not checked."""
    return sum(int(v.get("skipped", 0)) for v in coverage.values())
