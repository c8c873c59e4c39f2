"""Figures stated in the narrative, each with its unit, role and subject.

The template's sentences are regular (reference §7): ``<subject><number><unit>`` for amounts and
counts, ``占<base>的<P>%`` for shares, ``比Y年增加<B>万元，增长<P>%`` for changes and growth,
``完成预算<P>%`` for completion. A regular grammar over clauses reads them reliably; a general
Chinese parser would add weight without adding certainty, so the reading is hand-written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xlbudget.narrative.docx_source import DocxText, WordTable
from xlbudget.narrative.parse import Narrative, Sentence, normalise
from xlbudget.narrative.residue import COMPILED as _RESIDUE

AMOUNT_UNITS = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
COUNT_UNITS = ("批次", "人次", "团组", "个", "辆", "次", "人", "家", "项", "台", "套", "户", "名")

_NUMBER = r"(?<![\d.A-Za-z])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_UNIT = r"\s*(万元|亿元|千元|元|%|个百分点|百分点|" + "|".join(COUNT_UNITS) + r")?"
_FIGURE = re.compile(_NUMBER + _UNIT)
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
_TAGGED = re.compile(r"\((?:类|款|项)\)")
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


@dataclass(slots=True)
class Figure:
    """One stated figure.

    ``kind`` is 'amount', 'percent', 'pp' (percentage points) or 'count'. ``role`` says what a
    figure is: 'level' (an amount or count of something), 'change' (an amount of increase or
    decrease, signed by ``sign``), 'share', 'growth', 'completion', 'budget', 'overrun' (final
    minus budget, "决算数大于预算数B万元") or '' (unknown).
    ``sign`` is 0 when the text leaves the direction open ("增加（减少）").
    ``start``/``end`` are offsets into the paragraph text. ``bare`` marks a percentage written
    without its % sign; ``vs_budget`` a change or rate stated against the year's budget.
    """

    kind: str
    value: Decimal
    unit: str
    decimals: int
    start: int
    end: int
    text: str
    sentence: Sentence
    role: str = "level"
    sign: int = 1
    subject: str = ""
    base: str = ""
    cmp_year: int | None = None
    anchor: Figure | None = None
    budget: Figure | None = None
    whole: Figure | None = None
    index: int = 0
    clause: str = ""
    coordinated: list[Figure] = field(default_factory=list)
    bare: bool = False
    vs_budget: bool = False

    @property
    def para(self) -> int:
        return self.sentence.para

    @property
    def scale(self) -> int:
        return AMOUNT_UNITS.get(self.unit, 1)

    @property
    def yuan(self) -> Decimal:
        """An amount in 元."""
        return self.value * self.scale

    @property
    def half_yuan(self) -> Decimal:
        """Half a unit in the last shown decimal, in 元; zero for counts, which are exact."""
        if self.kind == "count":
            return Decimal(0)
        return Decimal(5).scaleb(-self.decimals - 1) * self.scale

    @property
    def unit_class(self) -> str:
        """Figures that can be added up share a unit class (all amounts; counts per unit)."""
        return "amount" if self.kind == "amount" else f"{self.kind}:{self.unit}"

    @property
    def signed(self) -> Decimal:
        return self.value * self.sign

    def __repr__(self) -> str:  # short form for test failures
        return f"Figure({self.role} {self.subject!r} {self.text!r} p{self.para})"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Template residue: ``kind`` is 'placeholder', 'alternative' or 'instruction'."""

    text: str
    start: int
    end: int
    sentence: Sentence
    kind: str = "placeholder"


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


def _decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


def _clean_subject(text: str) -> str:
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
            return "share", 1, _clean_subject(m.group("base") or "")
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


def extract(narrative: Narrative) -> tuple[list[Figure], list[Placeholder]]:
    """Every figure and placeholder in reading order, with roles, subjects and anchors."""
    figures: list[Figure] = []
    placeholders: list[Placeholder] = []
    prev_sentence_figs: list[Figure] = []
    last_para = -1
    cells = _cell_subjects(narrative)
    for s in narrative.sentences:
        taken: list[tuple[int, int]] = []
        for kind, pattern in _RESIDUE:
            for m in pattern.finditer(s.norm):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue  # one finding for one stretch of text
                taken.append((m.start(), m.end()))
                placeholders.append(Placeholder(m.group(0), s.start + m.start(),
                                                s.start + m.end(), s, kind))
        if s.para != last_para:
            prev_sentence_figs, last_para = [], s.para
            # A 类/款/项 heading line above the paragraph names what it is about.
            context = s.subsection if _TAGGED.search(normalise(s.subsection)) else ""
        figs = _sentence_figures(s, context)
        if not figs and len(s.norm) <= 80:
            context = s.norm  # "1.一般公共服务（类）…（项）。" then "年初预算为…"
        if not figs and s.para in cells:
            figs = _cell_figure(s, *cells[s.para])
        _link(figs, prev_sentence_figs)
        for f in figs:
            f.index = len(figures)
            figures.append(f)
        if figs:
            prev_sentence_figs = figs
    return figures, placeholders


