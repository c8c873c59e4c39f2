"""Word (.docx) input and output for the narrative: the only module that imports python-docx.

Reading flattens the document into numbered paragraphs in reading order (body paragraphs and the
paragraphs of Word table cells), each with its text exactly as its runs spell it, so that a
character offset found in the text is an offset into the runs when marking. Writing is used by
the narrative generator (plain paragraphs, headings and tables) and by the marker (highlight a
span, attach a Word comment).
"""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlbudget.sources.grid import SourceError

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph as DocxParagraph
    from docx.text.run import Run

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


class NarrativeError(SourceError):
    """A narrative document that cannot be read; the message is Chinese and names the file."""


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph in reading order.

    ``index`` is 1-based over the whole document (body and table cells, in order); ``table`` and
    ``cell`` locate a paragraph inside a Word table (table number from 1, 0-based row and column).
    """

    index: int
    text: str
    style: str = ""
    heading: int | None = None
    table: int | None = None
    cell: tuple[int, int] | None = None


@dataclass(slots=True)
class WordTable:
    """A Word table as rows of cells; each cell lists the indexes of its paragraphs."""

    number: int
    rows: list[list[list[int]]] = field(default_factory=list)


@dataclass(slots=True)
class DocxText:
    path: str
    paragraphs: list[Para]
    tables: list[WordTable]

    def para(self, index: int) -> Para:
        return self.paragraphs[index - 1]

    def cell_text(self, cell: list[int]) -> str:
        return "".join(self.para(i).text for i in cell)


def _open(path: str | Path) -> DocxDocument:
    from xlbudget.sources.files import file_head

    p = Path(path)
    head = file_head(p, NarrativeError)
    if head.startswith(_CFB_MAGIC):
        raise NarrativeError(
            f"{p.name}：这是旧版 Word 97-2003 文档（.doc）或已加密的文档，"
            "请在 Word 中“另存为” .docx 格式（并取消打开密码）后再检查")
    if not head.startswith(_ZIP_MAGIC) or not zipfile.is_zipfile(p):
        raise NarrativeError(f"{p.name}：不是 Word .docx 文档，无法读取情况说明")
    import docx

    try:
        return docx.Document(str(p))
    except Exception as exc:  # python-docx raises several types for a zip that is not a document
        raise NarrativeError(
            f"{p.name}：不是有效的 Word .docx 文档（{type(exc).__name__}），无法读取情况说明"
        ) from exc


def _runs(paragraph: DocxParagraph) -> list[Run]:
    """The paragraph's runs in order, including those inside hyperlinks."""
    from docx.text.hyperlink import Hyperlink

    out: list[Run] = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            out.extend(item.runs)
        else:
            out.append(item)
    return out


def _style_names(doc: DocxDocument) -> dict[str, str]:
    """Style id -> name, read once: python-docx's ``paragraph.style`` resolves the default style
    by scanning every style for each paragraph, which dominated the read time."""
    return {s.style_id: s.name or "" for s in doc.styles}


def _style_and_heading(paragraph: DocxParagraph, names: dict[str, str]
                       ) -> tuple[str, int | None]:
    from docx.oxml.ns import qn

    ppr = paragraph._p.pPr
    sid = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
    name = names.get(sid, sid or "Normal") if sid else "Normal"
    low = name.lower()
    if low == "title":
        return name, 0
    for prefix in ("heading ", "标题 "):
        if low.startswith(prefix) and low[len(prefix):].strip().isdigit():
            return name, int(low[len(prefix):])
    # Custom heading styles of Chinese templates often carry only an outline level.
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None and outline.get(qn("w:val"), "9").isdigit():
        level = int(outline.get(qn("w:val"), "9"))
        if level < 9:
            return name, level + 1
    return name, None


def _walk(doc: DocxDocument) -> Iterator[tuple[DocxParagraph, int | None, tuple[int, int] | None]]:
    """Every paragraph in reading order with its table number and cell (None in the body)."""
    from docx.table import Table

    table_no = 0

    def table_paras(tbl: Table, number: int) -> Iterator[tuple[Any, int, tuple[int, int]]]:
        seen: set[Any] = set()  # the elements themselves: an id() could be reused
        for r, row in enumerate(tbl.rows):
            for c, cell in enumerate(row.cells):
                # A merged cell repeats in every grid position it spans: read it once.
                if cell._tc in seen:
                    continue
                seen.add(cell._tc)
                for p in cell.paragraphs:
                    yield p, number, (r, c)

    for block in _blocks(doc._body._body, doc._body):
        if isinstance(block, Table):
            table_no += 1
            yield from table_paras(block, table_no)
        else:
            yield block, None, None


