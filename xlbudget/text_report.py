"""The text report: one line per problem, grouped by file and table.

A problem (see ``xlbudget.findings``) is one line, e.g. ``表6!C12 表中为 27.53，应为 34.76 [T6-a]``;
the candidate cells of a tie and the cells of one defect share that line. ``verbose`` adds each
finding's full message (the identity and its formula) and the rounding notes, which otherwise
are only counted. A file without problems is one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from xlbudget.coverage import coverage_lines
from xlbudget.findings import SEVERITIES, FileResult, Finding, Tally, defect_groups, problem_counts
from xlbudget.sources.grid import from_a1
from xlbudget.tables.specs import SPECS

__all__ = ["TextSink", "file_text", "group_line", "problem_text", "report_text"]

_MARK = {"error": "✗", "warning": "!", "info": "·"}
#: Messages of localisation findings start so (``locate.messages.repair``).
_REPAIR_HEADS = ("表中为", "可能有误")
#: A tie names at most this many of its cells on its line.
_MAX_CELLS = 6


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _where(f: Finding, home: str | None = None) -> str:
    loc = f.extra.get("location") if f.extra else None
    if isinstance(loc, dict) and loc.get("quote"):
        return f"{loc.get('file', '')}·第{loc.get('paragraph', '?')}段"
    if f.sheet and f.cell:
        return f.cell if f.sheet == home else f"{f.sheet}!{f.cell}"
    return f.sheet or "工作簿"


def _is_repair(f: Finding) -> bool:
    return f.cell is not None and f.message.startswith(_REPAIR_HEADS)


def _value_text(f: Finding) -> str:
    """``表中为 a，应为 b`` for a repaired cell."""
    shown = "表中为空" if f.actual is None else f"表中为 {f.actual}"
    if f.expected is None:
        return f"{shown}，应为多少无法唯一确定"
    return f"{shown}，应为 {f.expected}"


def _rules(group: Sequence[Finding]) -> str:
    return " ".join(dict.fromkeys(f.rule for f in group))


def _tie_text(group: Sequence[Finding]) -> str:
    home = group[0].sheet
    cells = [_where(f, home) for f in group]
    named = "、".join(cells[:_MAX_CELLS]) + (" 等" if len(cells) > _MAX_CELLS else " 这")
    diffs = {(_number(f.expected) or Decimal(0)) - (_number(f.actual) or Decimal(0))
             for f in group if f.expected is not None}
    if len(diffs) == 1 and all(f.expected is not None for f in group):
        d = diffs.pop()
        change = f"应{'增加' if d > 0 else '减少'} {abs(d)}"
    else:
        change = "各格应为：" + "、".join(f"{_where(f, home)} {f.expected or '？'}"
                                     for f in group[:_MAX_CELLS])
    return f"{home}!{named} {len(group)} 格中有一格有误（无法确定是哪一格），该格{change}"


def _same_text_correction(group: Sequence[Finding]) -> bool:
    """Findings on one cell that agree on a text correction, one of them certain (NM-c: the
    name is outdated; NM-a: it differs from another table's) — their messages say the same."""
    pairs = {(f.actual, f.expected) for f in group}
    if len(group) < 2 or len(pairs) != 1 or not any(f.certain for f in group):
        return False
    actual, expected = pairs.pop()
    return (actual is not None and expected is not None and _number(actual) is None
            and _number(expected) is None)


def group_line(group: Sequence[Finding]) -> str:
    """One problem on one line, marked by its severity (and, for the 情况说明, its sentence
    on the next line)."""
    first = group[0]
    line = f"  {_MARK.get(first.severity, '·')} {problem_text(group)}"
    loc = first.extra.get("location") if first.extra else None
    if isinstance(loc, dict) and loc.get("quote"):
        # a Word document has no cell address: the sentence is where to look
        line += f"\n      “{loc['quote']}”"
    return line


def problem_text(group: Sequence[Finding]) -> str:
    """A problem in words: where, what, and its rule codes in brackets
    (``表6!C12 表中为 27.53，应为 34.76 [T6-a]``)."""
    first = group[0]
    certain = all(f.certain for f in group)
    if len(group) > 1 and not certain and all(_is_repair(f) for f in group):
        body = _tie_text(group)
    elif all(_is_repair(f) for f in group):
        home = first.sheet
        parts = [f"{_where(f, home if i else None)} {_value_text(f)}"
                 for i, f in enumerate(group)]
        body = "；".join(dict.fromkeys(parts))
        if not certain:
            body += "（候选）"
    elif _same_text_correction(group):
        # a name judged wrong by several rules: what it says and what it should say
        body = f"{_where(first)} 表中为“{first.actual}”，应为“{first.expected}”"
    else:
        messages = "；".join(dict.fromkeys(f.message for f in group))
        body = f"{_where(first)} {messages}"
        if not any(f.certain for f in group) and first.severity != "info":
            body += "（候选）"
    explained = next((f.extra["explained"] for f in group if f.extra.get("explained")), None)
    if explained:
        body += f"（已说明：{explained}）"
    return f"{body} [{_rules(group)}]"


def _details(group: Sequence[Finding]) -> list[str]:
    """The full messages (identities and formulas) of a group, for ``--verbose``; a tie's
    candidates share their identities, so its first message is shown with every candidate."""
    if len(group) > 1 and not any(f.certain for f in group) and all(map(_is_repair, group)):
        home = group[0].sheet
        values = "、".join(f"{_where(f, home)} {f.actual}→{f.expected or '？'}" for f in group)
        return [f"      {_where(group[0])} {group[0].rule}：{group[0].message}",
                f"      各候选格（表中为→若此格有误应为）：{values}"]
    return [f"      {_where(f)} {f.rule}：{f.message}" for f in group]


_COUNT_ZH = {"error": "错误", "warning": "警告", "info": "提示", "explained": "已说明"}


def _count_text(counts: dict[str, int], always: tuple[str, ...] = ()) -> str:
    keys = [k for k in (*SEVERITIES, "explained") if counts.get(k) or k in always]
    return "，".join(f"{_COUNT_ZH[k]} {counts[k]} 处" for k in keys)


def _rounding_text(n: int, verbose: bool) -> str:
    if not n:
        return ""
    return (f"另有 {n} 组合计与明细的差异在四舍五入误差范围内"
            + ("（见上）" if verbose else "（--verbose 列出）"))


def file_text(result: FileResult, *, verbose: bool = False, coverage: bool = False) -> str:
    """One file's block; a file without problems is one line (plus one line saying what was
    not checked, if anything; ``coverage`` lists every rule's coverage)."""
    if result.status == "error":
        # the message names the file already (``单位.xlsx：…``): not twice on the line
        error = (result.error or "").removeprefix(f"{Path(result.path).name}：")
        return f"{result.path}：无法校验：{error}"
    tail = [f"  {line}" for line in coverage_lines(result.coverage, full=coverage)]
    return "\n".join([_file_text(result, verbose=verbose), *tail])


def _file_text(result: FileResult, *, verbose: bool) -> str:
    rounding = [f for f in result.findings if f.extra.get("rounding")]
    groups = defect_groups([f for f in result.findings if not f.extra.get("rounding")])
    head = f"{result.path}：识别到 {len(result.tables)} 张表"
    if verbose:
        head += "：" + "、".join(f"{t.key}({t.sheet})" for t in result.tables)
    elif groups:
        head += "（" + "、".join(t.key for t in result.tables) + "）"
    ignored = (f"；未识别为标准表的工作表（已忽略）：{'、'.join(result.ignored_sheets)}"
               if result.ignored_sheets else "")
    if not groups and not (verbose and rounding):
        note = _rounding_text(len(rounding), False)
        return f"{head}，未发现问题{'；' + note if note else ''}{ignored}"
    lines = [head + ignored]
    sections: dict[str, list[str]] = {}
    for g in groups:
        section = sections.setdefault(_section(result, g[0]), [])
        section.append(group_line(g))
        if verbose:
            section.extend(_details(g))
    if verbose:
        for f in rounding:
            sections.setdefault(_section(result, f), []).append(
                f"  {_MARK['info']} {_where(f)} {f.message} [{f.rule}]")
    # tables in their order T1…T9, then sheets, the workbook and the narrative
    for name, items in sorted(sections.items(), key=lambda kv: (kv[0][0] != "T", kv[0])):
        lines.append(f"  [{name}]")
        lines.extend(items)
    total = _count_text(problem_counts(result.findings)) or "未发现问题"
    note = _rounding_text(len(rounding), verbose)
    lines.append(f"  合计：{total}" + (f"；{note}" if note else ""))
    if verbose:
        lines.append(f"  （共 {len(result.findings)} 条记录）")
    return "\n".join(lines)


def report_text(results: Sequence[FileResult], *, verbose: bool = False,
                coverage: bool = False) -> str:
    """The whole text report of ``results``, as ``xlbudget check`` prints it."""
    blocks = [file_text(r, verbose=verbose, coverage=coverage) for r in results]
    if len(results) > 1:
        tally = Tally()
        for r in results:
            tally.add(r)
        blocks.append(_batch_line(tally))
    return "\n\n".join(blocks) + "\n"


def _section(result: FileResult, f: Finding) -> str:
    """The table a finding's cell lies in (by sheet and row range), else its sheet."""
    if not f.sheet:
        return "工作簿" if not f.extra.get("location") else "情况说明"
    if f.cell:
        row = from_a1(f.cell)[0]
        for t in result.tables:
            if t.sheet == f.sheet and ":" in t.range:
                top, bottom = (from_a1(a)[0] for a in t.range.split(":"))
                if top <= row <= bottom:
                    return f"{t.key} {SPECS[t.key].name}（工作表 {t.sheet}）"
    return f"工作表 {f.sheet}"


def _batch_line(tally: Tally) -> str:
    counts = _count_text({"error": 0, "warning": 0, **tally.problems},
                         always=("error", "warning"))
    return f"共 {tally.files} 个文件：{counts}，无法读取 {tally.summary['unreadable']} 个"


class TextSink:
    """Writes each file's block as it arrives, then a one-line summary of the batch."""

    def __init__(self, stream: IO[str], *, verbose: bool = False,
                 coverage: bool = False) -> None:
        self.stream = stream
        self.verbose = verbose
        self.coverage = coverage

    def add(self, result: FileResult) -> None:
        self.stream.write(file_text(result, verbose=self.verbose, coverage=self.coverage)
                          + "\n\n")
        self.stream.flush()

    def close(self, tally: Tally) -> None:
        if tally.files > 1:
            self.stream.write(_batch_line(tally) + "\n")
        self.stream.flush()
