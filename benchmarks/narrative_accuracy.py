"""Accuracy of the narrative check on real published 说明: defects found and false flags.

Run from the repository root:

    python benchmarks/narrative_accuracy.py

Documents:

- the 2020 report of 巴中市政务服务和大数据管理局 (the product owner's specimen), text as
  published in a .docx, against the tables its figures imply (written by the project's writer,
  read back through calamine and recognition), with and without last year's workbook; its
  defects are enumerated in ``tests/fixtures/narrative/real.py``;
- excerpts of nine other published 说明 (``tests/fixtures/narrative/shapes.py``), checked without
  tables, and two of them (杜集区政府办, 六安市工商业联合会) also against the 三公 table
  published with them;
- generated clean narratives (three departments, three layouts), which must raise nothing.

A finding that matches no enumerated defect is a false flag. The figures are counts: they do
not depend on the machine or its load.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "narrative"))


def main() -> None:
    from real import (
        bazhong_blocks,
        bazhong_dataset,
        bazhong_defects,
        duji_dataset,
        liuan_dataset,
        score,
    )
    from shapes import DUJI_WITH_TABLE, EXCERPTS

    from xlbudget.engine import analyse
    from xlbudget.generate import generate, write
    from xlbudget.model import WorkbookModel
    from xlbudget.narrative import check_narrative
    from xlbudget.narrative.docx_source import Block, read_docx, write_docx
    from xlbudget.narrative.generate import narrative_blocks
    from xlbudget.sources.files import read_workbook

    tmp = Path(tempfile.mkdtemp())
    rows: list[tuple[str, str, int, int, int, str]] = []

    ds = bazhong_dataset()
    write(ds, tmp / "bz.xlsx", "shanghai")
    write(ds.prior, tmp / "bz-2019.xlsx", "shanghai")
    write_docx(bazhong_blocks(), tmp / "bz.docx")
    model = analyse(read_workbook(tmp / "bz.xlsx"), "bz.xlsx").model
    prior = analyse(read_workbook(tmp / "bz-2019.xlsx"), "bz-2019.xlsx").model
    paragraphs = {p.index: p.text for p in read_docx(tmp / "bz.docx").paragraphs}
    for label, last in (("with 2019 workbook", prior), ("without 2019 workbook", None)):
        defects = bazhong_defects(last is not None)
        result = score(check_narrative(tmp / "bz.docx", model, last), paragraphs, defects)
        missed = "; ".join(f"{d.rule} {d.quote}" for d in result.missed)
        rows.append((f"巴中市政务服务和大数据管理局 2020 ({label})", "tables", len(result.found),
                     len(defects), len(result.false), missed or "—"))

    for i, e in enumerate(EXCERPTS):
        path = tmp / f"excerpt{i}.docx"
        write_docx([Block("p", t) for t in e.paragraphs], path)
        found = check_narrative(path, WorkbookModel(str(path), year=e.year))
        result = score(found, {p.index: p.text for p in read_docx(path).paragraphs}, e.defects)
        missed = "; ".join(f"{d.rule} {d.quote}" for d in result.missed)
        rows.append((f"{e.name} ({e.date})", "text only", len(result.found), len(e.defects),
                     len(result.false), missed or "—"))

    for name, dataset, defects in (("杜集", duji_dataset, DUJI_WITH_TABLE),
                                   ("六安", liuan_dataset, ())):
        write(dataset(), tmp / f"{name}.xlsx", "central")
        t7 = analyse(read_workbook(tmp / f"{name}.xlsx"), f"{name}.xlsx").model
        excerpt = next(e for e in EXCERPTS if e.name.startswith(name))
        write_docx([Block("p", t) for t in excerpt.paragraphs], tmp / f"{name}.docx")
        result = score(check_narrative(tmp / f"{name}.docx", t7),
                       {p.index: p.text for p in read_docx(tmp / f"{name}.docx").paragraphs},
                       defects)
        rows.append((f"{excerpt.name}, with its published 三公 table", "T7 table",
                     len(result.found), len(defects), len(result.false),
                     "; ".join(f"{d.rule} {d.quote}" for d in result.missed) or "—"))

    for seed, layout in ((7, "shanghai"), (11, "central"), (4, "stacked")):
        g = generate(seed)
        write(g, tmp / f"g{seed}.xlsx", layout)
        write(g.prior, tmp / f"g{seed}-p.xlsx", layout)
        gm = analyse(read_workbook(tmp / f"g{seed}.xlsx"), "g").model
        gp = analyse(read_workbook(tmp / f"g{seed}-p.xlsx"), "gp").model
        write_docx(narrative_blocks(gm, gp, seed=seed), tmp / f"g{seed}.docx")
        flags = len(check_narrative(tmp / f"g{seed}.docx", gm, gp))
        rows.append((f"generated clean narrative (seed {seed}, {layout})", "tables", 0, 0, flags,
                     "—"))

    print("| document | checked against | defects found | defects enumerated | false flags "
          "| missed |")
    print("|---|---|---|---|---|---|")
    for name, against, found_n, total, false_n, missed in rows:
        print(f"| {name} | {against} | {found_n} | {total} | {false_n} | {missed} |")
    found_all = sum(r[2] for r in rows)
    total_all = sum(r[3] for r in rows)
    false_all = sum(r[4] for r in rows)
    print(f"\nall documents: {found_all} / {total_all} defects found, {false_all} false flags")


if __name__ == "__main__":
    main()
