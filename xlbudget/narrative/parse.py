"""Parts, sections and sentences of a narrative (部门决算情况说明), reference §7.

Headings are recognised by their words, not by their numbering, because Word's automatic
numbering is lost when the text is read (the document shows "七、" but the paragraph text does
not hold it). Every paragraph gets the section it sits in; sentences keep their offsets into the
paragraph text so that a figure can be highlighted in the original runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlbudget.narrative.docx_source import DocxText, Para

# Offset-preserving normalisation: full-width ASCII forms and ideographic space map one
# character to one character (NFKC would also do this, but may change lengths elsewhere).
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0xFE6A: 0x25, 0x2009: 0x20, 0x200B: 0x20})


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; same length as the input."""
    return text.translate(_FULLWIDTH)


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the template: ``key`` such as 'P1', 'S7' (第二部分 七), 'P3', 'P4'; ``label`` is
    the heading as the document writes it (with its part's ordinal for a section), so that a
    finding is located by the document's own numbering."""

    key: str
    label: str


# Second-part sections: key, ordinal, canonical heading, pattern on the normalised heading.
# Order matters: the more specific heading is tried first (四 contains 一's words).
_SECTIONS: list[tuple[str, str, str, re.Pattern[str]]] = [
    ("S4", "四", "财政拨款收入支出决算总体情况说明", re.compile(r"财政拨款收.{0,3}支.{0,3}决算总")),
    ("S6", "六", "一般公共预算财政拨款基本支出决算情况说明",
     re.compile(r"一般公共预算.{0,6}基本支出")),
    ("S5", "五", "一般公共预算财政拨款支出决算情况说明",
     re.compile(r"一般公共预算财政拨款支出决算")),
    ("S7", "七", "“三公”经费财政拨款支出决算情况说明", re.compile(r"三公")),
    ("S8", "八", "政府性基金预算支出决算情况说明", re.compile(r"政府性基金预算.{0,8}决算")),
    ("S9", "九", "国有资本经营预算支出决算情况说明", re.compile(r"国有资本经营预算.{0,8}决算")),
    ("S10", "十", "其他重要事项的情况说明", re.compile(r"其他重要事项")),
    ("S1", "一", "收入支出决算总体情况说明", re.compile(r"收.{0,3}支.{0,3}决算总体情况")),
    ("S2", "二", "收入决算情况说明", re.compile(r"^收入决算情况")),
    ("S3", "三", "支出决算情况说明", re.compile(r"^支出决算情况")),
]
_PARTS: list[tuple[str, str, re.Pattern[str]]] = [
    ("P1", "第一部分 部门概况", re.compile(r"^(第一部分)?(部门|单位)?(基本)?概况$|^第一部分")),
    ("P2", "第二部分 部门决算情况说明", re.compile(r"^第二部分|决算情况说明$")),
    ("P3", "第三部分 名词解释", re.compile(r"^(第三部分)?名词解释$|^第三部分")),
    ("P4", "第四部分 附件", re.compile(
        r"^(第[四五]部分)?(附件|附表)|^第[四五]部分|绩效评价报告$|绩效目标完成情况表?$")),
]
_ORDINAL = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|"
    r"\(?[一二三四五六七八九十]+\)|\d+[、.．](?!\d))\s*")
_SENTENCE_END = re.compile(r"[。!?\n]")
_PART_ORDINAL = re.compile(r"^第[一二三四五六七八九十]+部分")


def strip_ordinal(text: str) -> str:
    """A heading without its numbering (第二部分, 七、, （一）, 1.)."""
    t = normalise(text).strip()
    while True:
        m = _ORDINAL.match(t)
        if not m or not m.group(0):
            return t
        t = t[m.end():].strip()


@dataclass(slots=True)
class Sentence:
    """One sentence of one paragraph: ``text`` as written, ``norm`` normalised (same length)."""

    para: int
    start: int
    end: int
    text: str
    norm: str
    section: Section
    subsection: str = ""
    #: the sub-heading above, as the document writes it ("（三）…具体情况"); "" when none
    heading: str = ""


@dataclass(slots=True)
class Narrative:
    source: DocxText
    year: int | None
    sentences: list[Sentence] = field(default_factory=list)
    sections: dict[int, Section] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        from pathlib import Path

        return Path(self.source.path).name


_TITLE_YEAR = re.compile(r"(\d{4})\s*年度?.{0,30}决算")
_NO_SECTION = Section("P0", "标题")


def _heading_candidate(p: Para) -> bool:
    if p.table is not None:
        return False
    if p.heading is not None:
        return True
    t = normalise(p.text).strip()
    return 0 < len(t) <= 60 and not t.endswith(("。", ";", ",")) and not re.search(
        r"\d+(\.\d+)?\s*(万元|元|%)", t)


def classify_heading(text: str) -> tuple[str, str] | None:
    """(key, label) when ``text`` is a part or second-part section heading."""
    t = normalise(text).strip()
    bare = strip_ordinal(t)
    for key, ordinal, canon, pattern in _SECTIONS:
        if pattern.search(bare) and len(bare) <= 40:
            return key, f"第二部分 {ordinal}、{canon}"
    for key, label, pattern in _PARTS:
        if pattern.search(t) or pattern.search(bare):
            return key, label
    return None


def parse(doc: DocxText) -> Narrative:
    """Assign sections to paragraphs and split them into sentences."""
    year = None
    for p in doc.paragraphs[:8]:
        m = _TITLE_YEAR.search(normalise(p.text))
        if m:
            year = int(m.group(1))
            break
    out = Narrative(doc, year)
    current, sub, raw = _NO_SECTION, "", ""
    part = ""  # the document's own part ordinal ("第三部分"), if it writes one
    for p in doc.paragraphs:
        if _heading_candidate(p):
            hit = classify_heading(p.text)
            if hit is not None:
                key, _canonical = hit
                # Inside the attachments, an appendix heading that repeats a section name
                # (e.g. a 三公 table in the 绩效评价报告) does not leave the attachment.
                if key == current.key:  # a sub-heading repeating its section's words
                    sub, raw = strip_ordinal(p.text), " ".join(p.text.split())
                elif not (current.key == "P4" and key.startswith("S")):
                    heading = " ".join(p.text.split())
                    if key.startswith("P"):
                        m = _PART_ORDINAL.match(heading)
                        part = m.group(0) if m else ""
                        label = heading
                    else:
                        label = f"{part} {heading}".strip()
                    current, sub, raw = Section(key, label), "", ""
                    out.found.append(key)
                    out.sections[p.index] = current
                    continue
            elif current.key != "P0":
                sub, raw = strip_ordinal(p.text), " ".join(p.text.split())
        out.sections[p.index] = current
        norm = normalise(p.text)
        start = 0
        for m in _SENTENCE_END.finditer(norm + "\n"):
            end = m.end() if m.start() < len(norm) else len(norm)
            chunk = p.text[start:end]
            if chunk.strip():
                out.sentences.append(Sentence(p.index, start, end, chunk, norm[start:end], current,
                                              sub, raw))
            start = end
            if start >= len(norm):
                break
    return out
