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
