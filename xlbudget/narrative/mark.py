"""The marked copy of a narrative: each wrong figure highlighted, with a Word comment that gives
the right value and the rule. Findings carry their place (paragraph and character span) in
``location``; python-docx does the writing through ``docx_source``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from xlbudget.findings import Finding
from xlbudget.narrative.docx_source import Mark, NarrativeError, write_marked


def comment_text(f: Finding) -> str:
    """The comment for one finding: the message (which gives the right value) and the rule."""
    from xlbudget.rules.catalog import REGISTRY

    rule = REGISTRY.get(f.rule)
    loc = f.extra.get("location") or {}
    message = f.message.removesuffix(f"（{loc.get('part')}）")
    if f.expected is not None and f.expected not in message:
        message += f"，应为 {f.expected}"
    return f"{message}。[{f.rule} {rule.title if rule is not None else ''}]"


def mark(docx_path: str | Path, findings: Sequence[Finding], out_path: str | Path) -> int:
    src, out = Path(docx_path), Path(out_path)
    if src.resolve() == out.resolve():
        raise NarrativeError(f"{src.name}：标注结果不能覆盖原文件，请指定另一个输出文件")
    marks = []
    for f in findings:
        loc = f.extra.get("location") if f.extra else None
        if not isinstance(loc, dict) or loc.get("paragraph") is None:
            continue
        start, end = loc.get("start"), loc.get("end")
        if start is None or end is None:
            continue
        marks.append(Mark(int(loc["paragraph"]), int(start), int(end), comment_text(f)))
    return write_marked(src, marks, out)
