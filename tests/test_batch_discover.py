"""File discovery: recursion, suffixes, lock files, own outputs, include/exclude, explicit files."""

from __future__ import annotations

from pathlib import Path

from test_batch_helpers import make_workbook

from xlbudget.batch import discover


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "决算"
    for rel in ["a.xlsx", "b.XLSM", "sub/c.xls", "sub/deep/d.xlsx", "2024/草稿/e.xlsx",
                "sub/~$c.xlsx", "sub/.~lock.d.xlsx#", "notes.txt", "data.csv", ".git/x.xlsx",
                "out/g.xlsx"]:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".xlsx"):
            make_workbook(p)
        else:
            p.write_bytes(b"x")
    return root


def _with_state_sheet(path: Path) -> Path:
    """A workbook carrying xlbudget's very hidden state sheet, as marked copies do."""
    import openpyxl

    from xlbudget.sources.own import STATE_SHEET

    make_workbook(path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(STATE_SHEET).sheet_state = "veryHidden"
    wb.save(path)
    return path


def test_own_outputs_are_skipped_by_content_not_by_name(tmp_path: Path) -> None:
    from xlbudget.batch.xlsx_report import XlsxSink
    from xlbudget.findings import Tally

    root = tmp_path / "in"
    _with_state_sheet(root / "单位_标注.xlsx")  # a marked copy: skipped
    _with_state_sheet(root / "单位.xlsx")  # fixed in place by the user: still an input
    make_workbook(root / "单位_修正.xlsx")  # the user's own revised file: an input
    XlsxSink(root / "上次的汇总.xlsx").close(Tally())  # a batch summary: skipped
    assert _rel(list(discover([root])), root) == ["单位.xlsx", "单位_修正.xlsx"]


def _rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_walks_recursively_in_order_and_skips_non_inputs(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = _rel(list(discover([root])), root)
    assert found == ["2024/草稿/e.xlsx", "a.xlsx", "b.XLSM", "out/g.xlsx", "sub/c.xls",
                     "sub/deep/d.xlsx"]


def test_include_exclude_globs_match_relative_path_or_name(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _rel(list(discover([root], include=["*.xlsx"])), root) == [
        "2024/草稿/e.xlsx", "a.xlsx", "out/g.xlsx", "sub/deep/d.xlsx"]
    assert _rel(list(discover([root], exclude=["**/草稿/*", "sub/*"])), root) == [
        "a.xlsx", "b.XLSM", "out/g.xlsx"]
    assert _rel(list(discover([root], include=["sub/*"], exclude=["*.xls"])), root) == [
        "sub/deep/d.xlsx"]


def test_output_folders_and_files_are_skipped(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = _rel(list(discover([root], skip=[root / "out", root / "a.xlsx"])), root)
    assert "out/g.xlsx" not in found and "a.xlsx" not in found and "sub/c.xls" in found


def test_explicit_files_are_kept_once_and_overlaps_deduplicated(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    notes = root / "notes.txt"
    found = list(discover([root / "a.xlsx", notes, root, root / "sub", root / "sub/~$c.xlsx"]))
    rel = _rel(found, root)
    # An explicitly named file is checked whatever its type (its reader says why it fails),
    # but a lock file never is.
    assert rel[:2] == ["a.xlsx", "notes.txt"]
    assert len(rel) == len(set(rel)) == 7
    assert "sub/~$c.xlsx" not in rel


def test_missing_path_is_passed_through_for_an_error_row(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.xlsx"
    assert list(discover([missing])) == [missing]


def test_linked_folder_cycles_end(tmp_path: Path) -> None:
    root = tmp_path / "r"
    make_workbook(root / "a" / "x.xlsx")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    found = list(discover([root]))
    assert [p.name for p in found] == ["x.xlsx"]
