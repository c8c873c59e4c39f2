"""Figures stated in the narrative, each with its unit, role and subject, in reading order, and
the template residue left in it: sentences are read by :mod:`~xlbudget.narrative.clauses`, Word
table cells by :mod:`~xlbudget.narrative.cells`; here figures are linked to what they are about.
"""

from __future__ import annotations

import re

from xlbudget.narrative.cells import cell_figure, cell_subjects
from xlbudget.narrative.clauses import sentence_figures
from xlbudget.narrative.figure import Figure, Placeholder
from xlbudget.narrative.parse import Narrative, normalise
from xlbudget.narrative.residue import COMPILED as _RESIDUE

_TAGGED = re.compile(r"\((?:类|款|项)\)")


def extract(narrative: Narrative) -> tuple[list[Figure], list[Placeholder]]:
    """Every figure and placeholder in reading order, with roles, subjects and anchors."""
    figures: list[Figure] = []
    placeholders: list[Placeholder] = []
    prev_sentence_figs: list[Figure] = []
    last_para = -1
    cells = cell_subjects(narrative)
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
        figs = sentence_figures(s, context)
        if not figs and len(s.norm) <= 80:
            context = s.norm  # "1.一般公共服务（类）…（项）。" then "年初预算为…"
        if not figs and s.para in cells:
            figs = cell_figure(s, *cells[s.para])
        _link(figs, prev_sentence_figs)
        for f in figs:
            f.index = len(figures)
            figures.append(f)
        if figs:
            prev_sentence_figs = figs
    return figures, placeholders


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