def _blocks(element: Any, parent: Any) -> Iterator[Any]:
    """Body paragraphs and tables in order, also those inside content controls (``w:sdt``),
    which python-docx's ``iter_inner_content`` skips."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, parent)


def read_docx(path: str | Path) -> DocxText:
    """The document's paragraphs and tables; NarrativeError (Chinese) for unusable input."""
    doc = _open(path)
    names = _style_names(doc)
    paras: list[Para] = []
    tables: dict[int, WordTable] = {}
    last_cell: tuple[int | None, tuple[int, int] | None] = (None, None)
    for p, tno, cell in _walk(doc):
        text = "".join(r.text for r in _runs(p))
        style, heading = _style_and_heading(p, names)
        para = Para(len(paras) + 1, text, style, heading, tno, cell)
        paras.append(para)
        if tno is not None and cell is not None:
            wt = tables.setdefault(tno, WordTable(tno))
            while len(wt.rows) <= cell[0]:
                wt.rows.append([])
            row = wt.rows[cell[0]]
            if row and last_cell == (tno, cell):
                row[-1].append(para.index)
            else:
                row.append([para.index])
        last_cell = (tno, cell)
    if not any(p.text.strip() for p in paras):
        raise NarrativeError(f"{Path(path).name}：文档没有任何文字内容，无法检查情况说明")
    return DocxText(str(path), paras, [tables[k] for k in sorted(tables)])


# --- writing -------------------------------------------------------------------------------

@dataclass(slots=True)
class Block:
    """One block of a document to write: a paragraph (``kind`` 'p', 'title' or 'h1'…'h3')
    or a table ('table', ``rows`` of cell texts, first row the header)."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def write_docx(blocks: Sequence[Block], path: str | Path) -> None:
    """Write blocks to a new .docx with the built-in styles (Title, Heading n, Table Grid)."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for b in blocks:
        if b.kind == "title":
            doc.add_heading(b.text, level=0)
        elif b.kind.startswith("h") and b.kind[1:].isdigit():
            doc.add_heading(b.text, level=int(b.kind[1:]))
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            t = doc.add_table(rows=len(b.rows), cols=ncols)
            t.style = "Table Grid"
            for r, row in enumerate(b.rows):
                for c, value in enumerate(row):
                    t.cell(r, c).text = value
        else:
            doc.add_paragraph(b.text)
    doc.save(str(path))


@dataclass(frozen=True, slots=True)
class Mark:
    """Highlight ``paragraph``[start:end] and attach ``comment`` to it."""

    paragraph: int
    start: int
    end: int
    comment: str


def write_marked(path: str | Path, marks: Sequence[Mark], out: str | Path,
                 author: str = "xlbudget") -> int:
    """Write a copy of ``path`` to ``out`` with each mark highlighted and commented.

    Returns the number of marks written. The input file is only read.
    """
    from docx.enum.text import WD_COLOR_INDEX

    doc = _open(path)
    by_para: dict[int, list[Mark]] = {}
    for m in marks:
        by_para.setdefault(m.paragraph, []).append(m)
    done = 0
    for index, (p, _t, _c) in enumerate(_walk(doc), start=1):
        for m in sorted(by_para.get(index, ()), key=lambda m: -m.start):
            runs = _isolate(p, m.start, m.end)
            if not runs:
                continue
            for r in runs:
                r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            doc.add_comment(runs, text=m.comment, author=author, initials="XLB")
            done += 1
    doc.save(str(out))
    return done


def _isolate(paragraph: DocxParagraph, start: int, end: int) -> list[Run]:
    """Split runs so that [start, end) of the paragraph text is covered by whole runs; return them.

    python-docx has no API for a character range, so runs are split by copying the run element
    (keeping its formatting) and dividing the text.
    """
    from docx.text.run import Run

    out: list[Run] = []
    pos = 0
    for run in _runs(paragraph):
        text = run.text
        a, b = pos, pos + len(text)
        pos = b
        if b <= start or a >= end or not text:
            continue
        lo, hi = max(start, a) - a, min(end, b) - a
        if hi < len(text):
            tail = copy.deepcopy(run._r)
            run._r.addnext(tail)
            Run(tail, run._parent).text = text[hi:]
        if lo > 0:
            head = copy.deepcopy(run._r)
            run._r.addprevious(head)
            Run(head, run._parent).text = text[:lo]
        run.text = text[lo:hi]
        out.append(run)
    return out
