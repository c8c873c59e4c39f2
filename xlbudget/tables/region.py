"""One table's region of a sheet: title block, header rows, columns, amounts, completeness.

The header rows are the rows between the title block and the first data row; columns are
mapped to canonical keys by their joined header text (merged or not). How the data rows are
read depends on the kind of table (``tables.readers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlbudget.codes import FUNCTION_CLASSES, OUTDATED
from xlbudget.model import Amount, CellRef, Problem, Row, Table
from xlbudget.sources.grid import Grid, from_a1, to_a1
from xlbudget.tables.specs import SANGONG_ITEMS, TableSpec
from xlbudget.tables.text import canon_item, code_prefix, is_number_like, label, parse_amount

_TAG = re.compile(r"公开0?(\d)表")
_UNIT = re.compile(r"单位[:：]?\s*(亿元|万元|千元|元)")
_ORG = re.compile(r"(?:编制单位|编制部门|部门|单位名称)[:：](.+)")
_YEAR = re.compile(r"(20\d\d)\s*年")
_META = ("单位", "编制", "部门:", "部门：", "公开", "年度")
_HEADER_WORDS = {"项目", "科目编码", "科目名称", "类", "款", "项", "行次", "栏次", "编码", "名称",
                 "金额", "决算数", "预算数", "合计", "收入", "支出"}

#: function class names (current, without 支出, and outdated) -> code
_CLASS_BY_NAME: dict[str, str] = {}
for _code, _name in FUNCTION_CLASSES.items():
    _CLASS_BY_NAME[canon_item(_name)] = _code
    _CLASS_BY_NAME[canon_item(_name.removesuffix("支出"))] = _code
for _code, (_old, _) in OUTDATED.items():
    if len(_code) == 3:
        _CLASS_BY_NAME[canon_item(_old)] = _code
        _CLASS_BY_NAME[canon_item(_old.removesuffix("支出"))] = _code


def class_code(name: str) -> str | None:
    """The 类 code of a function class name as T1/T4 print it."""
    s = canon_item(label(name)).replace("(类)", "")
    return _CLASS_BY_NAME.get(s)


@dataclass(slots=True)
class Column:
    index: int
    path: list[str]

    @property
    def text(self) -> str:
        return canon_item("".join(self.path))


class Region:
    """One table's rows [top, end) of a grid."""

    def __init__(self, grid: Grid, spec: TableSpec, title_row: int, end: int,
                 problems: list[Problem], texts: list[list[str]]) -> None:
        self.g, self.spec, self.problems = grid, spec, problems
        self.title_row, self.end = title_row, end
        self.texts = texts
        self.table = Table(key=spec.key, title=spec.name, sheet=grid.name, range="")
        self.amounts: list[Amount] = []
        #: per block: the column keys mapped to a column of the sheet
        self.found: dict[str, set[str]] = {}

    # -- title block, header, footer --------------------------------------------------------
    def read(self) -> Table:
        t = self.table
        start = self.title_row + 1
        if self.title_row >= 0:
            t.title = str(self.g.value(self.title_row, first_text_col(self.g, self.title_row)))
            self._meta(self.title_row)
        r = start
        while r < self.end and (self._is_meta(r) or (not any(self.texts[r]) and
                                not any(is_number_like(v) for v in self.g.rows[r]))):
            self._meta(r)
            r += 1
        data_start = self._first_data_row(r)
        header_rows = [h for h in range(r, data_start) if not self._is_lanci(h)]
        for hr in header_rows:
            self._meta(hr)
        cols = self._columns(header_rows)
        self.read_rows(cols, header_rows, data_start)
        self._finish(header_rows)
        self._completeness(header_rows)
        return t

    def read_rows(self, cols: list[Column], header_rows: list[int], start: int) -> None:
        """Read the data rows from ``start`` (each table kind has its reader)."""
        raise NotImplementedError

    def _completeness(self, header_rows: list[int]) -> None:
        """What of the spec's columns and fixed rows was found; a required one that was not is
        a TB-d problem, so that no table is half read in silence."""
        t, spec = self.table, self.spec
        if header_rows:
            first, last = t.range.split(":")
            first_col, last_col = from_a1(first)[1], from_a1(last)[1]
            t.header = f"{to_a1(header_rows[0], first_col)}:{to_a1(header_rows[-1], last_col)}"
        lacking: list[str] = []
        for block in spec.blocks:
            found = self.found.get(block, set())
            keys = spec.column_keys(block)
            t.columns_found[block] = [k for k in keys if k in found]
            t.columns_missing[block] = [k for k in keys if k not in found]
            lacking += [spec.column_label(k, block) for k in spec.required_columns(block)
                        if k not in found]
            rows = {r.key for r in t.block_rows(block) if r.key}
            t.rows_missing[block] = [k for k in spec.fixed_rows.get(block, ()) if k not in rows]
            if t.rows or not spec.empty_note:  # an empty table may print no row at all
                lacking += [f"“{spec.row_label(k, block)}”行" for k in spec.required_rows(block)
                            if k not in rows]
        if lacking:
            where = f"表头 {t.header}" if t.header else "未找到表头"
            self.problems.append(Problem(
                "TB-d", "warning",
                f"{spec.name}未能完整读取（{where}）：未识别到{'、'.join(lacking)}；"
                "涉及这些列或行的校验未进行",
                CellRef(t.sheet, t.header.split(":")[0] if t.header else t.range.split(":")[0])))

    def _is_meta(self, r: int) -> bool:
        cells = [s for s in self.texts[r] if s]
        if not cells:
            return False
        return all(any(m in s for m in _META) or (_YEAR.search(s) and len(s) < 20) for s in cells)

    def _meta(self, r: int) -> None:
        t = self.table
        for c, s in enumerate(self.texts[r]):
            if not s:
                continue
            if (m := _UNIT.search(s)) and t.unit_cell is None:
                t.unit, t.unit_cell = m.group(1), CellRef(self.g.name, to_a1(r, c))
            if (m := _TAG.search(s)) and t.tag is None:
                t.tag = m.group(0)
            if (m := _YEAR.search(s)) and t.year is None:
                t.year = int(m.group(1))
            if t.organisation is None and (m := _ORG.search(s)):
                org = _UNIT.sub("", m.group(1)).strip()
                if org:
                    t.organisation = org

    def _is_lanci(self, r: int) -> bool:
        return any(s in ("栏次", "栏号") for s in self.texts[r])

    def _first_data_row(self, r0: int) -> int:
        """The first row that holds data: its first text is a known row label or code (not a
        header such as 合计 further right), or, for T7, it has amounts."""
        covered = {(r, c1) for r1, c1, r2, _ in self.g.merges for r in range(r1 + 1, r2 + 1)}
        for r in range(r0, self.end):
            if self._is_lanci(r):
                continue
            first = next(((c, s) for c, s in enumerate(self.texts[r]) if s), None)
            if first is not None and (r, first[0]) in covered:
                continue
            has_num = any(is_number_like(v) and not small_int(v) for v in self.g.rows[r])
            if self.spec.kind == "sangong":
                if has_num:
                    return r
            elif not has_num and self._is_sub_header(r):
                continue
            elif (first is not None and self._known_label(first[1])) or (has_num and first is None):
                return r
            elif (first[1].startswith("注") if first is not None
                  else self._only_note_below(r)):
                return r  # blank ruled rows or the note: an empty table's body, not its header
        return self.end

    def _only_note_below(self, r: int) -> bool:
        """Whether nothing but blank rows and the note follow row ``r`` (an empty table's
        ruled body; a blank row inside a header has more header below it)."""
        for rr in range(r + 1, self.end):
            first = next((s for s in self.texts[rr] if s), None)
            if first is not None:
                return first.startswith("注")
            if any(is_number_like(v) for v in self.g.rows[rr]):
                return False
        return True

    def _is_sub_header(self, r: int) -> bool:
        """A header row below a group header (合计 | 基本支出 | 项目支出 under 本年支出), its
        label cells blank or merged from above: its 合计 names a column, not the 合计 row.
        Two or more texts, none in the first column, at least one naming a column of the spec
        (one unusual header text must not turn the row into data)."""
        texts = [(c, s) for c, s in enumerate(self.texts[r]) if s]
        if len(texts) < 2 or texts[0][0] == 0:
            return False
        return any(self._names_column(s) for _, s in texts)

    def _names_column(self, s: str) -> bool:
        text = canon_item(s)
        return text in _HEADER_WORDS or any(
            all(f in text for f in frags) and len(text) <= 2 * len("".join(frags)) + 8
            for block in self.spec.blocks for _, frags in self.spec.column_patterns(block))

    def _known_label(self, s: str) -> bool:
        lab = canon_item(label(s))
        if lab in ("合计", "总计") or code_prefix(s)[0] or class_code(s):
            return True
        for block in self.spec.rows:
            if any(all(f in lab for f in frag) for _, frag in self.spec.row_patterns(block)):
                return True
        if self.spec.kind == "sangong":
            items = (f for _, frags in SANGONG_ITEMS[1:6] for f in frags)
            return any(f in lab for f in items) and "经费" not in lab
        return lab in ("人员经费合计", "公用经费合计")

    def _columns(self, header_rows: list[int]) -> list[Column]:
        width = max((len(self.g.rows[r]) for r in range(max(self.title_row, 0), self.end)),
                    default=0)
        filled: dict[tuple[int, int], str] = {}
        for r1, c1, r2, c2 in self.g.merges:
            top = self.texts[r1][c1] if r1 < len(self.texts) and c1 < len(self.texts[r1]) else ""
            for r in header_rows:
                if r1 <= r <= r2:
                    for c in range(c1, c2 + 1):
                        filled[(r, c)] = top
        if not self.g.merges:
            filled = self._spread_group_headers(header_rows, width)
        cols = []
        for c in range(width):
            path: list[str] = []
            for r in header_rows:
                s = filled.get((r, c)) or (self.texts[r][c] if c < len(self.texts[r]) else "")
                if s and not s.isdigit() and (not path or path[-1] != s):
                    path.append(s)
            cols.append(Column(c, path))
        return cols

    def _spread_group_headers(self, header_rows: list[int],
                              width: int) -> dict[tuple[int, int], str]:
        """Without merge information (Excel on the web sends none), a group header such as
        预算数 stands only over the first of its columns: carry it right over blank header cells
        that have a sub-header below them and lie in the same group above, as a merge would."""
        filled: dict[tuple[int, int], str] = {}

        def at(r: int, c: int) -> str:
            return filled.get((r, c)) or (self.texts[r][c] if c < len(self.texts[r]) else "")

        for i, r in enumerate(header_rows[:-1]):
            above, below = header_rows[:i], header_rows[i + 1:]
            carry: tuple[str, int] | None = None
            for c in range(width):
                s = at(r, c)
                if s:
                    carry = (s, c)
                elif (carry and any(at(b, c) for b in below)
                      and all(at(u, c) == at(u, carry[1]) for u in above)):
                    filled[(r, c)] = carry[0]
                else:
                    carry = None
        return filled

    def _finish(self, header_rows: list[int]) -> None:
        t = self.table
        t.columns = sorted({k for r in t.rows for k in r.values})
        decimals = min(6, max((a.decimals for a in self.amounts if a.value is not None), default=2))
        for a in self.amounts:
            a.decimals = decimals
            a.scale = t.scale
        notes = []
        last = max(self.title_row, 0)
        for r in range(max(self.title_row, 0), self.end):
            if any(self.texts[r]) or any(v not in (None, "") for v in self.g.rows[r]):
                last = r
            for s in self.texts[r]:
                if s.startswith("注") or "本表无数据" in s or "故本表无数据" in s:
                    notes.append(s)
        t.note = "\n".join(notes) or None
        cols = [c for r in range(max(self.title_row, 0), last + 1)
                for c, v in enumerate(self.g.rows[r]) if v not in (None, "")]
        top = max(self.title_row, 0)
        t.range = f"{to_a1(top, min(cols, default=0))}:{to_a1(last, max(cols, default=0))}"
        if t.unit_cell is None:
            self.problems.append(Problem("IN-d", "info",
                                         f"{t.title}未注明金额单位，按万元处理",
                                         CellRef(t.sheet, to_a1(top, 0))))

    # -- amounts ----------------------------------------------------------------------------
    def _amount(self, r: int, c: int) -> Amount:
        v = self.g.value(r, c)
        ref = CellRef(self.g.name, to_a1(r, c))
        raw = v if isinstance(v, str) else None  # the text as typed; numbers need none
        if self.g.errors and (r, c) in self.g.errors:
            a = Amount(None, 0, ref, raw=self.g.errors[(r, c)], unknown=True)
            self.problems.append(Problem("IN-b", "error",
                                         f"单元格为错误值 {self.g.errors[(r, c)]}，无法校验", ref,
                                         self.g.errors[(r, c)]))
        elif self.g.uncached and (r, c) in self.g.uncached:
            a = Amount(None, 0, ref, raw=self.g.uncached[(r, c)], unknown=True)
            self.problems.append(Problem(
                "IN-c", "warning",
                f"公式 {self.g.uncached[(r, c)]} 没有计算结果"
                "（文件未在 Excel 中重新计算并保存），无法校验",
                ref, self.g.uncached[(r, c)]))
        else:
            d, dec, ok = parse_amount(v)
            a = Amount(d, dec, ref, raw=raw, unknown=not ok)
            if not ok:
                self.problems.append(Problem("IN-a", "error",
                                             f"金额“{raw}”无法识别为数字", ref, raw))
        self.amounts.append(a)
        return a

    def _add_row(self, r: int, label_text: str, values: dict[str, int], *, key: str | None = None,
                 code: str | None = None, block: str = "main", line: str | None = None) -> Row:
        amounts = {k: self._amount(r, c) for k, c in values.items()}
        row = Row(label=label(label_text), values=amounts,
                  excel_row=r + 1, key=key, code=code, block=block, line=line,
                  label_ref=self._label_ref(r, label_text, values))
        self.table.rows.append(row)
        return row

    def _label_ref(self, r: int, text: str, values: dict[str, int]) -> CellRef | None:
        """The cell left of the amounts that holds ``text`` (the cell itself, or with its code
        in front): where a name finding points."""
        text = text.strip()
        if not text:
            return None
        row = self.g.rows[r]
        # labels are text cells: the raw values are enough (this runs for every row)
        cells = [(c, v.strip()) for c, v in enumerate(row[:min(values.values(), default=len(row))])
                 if isinstance(v, str)]
        c = next((c for c, t in cells if t == text), None)
        if c is None:
            c = next((c for c, t in cells if text in t), None)
        return None if c is None else CellRef(self.g.name, to_a1(r, c))

    def _map_columns(self, cols: list[Column], block: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for col in cols:
            text = col.text
            if not text or is_key_column(text):
                continue
            for key, frags in self.spec.column_patterns(block):
                if all(f in text for f in frags):
                    if key not in out:
                        out[key] = col.index
                    break
        return out

    def _data_rows(self, start: int) -> list[int]:
        rows = []
        for r in range(start, self.end):
            first = next((s for s in self.texts[r] if s), "")
            if first.startswith("注"):
                break
            if self._is_lanci(r):
                continue
            rows.append(r)
        return rows


def is_key_column(text: str) -> bool:
    return any(k in text for k in ("行次", "栏次")) or text in ("项目", "科目编码", "科目名称",
                                                                "类",
                                                                "款", "项", "编码", "名称")


def small_int(v: object) -> bool:
    """行次/栏次 numbers are small integers, never amounts with decimals."""
    if isinstance(v, float):
        return v.is_integer() and 0 < v < 100
    if isinstance(v, int):
        return 0 < v < 100
    return isinstance(v, str) and v.strip().isdigit() and 0 < int(v.strip()) < 100


def first_text_col(g: Grid, r: int) -> int:
    row = g.rows[r] if 0 <= r < g.height else []
    return next((c for c, v in enumerate(row) if isinstance(v, str) and v.strip()), 0)
