"""The committed sample workbooks are exactly what the generator writes today: regenerate into
a temporary folder and compare byte for byte (the generator fixes zip times and document dates,
so an unchanged sample rebuilds identically)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from xlbudget.generate.samples import build

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks"


def _parts_differing(a: Path, b: Path) -> list[str]:
    if a.suffix == ".md":
        return [] if a.read_bytes() == b.read_bytes() else [a.name]
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names = sorted(set(za.namelist()) | set(zb.namelist()))
        return [n for n in names
                if n not in za.namelist() or n not in zb.namelist() or za.read(n) != zb.read(n)]


def test_committed_samples_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = build(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in COMMITTED.iterdir()
                                                     if p.is_file()), \
        "workbooks/ holds files the generator does not write, or misses some"
    stale = {p.name: _parts_differing(COMMITTED / p.name, p) for p in written
             if (COMMITTED / p.name).read_bytes() != p.read_bytes()}
    assert not stale, ("workbooks/ is out of date; rebuild with "
                       f"`python -m xlbudget.generate.samples workbooks`: {stale}")


def test_sample_narrative_alone_has_no_finding(tmp_path: Path) -> None:
    """Marked without its workbook, the generated (clean) narrative is checked on its own: a
    "主要包括" list inside a part is not added to the whole."""
    import subprocess
    import sys

    docx = tmp_path / "sample-shanghai-说明.docx"
    docx.write_bytes((COMMITTED / docx.name).read_bytes())
    r = subprocess.run([sys.executable, "-m", "xlbudget", "mark", str(docx)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "错误 0 个，警告 0 个" in r.stdout and "只做说明内部的核对" in r.stderr
