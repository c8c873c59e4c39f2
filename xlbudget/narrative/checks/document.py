"""The text against itself and the report year: years, outdated names, template residue,
三公 counts, parts and numbered items against their total, repeated figures, copied 用途."""

from __future__ import annotations

import re
from decimal import Decimal

from xlbudget.codes import FUNCTION_CLASSES, FUNCTION_ITEMS, OUTDATED
from xlbudget.narrative.checks.base import (
    _PART_OF,
    CheckerBase,
    _subject_key,
)
from xlbudget.narrative.figure import Figure
from xlbudget.narrative.parse import Sentence


class DocumentChecks(CheckerBase):
    __slots__ = ()

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


#: Counts of the 三公 items: what the clause names -> the T7 决算数 it must agree with.
_COUNT_ITEMS = ((r"购置.{0,4}(公务用车|车辆)|购车", "T7.vehicle_purchase_final"),
                (r"出国|出境|团组", "T7.abroad_final"), (r"接待", "T7.reception_final"))
_NAME_END = r"(?:支出)?(?=\((?:类|款|项)\)|[,;。、]|$)"
#: A sentence that announces numbered items, and a numbered item.
_ITEMS_FOLLOW = re.compile(r"(?:包括|如下|明细|分别为|具体情况)[:：]\s*(?=1[.、](?!\d)|$)")
_ITEM = re.compile(r"^\s*\d+[.、](?!\d)")
_PURPOSE = re.compile(r"(?:主要)?用于(?P<what>[^。]{4,})")
_CMP = re.compile(r"(?:与|同|较|比)(\d{4})\s*年度?(?:决算数?)?(?:相比|比较|对比)?")
#: "截至Y年12月31日" / "Y年末": assets and vehicles at the end of the report year.
_YEAR_END = re.compile(r"截[至止]\s*(\d{4})\s*年(?:12月31日|末|底)")
_LEAD_YEAR = re.compile(r"^\s*(?:\d+[.、])?\s*(\d{4})\s*年")


def _figure_year(f: Figure) -> int | None:
    m = re.search(r"(\d{4})\s*年", f.clause) or _LEAD_YEAR.match(f.sentence.norm)
    return int(m.group(1)) if m else None
