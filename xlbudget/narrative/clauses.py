"""The figures of one sentence, read by a regular grammar over its clauses.

The template's sentences are regular (reference §7): ``<subject><number><unit>`` for amounts and
counts, ``占<base>的<P>%`` for shares, ``比Y年增加<B>万元，增长<P>%`` for changes and growth,
``完成预算<P>%`` for completion. A regular grammar over clauses reads them reliably; a general
Chinese parser would add weight without adding certainty, so the reading is hand-written here.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xlbudget.narrative.figure import AMOUNT_UNITS, COUNT_UNITS, Figure
from xlbudget.narrative.parse import Sentence, normalise

NUMBER = r"(?<![\d.A-Za-z])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_UNIT = r"\s*(万元|亿元|千元|元|%|个百分点|百分点|" + "|".join(COUNT_UNITS) + r")?"
_FIGURE = re.compile(NUMBER + _UNIT)
#: The alternative of an unedited "增加（减少）": the direction is unknown (sign 0).
_EITHER = re.compile(r"(?:增加|增长|上升)\((?:减少|下降)\)(?:了)?$")
_COORD = re.compile(r"^\s*(?:和|、|与|及|以及|/)\s*$")
_CMP_YEAR = re.compile(r"(?:与|同|较|比)(?:上年度?|去年|(\d{4})\s*年度?)(?:决算数?)?"
                       r"(?:相比|比较|对比)?")
_SHARE = re.compile(r"占(?P<base>[^,;:]*?)(?:的)?(?:比重|比例|百分比)?(?:为|是)?$|占比(?:为)?$")
_COMPLETION = re.compile(r"(?:完成|达到)(?:年初|全年|调整后?的?)?预算(?:数)?(?:的)?$"
                         r"|(?:预算)?(?:完成率|执行率)(?:为|是)?$")
_UP = re.compile(r"(?:增长|上升|增加|提高|多支出?)(?:了)?$")
_DOWN = re.compile(r"(?:下降|减少|降低|少支出?)(?:了)?$")
#: "决算数大于预算数55.93万元": how far the final is over (under) the budget.
_OVERRUN = re.compile(r"决算数?(大于|超过|超出|多于|高于|小于|低于|少于)(?:年初|全年|调整后?的?)?"
                      r"预算数?$")
_BUDGET = re.compile(r"(?:年初|全年|调整后?的?)?预算(?:数|安排)?(?:为|是)?$")
_FILLER = re.compile(r"(?:决算数?|决算金额)?(?:为|是|共计|共|达到|达|约)?$")
#: Subjects that say nothing on their own ("支出决算为A万元" under a 类/款/项 heading clause).
_GENERIC = frozenset({"", "支出", "决算", "收入", "金额", "支出决算", "合计", "总额"})
_BUDGET_WORDS = re.compile(r"(?:年初|全年|调整后?的?)?预算(?:数|安排)?$")
_AFTER_FIGURE = re.compile(r"(?:\d|元|%|次|人|辆|个|家|项|台|套|户|名|点)$")
#: Words after which a number is a percentage even when its % is missing ("增长13.95。").
_RATE_WORDS = re.compile(r"(?:增长|下降|上升|降低|占(?:比|[^,;:\d]{0,30}?(?:的|比重|比例))?"
                         r"|(?:完成|执行|使用|到位)率|完成(?:年初|全年|调整后?的?)?预算(?:数)?的?)"
                         r"(?:为|是|达)?$")
#: "与2021年度预算相比": a change against this year's budget, not against last year.
_VS_YEAR = re.compile(r"(?:与|同|较|比)(?:上年|去年|\d{4}\s*年度?)(?!度?\s*的?预算)")
_VS_BUDGET = re.compile(r"(?:与|同|较|比)(?:\d{4}\s*年度?|本年度?|全年|年初)?(?:的)?预算(?:数)?"
                        r"(?:相比|比较|对比)?")


def _clause_bounds(norm: str) -> list[int]:
    """Offsets where a clause starts: after , ; : that are not thousands separators."""
    starts = [0]
    for i, ch in enumerate(norm):
        if ch in ",;:" and not (ch == "," and i > 0 and norm[i - 1].isdigit()
                                and re.match(r"\d{3}(?!\d)", norm[i + 1:i + 5])):
            starts.append(i + 1)
        elif ch == "、" and _AFTER_FIGURE.search(norm[:i]):
            # "货物支出B万元、工程支出C万元": a list of figures, not "收、支总计".
            starts.append(i + 1)
    return starts


def decimals(number: str) -> int:
    """Decimals shown in a number as written."""
    return len(number.split(".")[1]) if "." in number else 0


def clean_subject(text: str) -> str:
    """The words naming what a figure is about, without numbering, years and filler."""
    t = normalise(text).strip()
    t = re.sub(r"^\d+[.、](?!\d)", "", t)
    t = re.sub(r"^(?:其中|主要是|主要用于|主要包括|包括|分别为|分别是|即)[:：]?", "", t)
    t = re.sub(r"^\d{4}\s*年度?(?:末)?", "", t)
    t = re.sub(r"^(?:本年度|全年|当年|截至.{0,12}日)", "", t)
    t = re.sub(r"^(?:本部门|本单位|我部门|我单位|部门|单位)", "", t)
    t = _CMP_YEAR.sub("", t)
    t = re.sub(r"[\s\"“”'「」]", "", t)
    t = _FILLER.sub("", t)
    return t.strip(",;:、")


def _role(prefix: str, kind: str) -> tuple[str, int, str]:
    """(role, sign, base) from the text right before a figure in its clause."""
    p = prefix.rstrip()
    if _EITHER.search(p):
        return ("change" if kind != "percent" else "growth"), 0, ""
    if kind in ("percent", "pp"):
        m = _SHARE.search(p)
        if m:
            return "share", 1, clean_subject(m.group("base") or "")
        if _COMPLETION.search(p):
            return "completion", 1, ""
    m = _OVERRUN.search(p)
    if kind == "amount" and m:
        return "overrun", 1 if m.group(1) in ("大于", "超过", "多于", "高于", "超出") else -1, ""
    if _UP.search(p):
        return ("change" if kind != "percent" else "growth"), 1, ""
    if _DOWN.search(p):
        return ("change" if kind != "percent" else "growth"), -1, ""
    if kind == "amount" and _BUDGET.search(p) and not re.search(r"决算|执行|支出$", p[-4:]):
        return "budget", 1, ""
    if kind in ("percent", "pp"):
        return "", 1, ""
    return "level", 1, ""


def sentence_figures(s: Sentence, context: str = "") -> list[Figure]:
    """The figures of sentence ``s`` with roles and subjects; ``context`` is the heading line
    above its paragraph, the subject of last resort."""
    norm = s.norm
    bounds = _clause_bounds(norm)
    cmp_m = _CMP_YEAR.search(norm)
    cmp_year = None
    # Each figure is compared with what the nearest comparison before it names: the budget
    # ("比预算增加0万元") or last year ("比去年增加1.55万元").
    against = sorted([(m.start(), True) for m in _VS_BUDGET.finditer(norm)]
                     + [(m.start(), False) for m in _VS_YEAR.finditer(norm)])
    last_year = cmp_m is not None and (
        cmp_m.group(1) is not None or "上年" in cmp_m.group(0) or "去年" in cmp_m.group(0))
    if cmp_m and last_year and not any(pos == cmp_m.start() and budget for pos, budget in against):
        cmp_year = int(cmp_m.group(1)) if cmp_m.group(1) else -1
    raw: list[tuple[re.Match[str], str | None]] = []
    bare: set[int] = set()
    for m in _FIGURE.finditer(norm):
        after = norm[m.end():m.end() + 1]
        unit = m.group(2)
        if unit is None and after in ("年", "月", "日", "号", ".", "、") and (
                not _is_coordinated_number(norm, m)):
            continue
        clause = norm[max(b for b in bounds if b <= m.start()):m.start()].rstrip()
        if unit is None and (after in ("", "。", ",", ";", ")") or after.isspace()) and (
                _RATE_WORDS.search(clause)):
            unit = "%"  # "增长13.95。": a rate whose % sign is missing
            bare.add(m.start())
        raw.append((m, unit))
    # A unitless number coordinated with the next one takes its unit ("增加B和C万元").
    units: list[str | None] = [u for _, u in raw]
    for i in range(len(raw) - 2, -1, -1):
        if units[i] is None and units[i + 1] is not None and _COORD.match(
                norm[raw[i][0].end():raw[i + 1][0].start()]):
            units[i] = units[i + 1]
    out: list[Figure] = []
    for (m, _), unit in zip(raw, units, strict=True):
        if unit is None:
            continue
        number = m.group(1)
        value = Decimal(number.replace(",", ""))
        kind = ("amount" if unit in AMOUNT_UNITS else "percent" if unit == "%"
                else "pp" if "百分点" in unit else "count")
        start = max(b for b in bounds if b <= m.start())
        prefix = norm[start:m.start()]
        role, sign, base = _role(prefix, kind)
        f = Figure(kind, value, unit, decimals(number), s.start + m.start(), s.start + m.end(),
                   s.text[m.start():m.end()], s, role, sign, base=base, cmp_year=cmp_year,
                   clause=prefix, bare=m.start() in bare,
                   vs_budget=next((b for pos, b in reversed(against) if pos < m.start()), False))
        prev = out[-1] if out else None
        if prev is not None and _COORD.match(norm[prev.end - s.start:m.start()]):
            # "增长P%和Q%", "各增加B和C万元": same role, sign and base as the first of the list.
            head = prev.coordinated[0] if prev.coordinated else prev
            f.role, f.sign, f.base = head.role, head.sign, head.base
            f.subject = head.subject
            if not head.coordinated:
                head.coordinated.append(head)
            head.coordinated.append(f)
            f.coordinated = head.coordinated
        else:
            f.subject = _subject_of(norm, prefix, start, bounds, out, s, context)
        out.append(f)
    return out


def _is_coordinated_number(norm: str, m: re.Match[str]) -> bool:
    nxt = _FIGURE.match(norm, m.end() + 1)
    return norm[m.end():m.end() + 1] == "、" and nxt is not None and nxt.group(2) is not None


def _subject_of(norm: str, prefix: str, start: int, bounds: list[int], before: list[Figure],
                s: Sentence, context: str = "") -> str:
    """The subject of a figure: its clause's words; else the subject of a budget stated just
    before ("“三公”经费预算为A万元，支出决算为B万元"); else a bare heading clause such as
    ``行政运行（项）：``; else the heading line above (``context``)."""
    own = _strip_roles(prefix)
    subject = clean_subject(own)
    if subject not in _GENERIC:
        return subject
    i = bounds.index(start)
    # Back over clauses that hold only figures ("年初预算为X万元，") to a bare heading clause.
    for j in range(i - 1, -1, -1):
        lo, hi = bounds[j], bounds[j + 1] - 1
        inside = [f for f in before if s.start + lo <= f.start < s.start + hi]
        if inside:
            last = inside[-1]
            if last.kind == "count" and before[-1] is last:
                return last.subject  # "接待10批次，100人次"
            if last.role == "budget":
                named = _BUDGET_WORDS.sub("", last.subject)
                if named not in _GENERIC and named not in ("年初", "全年"):
                    return named
            continue
        return clean_subject(_strip_roles(norm[lo:hi])) or subject
    return clean_subject(context) if context else subject


def _strip_roles(prefix: str) -> str:
    """The clause text before the comparison or the role words (增加, 占…的, 完成预算)."""
    t = prefix
    m = _CMP_YEAR.search(t)
    if m:
        t = t[:m.start()]
    for pat in (_EITHER, _SHARE, _COMPLETION, _UP, _DOWN):
        t = pat.sub("", t)
    return t
