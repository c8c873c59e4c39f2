"""Speed of the narrative check against a plain python-docx load of the same document.

Both are measured in the same run, on the same file, and printed as ratios to the baseline.
Run from the repository root:

    python benchmarks/narrative_speed.py [--repeat N]

Document: ``workbooks/sample-shanghai-说明.docx`` checked against ``sample-shanghai.xlsx`` (and
its ``-prior`` companion); a second document is the same text repeated five times, to see how
the check grows with the length of the document. The marked copy is written for the findings the
document gets against another department's workbook (``sample-central.xlsx``), so that there are
many marks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    import docx

    from xlbudget.engine import analyse
    from xlbudget.narrative import check_narrative, mark_docx
    from xlbudget.narrative.checks import run_checks
    from xlbudget.narrative.docx_source import read_docx, write_docx
    from xlbudget.narrative.extract import extract
    from xlbudget.narrative.facts import table_facts
    from xlbudget.narrative.generate import narrative_blocks
    from xlbudget.narrative.parse import parse
    from xlbudget.sources.files import read_workbook

    wb = ROOT / "workbooks" / "sample-shanghai.xlsx"
    model = analyse(read_workbook(wb), str(wb)).model
    prior_wb = ROOT / "workbooks" / "sample-shanghai-prior.xlsx"
    prior = analyse(read_workbook(prior_wb), str(prior_wb)).model
    tmp = Path(tempfile.mkdtemp())
    single = ROOT / "workbooks" / "sample-shanghai-说明.docx"
    long = tmp / "long.docx"
    write_docx(narrative_blocks(model, prior, seed=7) * 5, long)

    print("| document | paragraphs / figures | baseline: python-docx load | read_docx | "
          "parse + extract | facts + checks | check_narrative | findings marked | mark | "
          "workbook check (calamine + engine) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    # Checked against another department's workbook, the document has many wrong figures.
    other_wb = ROOT / "workbooks" / "sample-central.xlsx"
    other = analyse(read_workbook(other_wb), str(other_wb)).model
    for path in (single, long):
        text = read_docx(path)
        narrative = parse(text)
        figures, placeholders = extract(narrative)
        findings = check_narrative(path, other)
        out = tmp / "marked.docx"
        t = timed({
            "base": lambda p=path: docx.Document(str(p)),
            "read": lambda p=path: read_docx(p),
            "extract": lambda t=text: extract(parse(t)),
            "checks": lambda n=narrative, f=figures, ph=placeholders: run_checks(
                n, f, ph, table_facts(model), table_facts(prior), model.year),
            "whole": lambda p=path: check_narrative(p, model, prior),
            "mark": lambda p=path, f=findings, o=out: mark_docx(p, f, o),
            "workbook": lambda: analyse(read_workbook(wb), str(wb)),
        }, args.repeat)
        b = t["base"]
        cells = " | ".join(f"{t[k] / b:.2f}×" for k in ("read", "extract", "checks", "whole"))
        cells += f" | {len(findings)} | {t['mark'] / b:.2f}× | {t['workbook'] / b:.2f}×"
        print(f"| `{path.name}` | {len(text.paragraphs)} / {len(figures)} | 1.00× "
              f"({b * 1000:.0f} ms) | {cells} |")


if __name__ == "__main__":
    main()
