"""Figures the tables determine, and the rates stated with them: amounts, shares,
changes and growth rates against last year or the budget, completion rates."""

from __future__ import annotations

import re
from decimal import Decimal

from xlbudget import calc
from xlbudget.narrative.checks.base import (
    _HUNDRED,
    RATE_SLACK,
    SHARE_SLACK,
    CheckerBase,
    _half,
    _subject_key,
)
from xlbudget.narrative.facts import Fact, resolve
from xlbudget.narrative.figure import AMOUNT_UNITS, Figure


class FigureChecks(CheckerBase):
    __slots__ = ()

    def check_amount(self, f: Figure) -> None:
        key = self.key(f)
        if key is None:
            return
        fact = self.facts[key]
        tol = fact.band + f.half_yuan
        if abs(f.yuan - fact.yuan) <= tol:
            return
        expected = self.in_unit(fact.yuan, f)
        # A unit confusion needs a real quantity: next to a zero every small number would be
        # "close in 元" (公务接待费 1.53 where the table says 0.00 is a wrong amount).
        for other, scale in AMOUNT_UNITS.items() if abs(fact.yuan) > 10 * fact.band else ():
            if other != f.unit and other in ("元", "万元") and abs(
                    f.value * scale - fact.yuan) <= fact.band + Decimal(5).scaleb(
                    -f.decimals - 1) * scale:
                self.emit("N-unit", f.sentence,
                          f"{fact.label}为 {expected}{f.unit}，文中“{f.text}”的数值是以{other}计的",
                          figure=f, actual=f.value, expected=expected, related=fact.related())
                return
        hint = ""
        both = {"in.grand_total": "ex.grand_total", "T4.grand_total": "T4.grand_total"}
        if key in both and both[key] in self.facts and abs(
                f.yuan - fact.yuan - self.facts[both[key]].yuan) <= 2 * tol:
            hint = "（疑为收入总计与支出总计相加）"
        self.emit("N-amount", f.sentence,
                  f"{fact.label}应为 {expected}{f.unit}，文中为 {f.value}{f.unit}{hint}",
                  figure=f, actual=f.value, expected=expected, related=fact.related())

    def _value(self, f: Figure | None) -> tuple[Decimal, Decimal, str, list[dict[str, str]]] | None:
        """(元, band, label, related) of an amount figure: its table fact, else its stated value."""
        if f is None or f.kind != "amount":
            return None
        key = self.key(f)
        if key is not None:
            fact = self.facts[key]
            return fact.yuan, fact.band, fact.label, fact.related()
        return f.yuan, f.half_yuan, f.subject, []

    def _base_fact(self, f: Figure) -> Fact | None:
        section = f.sentence.section.key
        if f.base:
            key = resolve(f.base, section, self.facts)
            return self.facts.get(key) if key else None
        akey = self.key(f.anchor) if f.anchor is not None else None
        if akey is None:
            return None
        base = self.facts[akey].share_base
        return self.facts.get(base) if base else None

    def check_share(self, f: Figure) -> None:
        a = f.anchor
        if a is None or a.kind != "amount":
            return
        akey = self.key(a)
        base = self._base_fact(f)
        if akey is not None and base is not None:
            part = self.facts[akey]
            p, pb, w, wb, label = part.yuan, part.band, base.yuan, base.band, part.label
            related = part.related() + base.related()
        elif akey is None and f.base:
            stated = self._stated_base(f)
            if stated is None:
                return
            p, pb, w, wb, label, related = a.yuan, a.half_yuan, stated.yuan, stated.half_yuan, \
                a.subject, []
        else:
            return
        if w == 0:
            return
        expected = calc.pct(p, w)
        band = (pb / abs(w) + abs(p) * wb / (w * w)) * _HUNDRED
        if a.index in self.flagged and w and abs(f.value - calc.pct(a.yuan, w)) <= (
                a.half_yuan / abs(w)) * _HUNDRED + band + SHARE_SLACK + _half(f):
            return  # the amount is wrong (reported) and the share is right for it
        if abs(f.value - expected) > band + SHARE_SLACK + _half(f):
            base_label = base.label if base is not None else f.base
            self.emit("N-share", f.sentence,
                      f"{label}占{base_label}的比重应为 {expected}%，文中为 {f.value}%",
                      figure=f, actual=f.value, expected=expected, related=related)

    def _stated_base(self, f: Figure) -> Figure | None:
        """The stated amount a share's named base refers to (the latest with that subject)."""
        want = _subject_key(f.base)
        for g in reversed(self.figures[:f.index]):
            if g.kind == "amount" and g.role == "level" and _subject_key(g.subject) == want:
                return g
        return None

    def _paired_change(self, g: Figure) -> Figure | None:
        changes = [c for c in self.figures[:g.index]
                   if c.role == "change" and c.sentence is g.sentence and c.kind == "amount"]
        if not changes:
            return None
        if g.coordinated and changes[-1].coordinated:
            pos = g.coordinated.index(g)
            lst = changes[-1].coordinated
            return lst[pos] if pos < len(lst) else None
        return changes[-1]

    def _current(self, f: Figure, subject_fig: Figure | None
                 ) -> tuple[str | None, Decimal, Decimal] | None:
        """(fact key, this year's 元, band) of what a change or growth figure is about."""
        for cand in (f, subject_fig):
            if cand is not None:
                key = self.key(cand)
                if key is not None:
                    return key, self.facts[key].yuan, self.facts[key].band
        if f.anchor is not None and f.anchor.kind == "amount" and (
                subject_fig is None or _same_subject(f.anchor.subject, subject_fig.subject)):
            key = self.key(f.anchor)
            if key is not None:
                return key, self.facts[key].yuan, self.facts[key].band
            return None, f.anchor.yuan, f.anchor.half_yuan
        return None

    def check_change(self, f: Figure) -> None:
        if f.kind not in ("amount", "percent"):
            return
        change = f if f.role == "change" else self._paired_change(f)
        cur = self._current(f, change)
        if cur is None:
            return
        key, now, band = cur
        # "与本年预算相比": the base is this year's budget (a table's 预算数), not last year.
        what = "预算" if f.vs_budget else "上年"
        base: tuple[Decimal, Decimal] | None = None
        if f.vs_budget:
            budget_key = self.facts[key].budget if key is not None else None
            if budget_key in self.facts:
                base = self.facts[budget_key].yuan, self.facts[budget_key].band
        elif self.prior is not None and key is not None and key in self.prior:
            base = self.prior[key].yuan, self.prior[key].band
        verdict = self._judge_change(f, change, now, band, base, what)
        stated = f.anchor
        if verdict is not None and stated is not None and stated.index in self.flagged and (
                stated.kind == "amount") and self._judge_change(
                f, change, stated.yuan, stated.half_yuan, base, what) is None:
            return  # this year's amount is wrong (reported); the change is right for it
        if verdict is not None:
            rule, message, actual, expected = verdict
            self.emit(rule, f.sentence, message, figure=f, actual=actual, expected=expected)

    def _judge_change(self, f: Figure, change: Figure | None, now: Decimal, band: Decimal,
                      base: tuple[Decimal, Decimal] | None, what: str
                      ) -> tuple[str, str, Decimal, Decimal | None] | None:
        """(rule, message, actual, expected) when a stated change or rate is wrong for this
        year's ``now`` against ``base`` (the table's; None: derived from the stated change)."""
        if f.role == "change":
            if base is None or f.kind != "amount":
                return None  # without the base's table, the stated change defines the base
            prior, pband = base
            expected = self.in_unit(now - prior, f)
            stated = f.signed * f.scale if f.sign else f.yuan * (1 if now >= prior else -1)
            if abs(stated - (now - prior)) <= band + pband + f.half_yuan:
                return None
            return ("N-growth", f"与{what}相比的增减额应为 {_signed_zh(expected, f.unit)}，"
                    f"文中为 {_signed_zh(f.signed, f.unit)}", f.signed, expected)
        if base is None:
            if change is None or change.sign == 0:
                return None  # "增加（减少）B": the base cannot be derived from the text
            prior = now - change.signed * change.scale
            pband = band + change.half_yuan
            # rate = change ÷ (now − change): the change's own rounding, and the base's
            slack_of = change.half_yuan, change.yuan
        else:
            prior, pband = base
            slack_of = band + pband, abs(now)
        if prior == 0 or abs(prior) <= pband:
            if f.value == 0 and abs(now) <= band:
                return None  # nothing last year, nothing this year: "增长0%" says no change
            return ("N-zero-base", f"{what}数为零，增长率无意义，文中却写为 {f.value}%",
                    f.signed if f.sign else f.value, None)
        expected = calc.growth(now, prior)
        stated = f.signed if f.sign else f.value * (1 if expected >= 0 else -1)
        slack = (slack_of[0] / abs(prior) + slack_of[1] * pband / (prior * prior)) * _HUNDRED
        hint = ""
        if abs(stated - expected) <= slack + RATE_SLACK + _half(f):
            if not self._on_this_year(f, change, expected):
                return None
            hint = "（疑为以本年数为基数计算）"
        return ("N-growth", f"与{what}相比的增减率应为 {_signed_zh(expected, '%')}，"
                f"文中为 {_signed_zh(stated, '%')}{hint}", stated, expected)

    @staticmethod
    def _on_this_year(f: Figure, change: Figure | None, expected: Decimal) -> bool:
        """A rate within rounding of the right one that is exactly the stated change over this
        year's stated amount, and not over last year's: the common wrong base. Small amounts
        leave room for both within rounding; the exact match tells which one was computed."""
        a = f.anchor
        if change is None or a is None or a.kind != "amount" or not a.value or change.sign == 0:
            return False
        before = a.yuan - change.signed * change.scale
        if before <= 0:
            return False
        on_now = calc.round_half_up(abs(change.yuan) * _HUNDRED / a.yuan, f.decimals)
        on_before = calc.round_half_up(abs(change.yuan) * _HUNDRED / before, f.decimals)
        return f.value == on_now and abs(on_now - on_before) > _half(f) + RATE_SLACK and (
            abs(abs(expected) - on_before) <= abs(abs(expected) - on_now))

    def check_completion(self, f: Figure) -> None:
        a = f.anchor
        if a is None:
            return
        cur = self._value(a)
        if cur is None:
            return
        final, fband, label, related = cur
        akey = self.key(a)
        budget: tuple[Decimal, Decimal] | None = None
        if akey is not None and self.facts[akey].budget in self.facts:
            b = self.facts[self.facts[akey].budget]
            budget = (b.yuan, b.band)
            related = related + b.related()
        elif f.budget is not None:
            budget = (f.budget.yuan, f.budget.half_yuan)
        else:
            # "完成年初预算100%，决算数大于预算数55.93万元": budget = final − overrun
            over = next((g for g in self.figures if g.sentence is f.sentence
                         and g.role == "overrun" and g.kind == "amount"), None)
            if over is not None and a.kind == "amount":
                budget = (a.yuan - over.signed * over.scale, a.half_yuan + over.half_yuan)
        if budget is None:
            return
        if a.index in self.flagged and budget[0]:
            right_for_stated = calc.rate(a.yuan, budget[0])
            slack = (a.half_yuan / abs(budget[0]) + abs(a.yuan) * budget[1] / budget[0] ** 2
                     ) * _HUNDRED
            if abs(f.value - right_for_stated) <= slack + RATE_SLACK + _half(f):
                return  # the amount is wrong (reported) and the rate is right for it
        self._rate(f.sentence, f, final, fband, budget[0], budget[1], label, related)

    def check_share_sums(self) -> None:
        """Shares of one whole listed together: checked as a sum when they are not checkable
        one by one against the tables."""
        groups: dict[tuple[int, str], list[Figure]] = {}
        for f in self.figures:
            if f.role == "share" and f.anchor is not None:
                base = f.base or (self._base_fact(f).key if self._base_fact(f) else "")
                groups.setdefault((id(f.sentence), base), []).append(f)
        for (_sid, base), shares in groups.items():
            if len(shares) < 2 or any(s.index in self.flagged for s in shares):
                continue
            if all(self.key(s.anchor) is not None for s in shares if s.anchor is not None):
                continue  # each was checked against the tables
            whole = self._stated_base(shares[0]) if base else shares[0].anchor.whole
            if whole is None:
                continue
            parts = sum((s.anchor.yuan for s in shares if s.anchor is not None), Decimal(0))
            tol = sum((s.anchor.half_yuan for s in shares if s.anchor is not None),
                      whole.half_yuan)
            if abs(parts - whole.yuan) > tol:
                continue  # the list does not cover the whole
            total = sum((s.value for s in shares), Decimal(0))
            if abs(total - _HUNDRED) > SHARE_SLACK + len(shares) * _half(shares[0]):
                last = shares[-1]
                self.emit("N-share-sum", last.sentence,
                          f"所列各部分占{base or '整体'}的比重之和为 {total}%，应为 100%",
                          figure=last, actual=total, expected="100.00", certain=False)


def _signed_zh(value: Decimal, unit: str) -> str:
    if unit == "%":
        return f"增长 {value}%" if value >= 0 else f"下降 {-value}%"
    return f"增加 {value}{unit}" if value >= 0 else f"减少 {-value}{unit}"


def _same_subject(a: str, b: str) -> bool:
    """Whether a change may be about an amount stated before it: a change that names its own
    subject ("公务用车运行维护费…比去年增加1.05万元") is not about the total before it."""
    ka, kb = _subject_key(a), _subject_key(re.split(r"比|较|与|同", b, maxsplit=1)[0])
    return len(kb) < 2 or ka.startswith(kb[:4]) or kb.startswith(ka[:4]) or ka in kb or kb in ka
