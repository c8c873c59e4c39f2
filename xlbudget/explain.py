"""出错说明: explanations of findings, kept inside the workbook they explain.

In the official 决算 software every audit rule is either 必须修改 (must fix) or 可说明 (may be
explained); ``Rule.explainable`` declares which. A preparer who knows why a 可说明 finding is
legitimate writes a 出错说明; from then on the finding is reported with severity ``info``, the
text in ``explained``, and no longer sets exit code 1.

Where explanations live (documented in docs/explanations.md):

- the visible sheet :data:`SHEET` (出错说明): a title row, the header :data:`HEADER`, then one row
  per explanation: rule, sheet, cell, the cell's value when it was written, text, author, date.
  It is the user's content: ``clean`` never removes it, and the user may edit it by hand;
- the column :data:`REPORT_COLUMN` of the 校验结果 sheet, which the user may fill in: the next
  check reads what differs from the stored text as a *pending* explanation, and the next
  ``mark`` moves it into the sheet (the report sheet itself is replaced by every mark).

An explanation is judged on every check (``apply``): it explains the findings of its rule at its
cell while the cell shows the value it was written for. When the value changed (EX-a) or the
rule no longer fails there (EX-b) it is stale: a warning, and the finding counts again. An
explanation of a 必须修改 rule or an unreadable row is refused (EX-c). Rules that did not run
(``--select``/``--ignore``) leave their explanations unjudged.

This module imports no spreadsheet library: renderers write :func:`sheet_rows`.
"""

from __future__ import annotations

import datetime
import getpass
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from xlbudget.findings import Finding
from xlbudget.rules.catalog import REGISTRY
from xlbudget.rules.explanations import REFUSED, STALE_GONE, STALE_VALUE
from xlbudget.rules.registry import Rule
from xlbudget.sources.grid import Grid, Value, from_a1, to_a1
from xlbudget.sources.own import EXPLAIN_SHEET as SHEET
from xlbudget.sources.own import REPORT_SHEET, own_sheets
from xlbudget.tables.text import parse_amount

TITLE = ("出错说明：对“可说明”类校验问题的解释。xlbudget 每次校验都会读取本表，"
         "说明有效的问题记为“已说明”；单元格数值改变或问题消失后，说明会被提示为已过时。"
         "可直接编辑本表，也可用 xlbudget explain 命令或 Excel「出错说明」按钮填写。")
HEADER = ("规则", "工作表", "单元格", "当时数值", "说明", "填写人", "日期")
WIDTHS = (8, 30, 8, 14, 70, 12, 12)
#: The column of the 校验结果 sheet where the user may write an explanation.
REPORT_COLUMN = "出错说明"

#: The severities of a finding an explanation can be about (an explained one is info).
_PROBLEM = ("error", "warning")


@dataclass(slots=True)
class Explanation:
    rule: str
    sheet: str
    cell: str
    #: the cell's value when the explanation was written (as text; amounts compare as numbers)
    value: str
    text: str
    author: str = ""
    date: str = ""
    #: where it was read ("出错说明!A5", "校验结果!L12"); empty for a new one
    origin: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.rule, self.sheet, self.cell

    def row(self) -> list[str]:
        return [self.rule, self.sheet, self.cell, self.value, self.text, self.author, self.date]


@dataclass(slots=True)
class Stored:
    """The explanations a workbook holds: ``saved`` in the sheet, ``pending`` from the report
    column (not yet in the sheet), and ``problems`` (EX-c findings for unreadable rows)."""

    saved: list[Explanation] = field(default_factory=list)
    pending: list[Explanation] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    #: set by ``apply``: (rule, sheet, cell) -> the explanation's state in words
    status: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def current(self) -> list[Explanation]:
        """Saved explanations with the pending ones applied (a pending one replaces the saved
        one of the same rule and cell)."""
        merged = {e.key: e for e in self.saved}
        merged.update((e.key, e) for e in self.pending)  # in place: the order stays
        return list(merged.values())


def upsert(items: list[Explanation], new: Explanation) -> list[Explanation]:
    """``items`` with ``new`` replacing the explanation of the same rule and cell (in place in the
    order), or appended."""
    merged = {e.key: e for e in items}
    merged[new.key] = new
    return list(merged.values())


def remove(items: list[Explanation], rule: str, sheet: str, cell: str) -> list[Explanation]:
    return [e for e in items if e.key != (rule, sheet, cell)]


def normal_cell(cell: str) -> str:
    """``$b$7`` -> ``B7``; raises ValueError for what is not a cell address."""
    text = cell.replace("$", "").strip().upper()
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    if not (letters.isalpha() and letters.isascii() and 1 <= len(letters) <= 3 and digits
            and digits[0] != "0"):
        raise ValueError(cell)
    r, c = from_a1(text)
    if r >= 1_048_576 or c >= 16_384:  # beyond Excel's last cell XFD1048576
        raise ValueError(cell)
    return text


def cell_text(grid: Grid | None, cell: str) -> str:
    """A cell's value as stored in the 当时数值 column (numbers exact, as shown by parse_amount)."""
    if grid is None:
        return ""
    return value_text(grid.value(*from_a1(cell)))


