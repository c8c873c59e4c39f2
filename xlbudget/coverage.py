"""What a check covered: per rule, the identities built and those skipped with their reasons.

Nothing is left unchecked in silence: an identity whose table, column or row was not found is
not checked with terms missing; it is counted here, with why, and shown by ``--coverage``, in
the JSON ``coverage`` section and as one line of the text report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from xlbudget.rules.identity import Identity

if TYPE_CHECKING:
    from xlbudget.rules.equations import Skipped


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


def coverage_lines(coverage: dict[str, dict[str, Any]], *, full: bool) -> list[str]:
    """The text report's account of what was not checked: one line, or with ``full`` (``check
    --coverage``) every rule with its count and the reasons of what it skipped."""
    skipped = skipped_total(coverage)
    if not full:
        if not skipped:
            return []
        rules = [c for c, v in coverage.items() if v.get("skipped")]
        return [f"未校验：{len(rules)} 条规则的 {skipped} 个恒等式（表格未读全或缺表，"
                "--coverage 列出原因）：" + "、".join(rules)]
    out = [f"覆盖情况：{sum(1 for v in coverage.values() if v['status'] == 'built')} 条规则已校验，"
           f"{skipped} 个恒等式未校验"]
    for code, v in coverage.items():
        state = "未校验" if v["status"] == "skipped" else f"{v.get('identities', 0)} 个恒等式"
        if v.get("skipped") and v["status"] == "built":
            state += f"，{v['skipped']} 个未校验"
        out.append(f"  {code:<6} {state}")
        out.extend(f"         原因：{r}" for r in v.get("reasons", ()))
    return out
