"""The examples of docs/api.md run as doctests from a copy of the repository's layout, so the
documentation shows what the library really does."""

from __future__ import annotations

import doctest
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("doc", ["docs/api.md"])
def test_examples_run(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The examples write beside their inputs: run them on a copy of workbooks/.
    shutil.copytree(ROOT / "workbooks", tmp_path / "workbooks")
    monkeypatch.chdir(tmp_path)
    text = (ROOT / doc).read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, doc, doc, 0)
    assert len(test.examples) > 20  # the page's examples were found
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []  # doctest swaps sys.stdout while it runs: collect its report
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)
    assert os.getcwd() == str(tmp_path)