def value_text(v: Value) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float):
        d, _, ok = parse_amount(float(v))
        return f"{d:f}" if ok and d is not None else str(v)
    return str(v).strip()


def _number(text: str) -> Decimal | None:
    d, _, ok = parse_amount(text)
    return d if ok else None


def same_value(a: str, b: str) -> bool:
    """Equal as numbers when both are numbers (7.2 = 7.20), else as trimmed text."""
    da, db = _number(a), _number(b)
    if da is not None and db is not None:
        return da == db
    return a.strip() == b.strip()


def _header_at(grid: Grid, names: Iterable[str], rows: int) -> tuple[int, dict[str, int]] | None:
    """The first row (of the first ``rows``) holding every name of ``names``, with columns."""
    want = list(names)
    for r in range(min(grid.height, rows)):
        cols = {grid.text(r, c): c for c in range(len(grid.rows[r]))}
        if all(n in cols for n in want):
            return r, cols
    return None


def read(grids: list[Grid]) -> Stored:
    """The explanations held by a workbook's sheets (as read, own sheets included)."""
    stored = Stored()
    sheet = next((g for g in grids if g.name == SHEET), None)
    if sheet is not None:
        _read_sheet(sheet, stored)
    ours = own_sheets(grids)
    saved = {e.key: e for e in stored.saved}
    by_name = {g.name: g for g in grids}
    for g in grids:
        if g.name in ours and g.name.startswith(REPORT_SHEET):
            _read_report(g, stored, saved, by_name)
    return stored


def _read_sheet(grid: Grid, stored: Stored) -> None:
    found = _header_at(grid, HEADER[:5], 10)
    if found is None:
        if any(grid.text(r, c) for r in range(grid.height) for c in range(len(grid.rows[r]))):
            stored.problems.append(_refused(
                f"工作表“{SHEET}”中找不到表头（{'、'.join(HEADER)}），其中的说明未被读取",
                SHEET, "A1"))
        return
    top, cols = found
    saved: dict[tuple[str, str, str], Explanation] = {}  # a later row replaces an earlier one
    for r in range(top + 1, grid.height):
        get = {name: grid.text(r, cols[name]) if name in cols else "" for name in HEADER}
        if not any(get.values()):
            continue
        where = to_a1(r, 0)
        missing = [n for n in HEADER[:3] + HEADER[4:5] if not get[n]]
        if missing:
            stored.problems.append(_refused(
                f"{SHEET}!{where} 这一行缺少{'、'.join(missing)}，未被采用", SHEET, where))
            continue
        try:
            cell = normal_cell(get["单元格"])
        except ValueError:
            stored.problems.append(_refused(
                f"{SHEET}!{where}：“{get['单元格']}”不是单元格地址（应如 B7），未被采用",
                SHEET, where))
            continue
        value = value_text(grid.value(r, cols["当时数值"]))
        e = Explanation(get["规则"], get["工作表"], cell, value, get["说明"], get["填写人"],
                        get["日期"], origin=f"{SHEET}!{where}")
        saved[e.key] = e
    stored.saved = list(saved.values())


def _read_report(grid: Grid, stored: Stored, saved: dict[tuple[str, str, str], Explanation],
                 by_name: dict[str, Grid]) -> None:
    """Texts written in the report sheet's 出错说明 column that the sheet does not hold yet."""
    found = _header_at(grid, ("规则", "工作表", "单元格", "表中数", REPORT_COLUMN), 20)
    if found is None:
        return
    top, cols = found
    pending = {e.key: e for e in stored.pending}
    for r in range(top + 1, grid.height):
        text = grid.text(r, cols[REPORT_COLUMN])
        rule, sheet, cell = (grid.text(r, cols[k]) for k in ("规则", "工作表", "单元格"))
        if not (text and rule and sheet and cell):
            continue
        try:
            cell = normal_cell(cell)
        except ValueError:
            continue  # a row of the report without a cell (a workbook-level finding)
        old = saved.get((rule, sheet, cell))
        if old is not None and old.text == text:
            continue  # the report shows the saved text: nothing new
        # The value the report showed is the value the user explained; else the current one.
        value = value_text(grid.value(r, cols["表中数"])) or cell_text(by_name.get(sheet), cell)
        e = Explanation(rule, sheet, cell, value, text,
                        origin=f"{grid.name}!{to_a1(r, cols[REPORT_COLUMN])}")
        pending[e.key] = e
    stored.pending = list(pending.values())


def report_target(grid: Grid, row: int) -> tuple[str, str, str] | None:
    """The finding row ``row`` (0-based) of a 校验结果 sheet lists, as (rule, sheet, cell); None
    for the summary block, the header or a finding without a cell."""
    found = _header_at(grid, ("规则", "工作表", "单元格"), 20)
    if found is None or row <= found[0]:
        return None
    cols = found[1]
    rule, sheet, cell = (grid.text(row, cols[k]) for k in ("规则", "工作表", "单元格"))
    try:
        return (rule, sheet, normal_cell(cell)) if rule and sheet else None
    except ValueError:
        return None


