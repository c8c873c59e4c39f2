"""Find the standard tables in sheet grids and read them into the model.

A table is found by its title cell anywhere on a sheet (the sheet name is the fallback), its
header rows are the rows between the title block and the first data row, columns are mapped to
canonical keys by their joined header text, and rows by code or label. Nothing here depends on
fixed cell addresses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from xlbudget.codes import FUNCTION_CLASSES, OUTDATED
from xlbudget.model import Amount, CellRef, Problem, Row, Table, WorkbookModel
from xlbudget.sources.grid import Grid, from_a1, to_a1
from xlbudget.tables.specs import (
    COLUMN_LABELS,
    ROW_LABELS,
    SANGONG_ITEMS,
    SANGONG_KINDS,
    SPECS,
    TABLES,
    TableSpec,
)
from xlbudget.tables.text import canon_item, code_prefix, is_number_like, label, norm, parse_amount

_TITLE_NAMES = sorted(
    ((canon_item(norm(n)), spec) for spec in TABLES for n in spec.names),
    key=lambda x: -len(x[0]),
)
_TAG = re.compile(r"公开0?(\d)表")
_UNIT = re.compile(r"单位[:：]?\s*(亿元|万元|千元|元)")
_ORG = re.compile(r"(?:编制单位|编制部门|部门|单位名称)[:：](.+)")
_YEAR = re.compile(r"(20\d\d)\s*年")
_SHEET_NUM = re.compile(r"^(?:表|公开0?|[A-Z]0?)(\d)(?:表)?(?:\s|$|[-_ ])")
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


def recognise(grids: list[Grid], path: str) -> WorkbookModel:
    """Every standard table in ``grids``; sheets with none are kept as ignored extra sheets."""
    model = WorkbookModel(path=path)
    for grid in grids:
        found = _find_titles(grid)
        if not found:
            spec = _spec_from_sheet_name(grid.name)
            if spec is not None and spec.key not in model.tables and grid.height:
                found = [(-1, spec)]
        if not found:
            model.ignored_sheets.append(grid.name)
            model.extra_sheets[grid.name] = grid
            continue
        texts = _texts(grid)
        for i, (row, spec) in enumerate(found):
            end = found[i + 1][0] if i + 1 < len(found) else grid.height
            if spec.key in model.tables:
                model.problems.append(Problem(
                    "TB-c", "warning",
                    f"{spec.name}出现不止一次，只校验第一张（{model.tables[spec.key].sheet}）",
                    CellRef(grid.name, to_a1(max(row, 0), 0))))
                continue
            reader = _Region(grid, spec, row, end, model.problems, texts)
            model.tables[spec.key] = reader.read()
    years = [t.year for t in model.tables.values() if t.year]
    model.year = Counter(years).most_common(1)[0][0] if years else None
    return model


def _texts(grid: Grid) -> list[list[str]]:
    """Every cell as normalised text, once per sheet (numbers as Excel shows integers)."""
    out = []
    for row in grid.rows:
        out.append([norm(v) if isinstance(v, str) else
                    "" if v is None else
                    str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                    for v in row])
    return out


def _find_titles(grid: Grid) -> list[tuple[int, TableSpec]]:
    out: list[tuple[int, TableSpec]] = []
    for r, row in enumerate(grid.rows):
        for v in row:
            if not isinstance(v, str) or len(v) > 80:
                continue
            spec = _title_spec(v)
            if spec is not None:
                out.append((r, spec))
                break
    return out


def _title_spec(text: str) -> TableSpec | None:
    if "表" not in text and "三公" not in text:
        return None
    s = canon_item(norm(text))
    if s.startswith("注") or len(s) < 4:
        return None
    s = re.sub(r"(\((?:公开|财决|表)?[\w]*\d+表?\)|公开0?\d表|表\d+)$", "", s)
    for name, spec in _TITLE_NAMES:
        if s.endswith(name):
            return spec
    return None


def _spec_from_sheet_name(name: str) -> TableSpec | None:
    s = canon_item(norm(name))
    m = _SHEET_NUM.match(norm(name) + " ")
    if m and f"T{m.group(1)}" in SPECS:
        return SPECS[f"T{m.group(1)}"]
    for full, spec in _TITLE_NAMES:
        if len(s) >= 8 and (full.startswith(s) or s.endswith(full)):
            return spec
    return None


@dataclass(slots=True)
class _Col:
    index: int
    path: list[str]

    @property
    def text(self) -> str:
        return canon_item("".join(self.path))


class _Region:
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
            t.title = str(self.g.value(self.title_row, _first_text_col(self.g, self.title_row)))
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
        {"coded": self._read_coded, "blocks": self._read_blocks, "economic": self._read_economic,
         "sangong": self._read_sangong}[self.spec.kind](cols, header_rows, data_start)
        self._finish(header_rows)
        self._completeness(header_rows)
        return t

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
            lacking += [COLUMN_LABELS[k] for k in spec.required_columns(block) if k not in found]
            rows = {r.key for r in t.block_rows(block) if r.key}
            t.rows_missing[block] = [k for k in spec.fixed_rows.get(block, ()) if k not in rows]
            if t.rows or not spec.empty_note:  # an empty table may print no row at all
                lacking += [f"“{ROW_LABELS[k]}”行" for k in spec.required_rows(block)
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
            has_num = any(is_number_like(v) and not _small_int(v) for v in self.g.rows[r])
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
            for pairs in self.spec.columns.values() for _, frags in pairs)

    def _known_label(self, s: str) -> bool:
        lab = canon_item(label(s))
        if lab in ("合计", "总计") or code_prefix(s)[0] or class_code(s):
            return True
        for rows in self.spec.rows.values():
            if any(all(f in lab for f in frag) for _, frag in rows):
                return True
        if self.spec.kind == "sangong":
            items = (f for _, frags in SANGONG_ITEMS[1:6] for f in frags)
            return any(f in lab for f in items) and "经费" not in lab
        return lab in ("人员经费合计", "公用经费合计")

    def _columns(self, header_rows: list[int]) -> list[_Col]:
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
            cols.append(_Col(c, path))
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
                  raw_label=label_text, label_ref=self._label_ref(r, label_text, values))
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

    def _map_columns(self, cols: list[_Col], block: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for col in cols:
            text = col.text
            if not text or _is_key_col(text):
                continue
            for key, frags in self.spec.columns.get(block, ()):
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

    # -- table kinds -------------------------------------------------------------------------
    def _label_and_code_cols(self, cols: list[_Col]) -> tuple[int | None, list[int], int | None]:
        label_col = None
        code_cols: list[int] = []
        line_col = None
        for col in cols:
            last = col.path[-1] if col.path else ""
            if "行次" in col.text:
                line_col = col.index
            elif last in ("类", "款", "项") or "编码" in last or "代码" in last:
                code_cols.append(col.index)
            elif label_col is None and (last in ("项目", "科目名称", "名称", "科目") or
                                        last.endswith("名称")):
                label_col = col.index
        return label_col, code_cols, line_col

    def _row_code(self, r: int, code_cols: list[int], prev: str | None) -> str | None:
        if not code_cols:
            return None
        parts = [self.g.text(r, c) for c in code_cols]
        if len(code_cols) == 1:
            return code_prefix(parts[0])[0]
        if not any(parts):
            return None
        # 类 | 款 | 项 columns; a blank leading part continues the previous row's code.
        widths = (3, 2, 2)
        out = ""
        for i, p in enumerate(parts[:3]):
            p = norm(p)
            if not p:
                later = any(norm(q) for q in parts[i + 1:3])
                if later and prev and len(prev) >= len(out) + widths[i]:
                    out += prev[len(out):len(out) + widths[i]]
                    continue
                break
            if not p.isdigit():
                return None
            out += p.zfill(widths[i]) if i else p
        return out if len(out) in (3, 5, 7) else None

    def _read_coded(self, cols: list[_Col], header_rows: list[int], start: int) -> None:
        label_col, code_cols, _ = self._label_and_code_cols(cols)
        if label_col is None:
            label_col = code_cols[-1] + 1 if code_cols else _first_text_col(self.g, start)
        values = self._map_columns([c for c in cols if c.index > max([label_col, *code_cols])],
                                   "main")
        self.found["main"] = set(values)
        prev = None
        for r in self._data_rows(start):
            lab = self.g.text(r, label_col)
            code = self._row_code(r, code_cols, prev)
            if not code_cols:
                code, rest = code_prefix(lab)
                lab = rest if code else lab
            if code:
                prev = code
                self._add_row(r, lab, values, code=code)
                continue
            canon = canon_item(label(lab)) or canon_item(label(
                " ".join(self.g.text(r, c) for c in code_cols)))
            if canon in ("合计", "总计", "本年收入合计", "本年支出合计"):
                self._add_row(r, lab or canon, values, key="total")
            elif (cc := class_code(lab)) is not None:
                self._add_row(r, lab, values, code=cc)

    def _blocks(self, cols: list[_Col]) -> list[tuple[str, list[_Col]]]:
        starts = [c.index for c in cols if c.path and c.path[-1] in ("项目", "科目名称", "名称")
                  and not any("项目支出" in p for p in c.path)]
        if len(starts) < 2:
            starts = [c.index for c in cols if c.path and c.path[0] in ("收入", "支出")]
            starts = [s for i, s in enumerate(starts) if i == 0 or cols[s - 1].path[:1] !=
                      cols[s].path[:1]]
        blocks = []
        names = list(self.spec.columns)
        for i, s in enumerate(starts[:len(names)]):
            end = starts[i + 1] if i + 1 < len(starts) else len(cols)
            blocks.append((names[i], cols[s:end]))
        return blocks

    def _read_blocks(self, cols: list[_Col], header_rows: list[int], start: int) -> None:
        rows = self._data_rows(start)
        for block, bcols in self._blocks(cols):
            label_col = bcols[0].index
            line_col = next((c.index for c in bcols if "行次" in c.text), None)
            values = self._map_columns([c for c in bcols[1:] if c.index != line_col], block)
            if block == "income" and "amount" not in values and len(bcols) > 1:
                values = {"amount": bcols[-1].index}
            self.found[block] = set(values)
            seen_opening = False
            for r in rows:
                lab = self.g.text(r, label_col)
                if not lab:
                    continue
                line = self.g.text(r, line_col) if line_col is not None else None
                canon = canon_item(label(lab))
                code = class_code(lab) if block == "expense" else None
                if code is not None:
                    self._add_row(r, lab, values, code=code, block=block, line=line)
                    continue
                key = next((k for k, frags in self.spec.rows[block]
                            if all(f in canon for f in frags)), None)
                if key is None:
                    continue
                if self.spec.key == "T4" and block == "income":
                    if key == "opening":
                        seen_opening = True
                    elif seen_opening and key in ("gpb", "fund", "soe"):
                        key = f"opening_{key}"
                self._add_row(r, lab, values, key=key, block=block, line=line)

    def _read_economic(self, cols: list[_Col], header_rows: list[int], start: int) -> None:
        rows = self._data_rows(start)
        # Blocks start at each code column (or each name column when codes sit in the labels).
        label_cols = [c.index for c in cols if c.path and
                      (c.path[-1] in ("科目名称", "名称", "项目") or c.path[-1].endswith("名称"))]
        code_cols = [c.index for c in cols if c.path and ("编码" in c.path[-1] or
                                                           c.path[-1] in ("类", "款"))]
        amount_cols = [c.index for c in cols if c.path and c.index not in label_cols
                       and c.index not in code_cols and "行次" not in c.text]
        if not label_cols:
            label_cols = sorted({_first_text_col(self.g, r) for r in rows[:1]}) or [0]
        for i, lc in enumerate(label_cols):
            nxt = label_cols[i + 1] if i + 1 < len(label_cols) else 10**6
            mine_codes = [c for c in code_cols if (label_cols[i - 1] if i else -1) < c < lc]
            amount = next((c for c in amount_cols if lc < c < nxt), None)
            if amount is None:
                continue
            self.found["main"] = {"amount"}
            for r in rows:
                lab = self.g.text(r, lc)
                code = self._row_code(r, mine_codes, None) if mine_codes else None
                if code is None:
                    # a total row's label may sit in the (merged) code column
                    lab = lab or next((t for c in mine_codes if (t := self.g.text(r, c))), "")
                    code, rest = code_prefix(lab)
                    lab = rest if code else lab
                canon = canon_item(label(lab))
                if code and len(code) in (3, 5):
                    self._add_row(r, lab, {"amount": amount}, code=code)
                    continue
                key = ("personnel_total" if canon.startswith("人员经费") else
                       "public_total" if canon.startswith("公用经费") else
                       "total" if canon in ("合计", "总计") else None)
                if key is not None:
                    start_col = min([lc, *mine_codes])
                    self._add_row(r, lab, {"amount": self._number_right_of(r, start_col, amount)},
                                  key=key)

    def _number_right_of(self, r: int, c: int, default: int) -> int:
        """The amount of a total row whose label is merged across columns: the first number to
        the right of the label, before any other label."""
        for cc in range(c + 1, len(self.g.rows[r])):
            v = self.g.rows[r][cc]
            if is_number_like(v):
                return cc
            if isinstance(v, str) and v.strip() and not is_number_like(v):
                break
        return default

    def _read_sangong(self, cols: list[_Col], header_rows: list[int], start: int) -> None:
        rows = self._data_rows(start)
        vertical = []
        for r in rows:
            texts = [s for s in self.texts[r] if s]
            item = _sangong_item(texts[0]) if texts else None
            if (item is not None and any(is_number_like(v) for v in self.g.rows[r])) or \
                    (item is not None and len(texts) == 1):
                vertical.append((r, item))
        values: dict[str, tuple[int, int]] = {}
        if len({i for _, i in vertical}) >= 3:
            kinds = {}
            for col in cols:
                kind = _sangong_kind(col.path)
                if kind and kind not in kinds:
                    kinds[kind] = col.index
            for r, item in vertical:
                for kind, c in kinds.items():
                    values.setdefault(f"{item}_{kind}", (r, c))
        else:
            with_numbers = (r for r in rows
                            if any(is_number_like(v) and not _small_int(v) for v in self.g.rows[r]))
            data = next(with_numbers, rows[0] if rows else None)
            if data is None:
                return
            for col in cols:
                item = next((i for p in reversed(col.path) if (i := _sangong_item(p))), None)
                kind = _sangong_kind(col.path)
                if item and kind:
                    values.setdefault(f"{item}_{kind}", (data, col.index))
        self.found["main"] = set(values)
        if not values:
            return
        first = min(r for r, _ in values.values())
        row = Row(label="合计", values={k: self._amount(r, c) for k, (r, c) in values.items()},
                  excel_row=first + 1, key="total")
        self.table.rows.append(row)


def _sangong_item(text: str) -> str | None:
    s = canon_item(label(text))
    if not s or s in ("预算数", "决算数", "项目", "栏次") or s.isdigit():
        return None
    for key, frags in SANGONG_ITEMS:
        if all(f in s for f in frags):
            return key
    return None


def _sangong_kind(path: list[str]) -> str | None:
    for p in reversed(path):
        for kind, frags in SANGONG_KINDS:
            if any(f in p for f in frags):
                return kind
    return None


def _is_key_col(text: str) -> bool:
    return any(k in text for k in ("行次", "栏次")) or text in ("项目", "科目编码", "科目名称",
                                                                "类",
                                                                "款", "项", "编码", "名称")


def _small_int(v: object) -> bool:
    """行次/栏次 numbers are small integers, never amounts with decimals."""
    if isinstance(v, float):
        return v.is_integer() and 0 < v < 100
    if isinstance(v, int):
        return 0 < v < 100
    return isinstance(v, str) and v.strip().isdigit() and 0 < int(v.strip()) < 100


def _first_text_col(g: Grid, r: int) -> int:
    row = g.rows[r] if 0 <= r < g.height else []
    return next((c for c, v in enumerate(row) if isinstance(v, str) and v.strip()), 0)
