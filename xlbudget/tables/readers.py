"""The data rows of each kind of table: coded (T2/T3/T5/T8/T9, rows by classification
code), blocks (T1/T4, income left and spending right), economic (T6, blocks of economic
items) and sangong (T7, one row of twelve amounts, or vertical)."""

from __future__ import annotations

from xlbudget.model import Row
from xlbudget.tables.region import (
    Column,
    Region,
    class_code,
    first_text_col,
    small_int,
)
from xlbudget.tables.specs import SANGONG_ITEMS, SANGONG_KINDS
from xlbudget.tables.text import canon_item, code_prefix, is_number_like, label, norm


class TableReader(Region):
    """A region read according to its table's kind."""

    def read_rows(self, cols: list[Column], header_rows: list[int], start: int) -> None:
        {"coded": self._read_coded, "blocks": self._read_blocks, "economic": self._read_economic,
         "sangong": self._read_sangong}[self.spec.kind](cols, header_rows, start)

    def _label_and_code_cols(self, cols: list[Column]) -> tuple[int | None, list[int], int | None]:
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

    def _read_coded(self, cols: list[Column], header_rows: list[int], start: int) -> None:
        label_col, code_cols, _ = self._label_and_code_cols(cols)
        if label_col is None:
            label_col = code_cols[-1] + 1 if code_cols else first_text_col(self.g, start)
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

    def _blocks(self, cols: list[Column]) -> list[tuple[str, list[Column]]]:
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

    def _read_blocks(self, cols: list[Column], header_rows: list[int], start: int) -> None:
        rows = self._data_rows(start)
        for block, bcols in self._blocks(cols):
            label_col = bcols[0].index
            line_col = next((c.index for c in bcols if "行次" in c.text), None)
            values = self._map_columns([c for c in bcols[1:] if c.index != line_col], block)
            if block == "income" and "amount" not in values and len(bcols) > 1:
                values = {"amount": bcols[-1].index}
            self.found[block] = set(values)
            read: set[str] = set()
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
                key = next((k for k, frags in self.spec.row_patterns(block, read)
                            if all(f in canon for f in frags)), None)
                if key is None:
                    continue
                read.add(key)
                self._add_row(r, lab, values, key=key, block=block, line=line)

    def _read_economic(self, cols: list[Column], header_rows: list[int], start: int) -> None:
        rows = self._data_rows(start)
        # Blocks start at each code column (or each name column when codes sit in the labels).
        label_cols = [c.index for c in cols if c.path and
                      (c.path[-1] in ("科目名称", "名称", "项目") or c.path[-1].endswith("名称"))]
        code_cols = [c.index for c in cols if c.path and ("编码" in c.path[-1] or
                                                           c.path[-1] in ("类", "款"))]
        amount_cols = [c.index for c in cols if c.path and c.index not in label_cols
                       and c.index not in code_cols and "行次" not in c.text]
        if not label_cols:
            label_cols = sorted({first_text_col(self.g, r) for r in rows[:1]}) or [0]
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

    def _read_sangong(self, cols: list[Column], header_rows: list[int], start: int) -> None:
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
                            if any(is_number_like(v) and not small_int(v) for v in self.g.rows[r]))
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