def _refused(message: str, sheet: str, cell: str, related: list[dict[str, str]] | None = None,
             ) -> Finding:
    return Finding(REFUSED, "warning", message, sheet=sheet, cell=cell, certain=True,
                   related=related or [])


def refusal(rule: Rule) -> str:
    """Why a 必须修改 rule cannot be explained (shown by the CLI, the add-in and EX-c)."""
    return (f"规则 {rule.code}（{rule.title}）属于“必须修改”类：这类问题必须改正表中的数字，"
            "不能以出错说明代替")


def apply(findings: list[Finding], stored: Stored, grids: list[Grid],
          ran: Callable[[str], bool]) -> list[Finding]:
    """Judge the workbook's explanations against its ``findings``: mark the explained findings
    (severity info, ``explained`` text) in place, and return the new findings (EX-a/b/c)."""
    out = list(stored.problems)
    by_name = {g.name: g for g in grids}
    at: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and f.severity in _PROBLEM:
            at.setdefault((f.rule, f.sheet, f.cell), []).append(f)
    for e in stored.current():
        stored.status[e.key] = _judge(e, REGISTRY.get(e.rule), at, by_name, ran, out)
    return out


def _judge(e: Explanation, rule: Rule | None, at: dict[tuple[str, str, str], list[Finding]],
           by_name: dict[str, Grid], ran: Callable[[str], bool], out: list[Finding]) -> str:
    """Judge one explanation: explain its findings or add a finding to ``out``; returns the
    explanation's state in words."""
    link = _link(e)
    here = e.sheet in by_name
    if rule is None:
        out.append(_refused(f"出错说明（{e.origin}）中的规则“{e.rule}”不存在，未被采用",
                            e.sheet if here else SHEET, e.cell if here else "A1", link))
        return "未采用：规则不存在"
    if not ran(e.rule):
        return "未判断：本次未运行该规则"
    if not rule.explainable:
        out.append(_refused(f"{e.sheet}!{e.cell} 的出错说明未被采用：{refusal(rule)}",
                            e.sheet if here else SHEET, e.cell if here else "A1", link))
        return "未采用：必须修改类规则"
    targets = at.get(e.key, [])
    if any(f.severity == "error" for f in targets):
        out.append(_refused(f"{e.sheet}!{e.cell} 是数字差错（{e.rule} 判为错误），"
                            "出错说明未被采用，请改正该数字", e.sheet, e.cell, link))
        return "未采用：该处是数字差错"
    now = cell_text(by_name.get(e.sheet), e.cell)
    if not targets:
        gone = f"规则 {e.rule} 在此处已不再报出问题" if here else "工作簿中已没有该工作表"
        out.append(Finding(STALE_GONE, "warning",
                           f"{e.sheet}!{e.cell} 的出错说明已过时：{gone}。"
                           f"请删除这条说明（“{_short(e.text)}”）",
                           sheet=e.sheet if here else SHEET, cell=e.cell if here else "A1",
                           actual=now or None, related=link))
        return f"已过时：{gone}"
    if not same_value(e.value, now):
        out.append(Finding(STALE_VALUE, "warning",
                           f"{e.sheet}!{e.cell} 的出错说明写于数值为 {e.value or '（空）'} 时，"
                           f"现为 {now or '（空）'}：说明已过时，请复核后重新说明"
                           f"（原说明：“{_short(e.text)}”）",
                           sheet=e.sheet, cell=e.cell, actual=now or None,
                           expected=e.value or None, related=link))
        return f"已过时：数值已由 {e.value or '（空）'} 变为 {now or '（空）'}"
    for f in targets:
        _explain(f, e)
    return "有效"


def _explain(f: Finding, e: Explanation) -> None:
    f.extra.update({"explained": e.text, "status": "explained",
                    "explained_severity": f.severity, "explained_by": e.author,
                    "explained_on": e.date})
    f.severity = "info"


def _link(e: Explanation) -> list[dict[str, str]]:
    """The row the explanation was read from, as a related cell."""
    sheet, _, cell = e.origin.partition("!")
    return [{"sheet": sheet, "cell": cell}] if sheet and cell else []


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def sheet_rows(items: list[Explanation]) -> list[list[str]]:
    """The 出错说明 sheet's content: title, header, one row per explanation."""
    return [[TITLE], list(HEADER), *(e.row() for e in items)]


def default_author() -> str:
    """The user's login name, the 填写人 when none is given."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (no USER, no passwd entry)
        return ""


def today() -> str:
    return datetime.date.today().isoformat()


def signed(items: list[Explanation], *, author: str, date: str) -> list[Explanation]:
    """``items`` about to be saved in the sheet: those not read from it (written in the report
    sheet, or new) get ``author`` and ``date`` where they have none."""
    return [e if e.origin.startswith(f"{SHEET}!") else
            replace(e, author=e.author or author, date=e.date or date, origin="")
            for e in items]


def to_save(stored: Stored) -> list[Explanation] | None:
    """For ``mark``/``fix``: the sheet's new content when explanations were written in the
    report sheet (which the mark replaces), so that they move into the sheet; else None."""
    if not stored.pending:
        return None
    return signed(stored.current(), author=default_author(), date=today())
