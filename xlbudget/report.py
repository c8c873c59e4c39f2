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
    by_sheet: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_sheet.setdefault(f.sheet or "（工作簿）", []).append(f)
    for sheet, items in by_sheet.items():
        lines.append(f"  [{sheet}]")
        lines.extend(finding_line(f) for f in items)
    c = result.counts()
    lines.append("  合计：" + "，".join(f"{SEVERITY_ZH[s]} {n}" for s, n in c.items()))
    return "\n".join(lines)


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
