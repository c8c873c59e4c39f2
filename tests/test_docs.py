"""The documentation shows what the program does: the README's example output is the real
output, and docs/rules.md is what the rule registry generates."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from xlbudget.rulebook import markdown

ROOT = Path(__file__).resolve().parents[1]
_EXAMPLE = re.compile(r"<!-- example: (?P<cmd>[^>]+?) -->\n```console\n\$ (?P=cmd)\n"
                      r"(?P<out>.*?)\n```", re.S)


def test_readme_example_output_is_real() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = list(_EXAMPLE.finditer(readme))
    assert len(examples) >= 2
    for m in examples:
        args = shlex.split(m["cmd"])
        assert args[0] == "xlbudget"
        r = subprocess.run([sys.executable, "-m", "xlbudget", *args[1:]], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert r.stdout.rstrip("\n") == m["out"], (
            f"README's output of `{m['cmd']}` is stale; the program prints:\n{r.stdout}")


def test_rules_document_is_generated_from_the_registry() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == markdown(), "docs/rules.md is stale: python -m xlbudget.rulebook docs/rules.md"
    # every rule page has every section filled
    for section in ("- 什么：", "- 为什么：", "- 例子：", "- 如何修正："):
        assert not re.search(re.escape(section) + r"\s*$", text, re.M)
