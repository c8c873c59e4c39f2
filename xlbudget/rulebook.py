"""Every rule's page with its formulas, for ``xlbudget rules CODE`` and ``docs/rules.md``.

The identities are data over the recognised tables, so their formulas are shown as they read on
a full sample written by the project's generator (every table filled). Rebuild the document with
``python -m xlbudget.rulebook docs/rules.md``; a test keeps it equal to this output.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from xlbudget.findings import SEVERITY_ZH
from xlbudget.rules.catalog import REGISTRY
from xlbudget.rules.selection import known_codes

#: seed 7 fills all nine tables (``generate.samples.CLEAN``)
_SEED = 7


def formulas(codes: list[str]) -> dict[str, list[str]]:
    """Each identity rule's equations in words, as on the generator's full sample."""
    if not any(REGISTRY[c].identities for c in codes):
        return {}
    # deferred: writing and reading the sample loads openpyxl and calamine, which a page
    # without formulas never needs
    from xlbudget.api import read
    from xlbudget.generate import generate, write

    with tempfile.TemporaryDirectory() as tmp:
        model = read(write(generate(_SEED), Path(tmp) / "sample.xlsx").path).model
    out: dict[str, list[str]] = {}
    for c in codes:
        rule = REGISTRY[c]
        if rule.identities:
            out[c] = list(dict.fromkeys(i.text for i in rule.build(model)))
    return out


def markdown(limit: int = 5) -> str:
    """``docs/rules.md``: the list of rules, then each rule's page and up to ``limit`` of its
    formulas."""
    codes = known_codes()
    found = formulas(codes)
    lines = ["# 校验规则一览", "",
             "本文件由 `python -m xlbudget.rulebook docs/rules.md` 根据规则目录"
             "（`xlbudget/rules/catalog.py`）生成"
             "（测试保证与程序一致），内容与 `xlbudget rules 代码` 显示的说明页相同。"
             "“公式”一栏是该规则在随附生成器写出的完整样例（九张表都有数据）上的恒等式，"
             "实际工作簿中按识别到的行和列逐一建立。", "",
             "| 代码 | 级别 | 类别 | 名称 |", "|---|---|---|---|"]
    for c in codes:
        r = REGISTRY[c]
        lines.append(f"| [{c}](#{c.lower()}) | {SEVERITY_ZH[r.severity]} | {r.fix_class} | "
                     f"{r.title.replace('|', '｜')} |")
    for c in codes:
        r = REGISTRY[c]
        lines += ["", f"## {c}", "", f"**{r.title}**（{SEVERITY_ZH[r.severity]}·{r.fix_class}）",
                  "", f"- 什么：{r.what}", f"- 为什么：{r.doc.why}",
                  f"- 例子：{r.doc.example}", f"- 如何修正：{r.doc.fix}"]
        if found.get(c):
            lines += ["", "公式（样例）：", ""]
            lines += [f"    {text}" for text in found[c][:limit]]
            if len(found[c]) > limit:
                lines.append(f"    ……（该样例中共 {len(found[c])} 条）")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("用法：python -m xlbudget.rulebook 输出.md", file=sys.stderr)
        return 2
    Path(args[0]).write_text(markdown(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
