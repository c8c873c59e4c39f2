"""Figures in Word tables: an amount cell whose unit the column header or a ``单位：`` line above
the table names, with the row label and column header as its subject."""

from __future__ import annotations

import re
from decimal import Decimal

from xlbudget.narrative.clauses import NUMBER, clean_subject, decimals
from xlbudget.narrative.docx_source import DocxText, WordTable
from xlbudget.narrative.figure import Figure
from xlbudget.narrative.parse import Narrative, Sentence, normalise

_CELL_NUMBER = re.compile(r"^\s*" + NUMBER + r"\s*$")
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


def cell_subjects(narrative: Narrative) -> dict[int, tuple[str, str]]:
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


def cell_figure(s: Sentence, subject: str, unit: str) -> list[Figure]:
    """The amount a table-cell paragraph holds, if it holds only a number."""
    m = _CELL_NUMBER.match(s.norm)
    if m is None:
        return []
    number = m.group(1)
    return [Figure("amount", Decimal(number.replace(",", "")), unit, decimals(number),
                   s.start + m.start(1), s.start + m.end(1), s.text[m.start(1):m.end(1)], s,
                   subject=clean_subject(subject), clause=subject)]