_CELL_NUMBER = re.compile(r"^\s*" + _NUMBER + r"\s*$")
_UNIT_IN_HEADER = re.compile(r"(万元|亿元|千元|元)")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(万元|亿元|千元|元)")


def unit_above(doc: DocxText, t: WordTable) -> str | None:
    """The unit a ``单位：万元`` line within three paragraphs above a Word table gives."""
    first = t.rows[0][0][0] if t.rows and t.rows[0] and t.rows[0][0] else 1
    for p in reversed(doc.paragraphs[max(0, first - 4):first - 1]):
        m = _UNIT_LINE.search(normalise(p.text))
        if m:
            return m.group(1)
    return None


def header_unit(head: list[str]) -> str | None:
    """A unit named in a table header (``预算数（万元）``, ``单位：元``)."""
    for cell in head:
        m = _UNIT_IN_HEADER.search(cell)
        if m:
            return m.group(1)
    return None


def _cell_subjects(narrative: Narrative) -> dict[int, tuple[str, str]]:
    """Amount cells of Word tables whose unit is in the column header or the 单位 line above:
    paragraph -> (subject = row label + column header, unit)."""
    doc = narrative.source
    out: dict[int, tuple[str, str]] = {}
    for t in doc.tables:
        if len(t.rows) < 2:
            continue
        head = [normalise(doc.cell_text(c)).replace(" ", "") for c in t.rows[0]]
        above = unit_above(doc, t)
        for row in t.rows[1:]:
            label = normalise(doc.cell_text(row[0])).strip() if row else ""
            for c, cell in enumerate(row[1:], start=1):
                if c >= len(head) or re.search(r"率|%|比重|占比|数量|人数|次数", head[c]):
                    continue
                m = _UNIT_IN_HEADER.search(head[c])
                unit = m.group(1) if m else above
                if unit is None or not cell:
                    continue
                column = _UNIT_IN_HEADER.sub("", head[c]).strip("()（）")
                out[cell[0]] = (label + column, unit)
    return out


def _cell_figure(s: Sentence, subject: str, unit: str) -> list[Figure]:
    m = _CELL_NUMBER.match(s.norm)
    if m is None:
        return []
    number = m.group(1)
    return [Figure("amount", Decimal(number.replace(",", "")), unit, _decimals(number),
                   s.start + m.start(1), s.start + m.end(1), s.text[m.start(1):m.end(1)], s,
                   subject=_clean_subject(subject), clause=subject)]


def _sentence_figures(s: Sentence, context: str = "") -> list[Figure]:
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
        f = Figure(kind, value, unit, _decimals(number), s.start + m.start(), s.start + m.end(),
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
    subject = _clean_subject(own)
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
        return _clean_subject(_strip_roles(norm[lo:hi])) or subject
    return _clean_subject(context) if context else subject


def _strip_roles(prefix: str) -> str:
    """The clause text before the comparison or the role words (增加, 占…的, 完成预算)."""
    t = prefix
    m = _CMP_YEAR.search(t)
    if m:
        t = t[:m.start()]
    for pat in (_EITHER, _SHARE, _COMPLETION, _UP, _DOWN):
        t = pat.sub("", t)
    return t


def _link(figs: list[Figure], previous: list[Figure]) -> None:
    """Anchor shares, rates and changes to the amount they are about; budgets to completions;
    "其中" parts to their whole."""
    levels: list[Figure] = [f for f in previous if f.role == "level"]
    budget: Figure | None = None
    whole: Figure | None = None
    #: a "主要包括" list inside a part: its items are parts of that part, not of the whole
    inner: Figure | None = None
    sentence_levels: list[Figure] = []
    for f in figs:
        if f.role == "level":
            gap = f.sentence.norm[sentence_levels[-1].end - f.sentence.start:
                                  f.start - f.sentence.start] if sentence_levels else ""
            # Each "其中" opens a list of parts of the level figure right before it; a
            # "(主要)包括" opens a list inside it, closed by the next clause (；).
            if "其中" in gap:
                whole, inner = sentence_levels[-1], None
            elif "包括" in gap and whole is not None:
                inner = sentence_levels[-1]
            elif ";" in gap:
                inner = None
            parent = inner or whole
            if parent is not None and f.unit_class == parent.unit_class:
                f.whole = parent
            levels.append(f)
            sentence_levels.append(f)
        elif f.role == "budget":
            budget = f
        else:
            same = [lv for lv in levels if lv.kind in ("amount", "count")]
            if f.coordinated and f.coordinated[0] is not f:
                head = f.coordinated[0]
                f.anchor = head.anchor
            else:
                f.anchor = same[-1] if same else None
            if f.role == "completion":
                f.budget = budget
