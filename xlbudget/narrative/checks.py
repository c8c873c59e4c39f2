"""The narrative rules (N-…): every figure the tables determine is recomputed; the others are
checked for internal consistency (parts, rates against their amounts, repeated quantities).

The rules are registered with neither ``identities`` nor ``check``: they need the document, so
``check_narrative`` runs them. Figures are compared as intervals, like the table identities: a
shown amount stands for ± half a unit of its last decimal; a share may be off by 0.01 pp (shares
tail-adjusted to 100) and a rate by 0.02 pp (rates computed from 元-level data), reference §3.3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget import arith
from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.findings import Finding
from xlbudget.narrative import rules as _rules  # noqa: F401  (registers N-…)
from xlbudget.narrative.docx_source import WordTable
from xlbudget.narrative.extract import (
    AMOUNT_UNITS,
    Figure,
    Placeholder,
    header_unit,
    unit_above,
)
from xlbudget.narrative.facts import Fact, Facts, resolve
from xlbudget.narrative.parse import Narrative, Sentence, normalise, strip_ordinal
from xlbudget.rules.registry import REGISTRY

SHARE_SLACK = Decimal("0.01")
RATE_SLACK = Decimal("0.02")
_HUNDRED = Decimal(100)



def _severity(code: str) -> str:
    return REGISTRY[code].severity


@dataclass(slots=True)
class Checker:
    narrative: Narrative
    figures: list[Figure]
    placeholders: list[Placeholder]
    facts: Facts
    prior: Facts | None
    year: int | None
    findings: list[Finding] = field(default_factory=list)
    _keys: dict[int, str | None] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)

    # --- helpers ----------------------------------------------------------------------------

    def emit(self, code: str, s: Sentence, message: str, *, span: tuple[int, int] | None = None,
             actual: object = None, expected: object = None, certain: bool = True,
             related: list[dict[str, str]] | None = None, figure: Figure | None = None) -> None:
        if figure is not None:
            span = (figure.start, figure.end)
            self.flagged.add(figure.index)
        start, end = span if span is not None else (s.start, s.end)
        location = {"file": self.narrative.file, "part": s.section.label,
                    "heading": s.heading or None, "paragraph": s.para,
                    "quote": s.text.strip(), "start": start, "end": end}
        self.findings.append(Finding(
            code, _severity(code), f"{message}（{s.section.label}）",
            None, None, None if actual is None else str(actual),
            None if expected is None else str(expected), certain, related or [],
            {"location": location}))

    def key(self, f: Figure) -> str | None:
        if f.kind != "amount":
            return None
        if f.index not in self._keys:
            pos = f.coordinated.index(f) if f.coordinated else 0
            key = resolve(f.subject, f.sentence.section.key, self.facts, pos)
            if f.role == "budget" and key is not None and not key.endswith("_budget"):
                key = None  # a budget is judged only against a table's 预算数 (三公)
            if "国内" in f.subject and (f.whole is not None or _PART_OF.search(f.sentence.norm)):
                key = None  # "其中：国内公务接待支出A万元，外宾接待支出B万元": a part of the item
            self._keys[f.index] = key
        return self._keys[f.index]

    def in_unit(self, yuan: Decimal, f: Figure) -> Decimal:
        return arith.round_half_up(yuan / f.scale, f.decimals)

    # --- rules ------------------------------------------------------------------------------

    def run(self) -> list[Finding]:
        self.check_years()
        self.check_outdated()
        self.check_placeholders()
        for f in self.figures:
            if f.kind == "amount" and f.role in ("level", "budget"):
                self.check_amount(f)
        for f in self.figures:
            if f.role == "share":
                self.check_share(f)
            elif f.role in ("change", "growth"):
                self.check_change(f)
            elif f.role == "completion":
                self.check_completion(f)
        for f in self.figures:
            if f.bare:
                self.emit("N-no-percent", f.sentence, f"“{f.text}”是比率，缺少“%”",
                          span=(f.start, f.end), actual=f.text, expected=f"{f.text}%")
        self.check_share_sums()
        self.check_projects()
        self.check_flows()
        self.check_itemised()
        self.check_copied_purposes()
        self.check_counts()
        self.check_parts()
        self.check_duplicates()
        for t in self.narrative.source.tables:
            self.check_word_table(t)
        return self.findings

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
        expected = arith.pct(p, w)
        band = (pb / abs(w) + abs(p) * wb / (w * w)) * _HUNDRED
        if a.index in self.flagged and w and abs(f.value - arith.pct(a.yuan, w)) <= (
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
        expected = arith.growth(now, prior)
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
        on_now = arith.round_half_up(abs(change.yuan) * _HUNDRED / a.yuan, f.decimals)
        on_before = arith.round_half_up(abs(change.yuan) * _HUNDRED / before, f.decimals)
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
            right_for_stated = arith.rate(a.yuan, budget[0])
            slack = (a.half_yuan / abs(budget[0]) + abs(a.yuan) * budget[1] / budget[0] ** 2
                     ) * _HUNDRED
            if abs(f.value - right_for_stated) <= slack + RATE_SLACK + _half(f):
                return  # the amount is wrong (reported) and the rate is right for it
        self._rate(f.sentence, f, final, fband, budget[0], budget[1], label, related)

    def _rate(self, s: Sentence, f: Figure | None, final: Decimal, fband: Decimal,
              budget: Decimal, bband: Decimal, label: str, related: list[dict[str, str]],
              stated: Decimal | None = None, decimals: int = 2,
              span: tuple[int, int] | None = None) -> None:
        value = f.value if f is not None else stated
        if value is None:
            return
        if budget == 0:
            self.emit("N-zero-budget", s, f"{label}预算数为零，完成率无意义，文中却写为 {value}%",
                      figure=f, span=span, actual=value, related=related)
            return
        expected = arith.rate(final, budget)
        slack = (fband / abs(budget) + abs(final) * bband / (budget * budget)) * _HUNDRED
        half = _half(f) if f is not None else Decimal(5).scaleb(-decimals - 1)
        if abs(value - expected) > slack + RATE_SLACK + half:
            self.emit("N-completion", s, f"{label}的预算完成率应为 {expected}%，文中为 {value}%",
                      figure=f, span=span, actual=value, expected=expected, related=related)

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

    def check_counts(self) -> None:
        for f in self.figures:
            if f.kind != "count" or f.sentence.section.key != "S7":
                continue
            words = f.clause + f.subject
            before = f.sentence.norm[:f.start - f.sentence.start][-12:]
            if _PART_OF.search(words) or _PART_OF.search(before):
                continue  # 外宾接待, 国内接待, 其中…: a part, not the item's count
            item = next((key for pattern, key in _COUNT_ITEMS if re.search(pattern, words)), None)
            fact = self.facts.get(item) if item else None
            if fact is None:
                continue
            if f.value > 0 and fact.yuan == 0:
                self.emit("N-count", f.sentence,
                          f"文中为 {f.text}，但{fact.label}决算数为零", figure=f, actual=f.value,
                          related=fact.related())
            elif f.value == 0 and fact.yuan > fact.band:
                self.emit("N-count", f.sentence,
                          f"{fact.label}决算数不为零，文中却为 {f.text}", figure=f, actual=f.value,
                          related=fact.related())

    def check_parts(self) -> None:
        groups: dict[int, list[Figure]] = {}
        for f in self.figures:
            if f.whole is not None and f.role == "level":
                groups.setdefault(f.whole.index, []).append(f)
        for wi, parts in groups.items():
            whole = self.figures[wi]
            if self.key(whole) is not None or any(self.key(p) is not None for p in parts):
                continue  # checked against the tables instead
            total = sum((p.yuan for p in parts), Decimal(0))
            tol = sum((p.half_yuan for p in parts), whole.half_yuan)
            exhaustive = all(any(w in p.subject for p in parts) for w in ("货物", "工程", "服务"))
            if total > whole.yuan + tol or (exhaustive and total < whole.yuan - tol):
                unit = whole.unit
                self.emit("N-parts", whole.sentence,
                          f"{whole.subject}为 {whole.value}{unit}，所列分项合计为 "
                          f"{self.in_unit(total, whole)}{unit}",
                          figure=whole, actual=whole.value, expected=self.in_unit(total, whole),
                          certain=False)

    def check_duplicates(self) -> None:
        seen: dict[tuple[str, str, int | None], Figure] = {}
        for f in self.figures:
            if f.role != "level" or f.kind not in ("amount", "count") or self.key(f) is not None:
                continue
            sk = _subject_key(f.subject)
            if len(sk) < 4:
                continue
            k = (sk, f.unit_class, _figure_year(f))
            first = seen.get(k)
            if first is None:
                seen[k] = f
                continue
            if f.kind == "amount":
                same = abs(f.yuan - first.yuan) <= f.half_yuan + first.half_yuan
                expected = self.in_unit(first.yuan, f)
            else:
                same, expected = f.value == first.value, first.value
            if not same:
                self.emit("N-duplicate", f.sentence,
                          f"{f.subject}在第{first.para}段为 {first.text}，此处为 {f.text}，"
                          f"前后不一致", figure=f, actual=f.value, expected=expected,
                          certain=False)

    def check_years(self) -> None:
        y = self.year
        if y is None:
            return
        n = self.narrative
        if n.year is not None and n.year != y:
            s = next((s for s in n.sentences if str(n.year) in s.norm), None)
            if s is not None:
                i = s.norm.index(str(n.year))
                self.emit("N-year", s, f"说明的年度为 {n.year} 年，决算表为 {y} 年",
                          span=(s.start + i, s.start + i + 4), actual=n.year, expected=y)
        # A sentence stating a table figure must be about the report year (plans for next year
        # and history are not judged).
        tabled = {id(f.sentence) for f in self.figures if self.key(f) is not None}
        for s in n.sentences:
            if not s.section.key.startswith("S"):
                continue
            for m in _CMP.finditer(s.norm):
                cy = int(m.group(1))
                if "预算" in s.norm[m.end(1):m.end(1) + 6]:
                    continue  # "与2021年度预算相比": against this year's budget
                if cy != y - 1:
                    self.emit("N-year", s, f"应与上一年度（{y - 1}年）比较，文中为与{cy}年比较",
                              span=(s.start + m.start(1), s.start + m.end(1)),
                              actual=cy, expected=y - 1)
            for m in _YEAR_END.finditer(s.norm):
                if int(m.group(1)) != y:
                    self.emit("N-year", s, f"应为截至 {y} 年末的情况，文中为 {m.group(1)} 年",
                              span=(s.start + m.start(1), s.start + m.end(1)),
                              actual=int(m.group(1)), expected=y)
            m = _LEAD_YEAR.match(s.norm)
            if m is None or id(s) not in tabled:
                continue
            lead = int(m.group(1))
            # Last year may open a sentence only when the sentence compares with it.
            compares = bool(_CMP.search(s.norm)) or "上年" in s.norm
            if lead not in (y, y - 1) or (lead == y - 1 and not compares):
                self.emit("N-year", s, f"报告年度为 {y} 年，文中为 {m.group(1)} 年",
                          span=(s.start + m.start(1), s.start + m.end(1)),
                          actual=int(m.group(1)), expected=y)

    def check_outdated(self) -> None:
        y = self.year
        if y is None:
            return
        current = {**FUNCTION_CLASSES, **FUNCTION_ITEMS}
        for s in self.narrative.sentences:
            for code, (old, first_year) in OUTDATED.items():
                if y < first_year:
                    continue
                stem = re.escape(old.removesuffix("支出"))
                # A 款/项 name is a name only when tagged or closed ("离退休人员" is not one).
                pattern = stem if len(code) == 3 else stem + _NAME_END
                for m in re.finditer(pattern, s.norm):
                    new = current.get(code, "")
                    self.emit("N-outdated", s,
                              f"科目 {code} 在 {y} 年的名称为“{new}”，文中仍用旧名“{old}”",
                              span=(s.start + m.start(), s.start + m.end()), actual=old,
                              expected=new)

    def check_placeholders(self) -> None:
        for p in self.placeholders:
            if p.kind == "placeholder":
                self.emit("N-placeholder", p.sentence, f"留有模板占位符“{p.text}”",
                          span=(p.start, p.end), actual=p.text)
            else:
                what = "模板中的备选用词未删除" if p.kind == "alternative" else "留有模板的填写提示"
                self.emit("N-residue", p.sentence, f"{what}“{p.text}”",
                          span=(p.start, p.end), actual=p.text)

    def check_flows(self) -> None:
        """Funds, spending, balance and usage rate stated together (a project's money in a
        绩效评价报告): balance = funds − spent, usage = spent ÷ funds."""
        by_sentence: dict[int, list[Figure]] = {}
        for f in self.figures:
            by_sentence.setdefault(id(f.sentence), []).append(f)
        funds_seen: list[Figure] = []
        for figs in by_sentence.values():
            amounts = [f for f in figs if f.kind == "amount" and f.role in ("level", "budget")]
            spent = next((f for f in amounts if _SPENT.search(f.clause)), None)
            balance = next((f for f in amounts if _BALANCE.search(f.clause)), None)
            funds = next((f for f in amounts if f is not spent and f is not balance
                          and _FUNDS.search(f.clause)), None)
            rates = [f for f in figs if f.kind == "percent" and f.role == ""
                     and _USAGE.search(f.clause)]
            if funds is None and (spent or rates) and funds_seen and (
                    funds_seen[-1].sentence.section == figs[0].sentence.section
                    and figs[0].para - funds_seen[-1].para <= 6):
                funds = funds_seen[-1]  # "下达项目资金30万元。" … "共支付…，结余…"
            if funds is not None and funds.sentence is figs[0].sentence:
                funds_seen.append(funds)
            if spent is None or spent.index in self.flagged:
                continue  # a wrong amount is reported once; what follows from it is not
            # The balance identity only where the sentence is about a fund's use (a usage rate or
            # the funds in it), not any sentence naming 支出 and 结余 (T1's 本年支出, 年末结余).
            if funds is not None and balance is not None and (
                    rates or funds.sentence is spent.sentence):
                tol = funds.half_yuan + spent.half_yuan + balance.half_yuan
                if abs(funds.yuan - spent.yuan - balance.yuan) > tol:
                    expected = self.in_unit(funds.yuan - spent.yuan, balance)
                    self.emit("N-flow", balance.sentence,
                              f"资金 {funds.text} 减去支出 {spent.text} 应结余 "
                              f"{expected}{balance.unit}，文中为 {balance.text}",
                              figure=balance, actual=balance.value, expected=expected,
                              certain=False)
                    continue
            if funds is not None:
                whole, wband = funds.yuan, funds.half_yuan
            elif balance is not None:  # no funds stated: they are what was spent and what is left
                whole, wband = spent.yuan + balance.yuan, spent.half_yuan + balance.half_yuan
            else:
                continue
            if whole == 0:
                continue
            for r in rates:
                expected = arith.rate(spent.yuan, whole)
                slack = (spent.half_yuan / whole + spent.yuan * wband / whole ** 2) * _HUNDRED
                if abs(r.value - expected) > slack + RATE_SLACK + _half(r):
                    self.emit("N-flow", r.sentence,
                              f"资金使用率应为 {expected}%（支出 {spent.text} ÷ 资金 "
                              f"{self.in_unit(whole, spent)}{spent.unit}），文中为 {r.value}%",
                              figure=r, actual=r.value, expected=expected)

    def check_projects(self) -> None:
        """A project's budget and spending stated twice (综述 in 十 and its 绩效评价报告 in the
        attachments) must agree. A paragraph opening with ``X项目`` is about X; in the
        attachments a heading naming X makes the following paragraphs about X until the next
        附件."""
        seen: dict[tuple[str, str], Figure] = {}
        context: tuple[str, str] | None = None
        section = None
        named: dict[int, tuple[str, str]] = {}
        for p in self.narrative.source.paragraphs:
            if p.table is not None:
                continue
            sect = self.narrative.sections.get(p.index)
            text = normalise(p.text).strip()
            m = _PROJECT.match(strip_ordinal(text))
            if m and m.group("name").startswith(("说明", "本部门", "本单位", "部门", "单位")):
                m = None
            if sect != section or _ATTACHMENT.match(text):
                context, section = None, sect
            if m:
                context = (_project_key(m.group("name")), m.group("name"))
            if context:
                named[p.index] = context
            if sect is not None and sect.key != "P4" and not m:
                context = None  # in the report's sections a project is named per paragraph
        cells = self._target_table_cells()
        for f in self.figures:
            if f.para in cells:
                project, name, kind = cells[f.para]
            elif f.para in named and f.role in ("level", "budget"):
                project, name = named[f.para]
                kind = ("budget" if f.role == "budget" or _PROJECT_BUDGET.search(f.clause)
                        else "spent" if _PROJECT_SPENT.search(f.clause) else "")
            else:
                continue
            if not kind or f.kind != "amount":
                continue
            first = seen.setdefault((project, kind), f)
            if first is f or abs(f.yuan - first.yuan) <= f.half_yuan + first.half_yuan:
                continue
            what = "预算" if kind == "budget" else "支出（执行数）"
            expected = self.in_unit(first.yuan, f)
            self.emit("N-duplicate", f.sentence,
                      f"{name}项目的{what}在第{first.para}段为 {first.text}，此处为 {f.text}，"
                      "前后不一致", figure=f, actual=f.value, expected=expected, certain=False)

    def _target_table_cells(self) -> dict[int, tuple[str, str, str]]:
        """Paragraphs of the amount cells of 项目绩效目标完成情况表 (``项目名称 | X`` and
        ``预算数: | A | 执行数: | B``) -> (project key, name, 'budget' or 'spent'). A row
        labelled in 万元 whose cells are written in 元 is reported once per table (N-unit)."""
        doc = self.narrative.source
        out: dict[int, tuple[str, str, str]] = {}
        for t in doc.tables:
            rows = [[normalise(doc.cell_text(c)).strip() for c in row] for row in t.rows]
            name = next((row[i + 1] for row in rows for i, c in enumerate(row[:-1])
                         if re.fullmatch(r"项目名称[:：]?", c)), None)
            if not name or re.search(r"预算|执行|金额|率|单位", name):
                continue  # a header row (项目名称 | 预算数 | …), not a project's own table
            project = _project_key(name.removesuffix("项目"))
            unit_reported = False
            for r, row in enumerate(rows):
                for c, text in enumerate(row[:-1]):
                    m = re.fullmatch(r"(预算数|执行数)[:：]?", text)
                    if m is None:
                        continue
                    value = t.rows[r][c + 1]
                    kind = "budget" if m.group(1) == "预算数" else "spent"
                    for para in value:
                        out[para] = (project, name, kind)
                    label = next((x for x in row if x), "")
                    cell = row[c + 1]
                    if (not unit_reported and "万元" in label and cell.endswith("元")
                            and not cell.endswith("万元")):
                        unit_reported = True
                        s = self._cell_sentence(t, r, c + 1)
                        if s is not None:
                            self.emit("N-unit", s, f"“{label}”注明单位为万元，单元格却以元填列"
                                      f"（{cell}）", span=(s.start, s.end), actual=cell,
                                      certain=False)
        return out

    def check_itemised(self) -> None:
        """A total followed by its numbered items ("共计支出0.56万元，具体内容包括：1.…1380元。
        2.…880元。"): when every item states an amount (or a count of the same unit), they add
        up to the total."""
        sentences = self.narrative.sentences
        by_sentence: dict[int, list[Figure]] = {}
        for f in self.figures:
            by_sentence.setdefault(id(f.sentence), []).append(f)
        for i, s in enumerate(sentences):
            m = _ITEMS_FOLLOW.search(s.norm)
            if m is None:
                continue
            colon = s.start + m.end()
            here = [f for f in by_sentence.get(id(s), []) if f.role == "level"]
            totals = [f for f in here if f.start < colon]
            # "…包括：1.…1380元。2.…": the first item may share the announcing sentence
            items = [[f for f in here if f.start >= colon]] if s.norm[m.end():].strip() else []
            for t in sentences[i + 1:]:
                if t.para != s.para or not _ITEM.match(t.norm):
                    break
                items.append([f for f in by_sentence.get(id(t), []) if f.role == "level"])
            if len(items) < 2:
                continue
            for unit_class in {f.unit_class for f in totals}:
                whole = [f for f in totals if f.unit_class == unit_class][-1]
                parts = [[f for f in item if f.unit_class == unit_class] for item in items]
                if not all(len(p) == 1 for p in parts):
                    continue  # not every item states one such figure
                flat = [p[0] for p in parts]
                total = sum((f.yuan if f.kind == "amount" else f.value for f in flat), Decimal(0))
                tol = sum((f.half_yuan for f in flat), whole.half_yuan)
                stated = whole.yuan if whole.kind == "amount" else whole.value
                if abs(total - stated) > tol:
                    shown = self.in_unit(total, whole) if whole.kind == "amount" else total
                    self.emit("N-parts", whole.sentence,
                              f"{whole.text}与下列各项之和 {shown}{whole.unit} 不符",
                              figure=whole, actual=whole.value, expected=shown, certain=False)

    def check_copied_purposes(self) -> None:
        """The same 用途 written for two different items in a row (copied, not edited)."""
        last: tuple[str, str, Sentence] | None = None
        prev: Sentence | None = None
        for s in self.narrative.sentences:
            before, prev = prev, s
            m = _PURPOSE.search(s.norm)
            if m is None:
                continue
            purpose = re.sub(r"[\s。,;、]", "", m.group("what"))
            # The item is named before 用于 in the sentence, else by the sentence before it
            # ("住房保障支出20.54万元。主要用于…").
            item = _subject_key(s.norm[:m.start()]) or (
                _subject_key(before.norm) if before is not None and before.para == s.para else "")
            if last is not None and last[2].section == s.section and len(purpose) >= 8 and (
                    purpose == last[0] and item and item != last[1]):
                self.emit("N-copied", s, f"用途与上一项（第{last[2].para}段）一字不差，"
                          "疑为照抄上一项", span=(s.start + m.start("what"),
                                             s.start + m.end("what")),
                          actual=m.group("what"), certain=False)
            last = (purpose, item, s)

    # --- Word tables (项目绩效目标完成情况表 and the like) -------------------------------------

    def check_word_table(self, t: WordTable) -> None:
        doc = self.narrative.source
        texts = [[normalise(doc.cell_text(c)).replace(" ", "") for c in row] for row in t.rows]
        header = next((i for i, row in enumerate(texts)
                       if any("预算" in c for c in row) and any(
                           re.search(r"执行数|决算数|实际|执行金额|完成数", c) for c in row)), None)
        if header is None:
            return
        head = texts[header]
        b = _col(head, r"预算数|预算金额|预算")
        e = _col(head, r"执行数|决算数|实际|执行金额|完成数")
        r = _col(head, r"执行率|完成率")
        if b is None or e is None or r is None:
            return  # only tables with a rate column are target tables (项目绩效目标完成情况表)
        unit = header_unit(head) or unit_above(doc, t)
        unit_scale = AMOUNT_UNITS[unit] if unit else 1
        data = []
        for i in range(header + 1, len(texts)):
            row = texts[i]
            try:
                bv = arith.to_decimal(row[b]) if b < len(row) else None
                ev = arith.to_decimal(row[e]) if e < len(row) else None
                rv = arith.to_decimal(row[r].rstrip("%") or None) if r is not None and r < len(
                    row) else None
            except arith.ArithError:
                continue
            if bv is None or ev is None:
                continue
            data.append((i, row, bv, ev, rv))
        for i, row, bv, ev, rv in data:
            s = self._cell_sentence(t, i, r if r is not None else e)
            if s is None:
                continue
            label = row[0] or "该项目"
            half = Decimal(5).scaleb(-2 - 1) * unit_scale
            if rv is not None:
                dec = _dec_places(row[r].rstrip("%"))
                self._rate(s, None, ev * unit_scale, half, bv * unit_scale, half, label, [],
                           stated=rv, decimals=dec, span=(s.start, s.end))
        totals = [d for d in data if re.search(r"合计|总计", d[1][0] if d[1] else "")]
        items = [d for d in data if d not in totals]
        for i, _row, bv, ev, _rv in totals:
            for col, value in ((b, bv), (e, ev)):
                parts = sum((d[2] if col == b else d[3] for d in items), Decimal(0))
                if items and abs(parts - value) > Decimal("0.005") * (len(items) + 1):
                    s = self._cell_sentence(t, i, col)
                    if s is not None:
                        self.emit("N-parts", s, f"{texts[header][col]}合计为 {value}，各项目之和为 "
                                  f"{parts}", span=(s.start, s.end), actual=value,
                                  expected=parts, certain=False)

    def _cell_sentence(self, t: WordTable, row: int, col: int) -> Sentence | None:
        cells = t.rows[row]
        if col >= len(cells):
            return None
        paras = set(cells[col])
        return next((s for s in self.narrative.sentences if s.para in paras), None)


#: Counts of the 三公 items: what the clause names -> the T7 决算数 it must agree with.
_PART_OF = re.compile(r"外宾|外事|其中|主要包括")
_COUNT_ITEMS = ((r"购置.{0,4}(公务用车|车辆)|购车", "T7.vehicle_purchase_final"),
                (r"出国|出境|团组", "T7.abroad_final"), (r"接待", "T7.reception_final"))
_NAME_END = r"(?:支出)?(?=\((?:类|款|项)\)|[,;。、]|$)"
#: Clause words of a project's money (a 绩效评价报告): spent, left over, available, usage rate.
_SPENT = re.compile(r"支付|支出|使用|执行|拨付|实际完成")
_BALANCE = re.compile(r"结余|结转|剩余|余额")
_FUNDS = re.compile(r"资金|预算|下达|到位|批复|安排|总额|筹集")
_USAGE = re.compile(r"(?:使用|支付|支出|执行)率")
_PROJECT = re.compile(r"^(?:\(\d+\)|\d+[.、])?\s*(?P<name>[^,;:。“”()\s\d]{4,40}?)项目"
                      r"(?:绩效|\s*$)")
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*$")
_PROJECT_BUDGET = re.compile(r"预算数?|批复|下达|申报|安排")
_PROJECT_SPENT = re.compile(r"执行数|支付|支出|使用|实际")
#: A sentence that announces numbered items, and a numbered item.
_ITEMS_FOLLOW = re.compile(r"(?:包括|如下|明细|分别为|具体情况)[:：]\s*(?=1[.、](?!\d)|$)")
_ITEM = re.compile(r"^\s*\d+[.、](?!\d)")
_PURPOSE = re.compile(r"(?:主要)?用于(?P<what>[^。]{4,})")
_CMP = re.compile(r"(?:与|同|较|比)(\d{4})\s*年度?(?:决算数?)?(?:相比|比较|对比)?")
#: "截至Y年12月31日" / "Y年末": assets and vehicles at the end of the report year.
_YEAR_END = re.compile(r"截[至止]\s*(\d{4})\s*年(?:12月31日|末|底)")
_LEAD_YEAR = re.compile(r"^\s*(?:\d+[.、])?\s*(\d{4})\s*年")


def _half(f: Figure) -> Decimal:
    return Decimal(5).scaleb(-f.decimals - 1)


def _signed_zh(value: Decimal, unit: str) -> str:
    if unit == "%":
        return f"增长 {value}%" if value >= 0 else f"下降 {-value}%"
    return f"增加 {value}{unit}" if value >= 0 else f"减少 {-value}{unit}"


def _subject_key(subject: str) -> str:
    t = normalise(subject)
    return re.sub(r"[\s()（）“”\"、,]|支出|决算|金额|合计|总额|共计|为|的|数$", "", t)


def _same_subject(a: str, b: str) -> bool:
    """Whether a change may be about an amount stated before it: a change that names its own
    subject ("公务用车运行维护费…比去年增加1.05万元") is not about the total before it."""
    ka, kb = _subject_key(a), _subject_key(re.split(r"比|较|与|同", b, maxsplit=1)[0])
    return len(kb) < 2 or ka.startswith(kb[:4]) or kb.startswith(ka[:4]) or ka in kb or kb in ka


def _project_key(name: str) -> str:
    """A project's name without the words writers vary (和/及/与, quotes)."""
    return re.sub(r"[和及与、“”\"\s]", "", name)


def _figure_year(f: Figure) -> int | None:
    m = re.search(r"(\d{4})\s*年", f.clause) or _LEAD_YEAR.match(f.sentence.norm)
    return int(m.group(1)) if m else None


def _col(head: list[str], pattern: str) -> int | None:
    return next((i for i, c in enumerate(head) if re.search(pattern, c)), None)


def _dec_places(text: str) -> int:
    t = normalise(text).strip()
    return len(t.split(".")[1]) if "." in t else 0


def run_checks(narrative: Narrative, figures: list[Figure], placeholders: list[Placeholder],
               facts: Facts, prior: Facts | None, year: int | None) -> list[Finding]:
    """All narrative findings, in document order."""
    found = Checker(narrative, figures, placeholders, facts, prior, year).run()
    return sorted(found, key=lambda f: (f.extra["location"]["paragraph"],
                                        f.extra["location"]["start"]))

