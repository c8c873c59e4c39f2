"""The text report: grouped by file and sheet, one line per finding
(``sheet!cell  rule  message``)."""

from __future__ import annotations

from typing import IO

from xlbudget.findings import SEVERITY_ZH, FileResult, Finding

_MARK = {"error": "✗", "warning": "!", "info": "·"}


def finding_line(f: Finding) -> str:
    where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "工作簿")
    loc = f.extra.get("location") if f.extra else None
    if isinstance(loc, dict) and loc.get("quote"):
        where = f"{loc.get('file', '')}·第{loc.get('paragraph', '?')}段"
    line = f"  {_MARK[f.severity]} {where}  {f.rule}  {f.message}"
    if not f.certain and f.severity != "info":
        line += "（候选）"
    if isinstance(loc, dict) and loc.get("quote"):
        line += f"\n      “{loc['quote']}”"
    return line


def file_text(result: FileResult) -> str:
    lines = [f"{result.path}"]
    if result.status == "error":
        lines.append(f"  无法校验：{result.error}")
        return "\n".join(lines)
    names = "、".join(f"{t.key}({t.sheet})" for t in result.tables)
    lines.append(f"  识别到 {len(result.tables)} 张表：{names}")
    if result.ignored_sheets:
        lines.append(f"  未识别为标准表的工作表（已忽略）：{'、'.join(result.ignored_sheets)}")
    if not result.findings:
        lines.append("  未发现问题。")
        return "\n".join(lines)
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(_group(result, f), []).append(f)
    # tables in their order T1…T9, then sheets, the workbook and the narrative
    for name, items in sorted(groups.items(), key=lambda kv: (kv[0][0] != "T", kv[0])):
        lines.append(f"  [{name}]")
        lines.extend(finding_line(f) for f in items)
    c = result.counts()
    lines.append("  合计：" + "，".join(f"{SEVERITY_ZH[s]} {n}" for s, n in c.items()))
    return "\n".join(lines)


def _group(result: FileResult, f: Finding) -> str:
    """The table a finding's cell lies in (by sheet and row range), else its sheet."""
    from xlbudget.sources.grid import from_a1
    from xlbudget.tables.specs import SPECS

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


class TextSink:
    """Writes each file's block as it arrives, then a one-line summary of the batch."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def add(self, result: FileResult) -> None:
        self.stream.write(file_text(result) + "\n\n")
        self.stream.flush()

    def close(self, tally: object) -> None:
        s = getattr(tally, "summary", {})
        if s.get("files", 0) > 1:
            self.stream.write(
                f"共 {s['files']} 个文件：错误 {s['error']}，警告 {s['warning']}，"
                f"提示 {s['info']}，"
                f"无法读取 {s['unreadable']} 个\n")
        self.stream.flush()
