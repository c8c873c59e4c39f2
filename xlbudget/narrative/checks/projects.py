"""A project's money: funds, spending, balance and usage rate stated together, a project's
figures stated twice, and Word target tables (项目绩效目标完成情况表) with their rates and
totals."""

from __future__ import annotations

import re
from decimal import Decimal

from xlbudget import calc
from xlbudget.narrative.cells import header_unit, unit_above
from xlbudget.narrative.checks.base import (
    _HUNDRED,
    RATE_SLACK,
    CheckerBase,
    _half,
)
from xlbudget.narrative.docx_source import WordTable
from xlbudget.narrative.figure import AMOUNT_UNITS, Figure
from xlbudget.narrative.parse import Sentence, normalise, strip_ordinal


class ProjectChecks(CheckerBase):
    __slots__ = ()

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
                expected = calc.rate(spent.yuan, whole)
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
                bv = calc.to_decimal(row[b]) if b < len(row) else None
                ev = calc.to_decimal(row[e]) if e < len(row) else None
                rv = calc.to_decimal(row[r].rstrip("%") or None) if r is not None and r < len(
                    row) else None
            except calc.ArithError:
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


def _project_key(name: str) -> str:
    """A project's name without the words writers vary (和/及/与, quotes)."""
    return re.sub(r"[和及与、“”\"\s]", "", name)


def _col(head: list[str], pattern: str) -> int | None:
    return next((i for i, c in enumerate(head) if re.search(pattern, c)), None)


def _dec_places(text: str) -> int:
    t = normalise(text).strip()
    return len(t.split(".")[1]) if "." in t else 0
