"""The per-file work of ``xlbudget check`` besides the check itself
(``xlbudget.pipeline.check_file``): the marked-copy writer, a plain class so that it can be sent
to worker processes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xlbudget.findings import FileResult, Finding
from xlbudget.marks.plan import build_plan
from xlbudget.marks.safe import WriteError, default_output, verify_marks, write_safely
from xlbudget.marks.xlsx import render_file

#: Rule code of the note added when a marked copy could not be written (the check itself held).
MARK_RULE = "B-mark"


@dataclass(frozen=True, slots=True)
class MarkCopy:
    """Writes a marked copy of each file with an error or warning to ``out_dir``, mirroring
    the folders below ``base``, named as ``xlbudget mark`` names its copies (``单位_标注.xlsx``)."""

    out_dir: str
    base: str

    def destination(self, path: str) -> Path:
        src = Path(path).resolve()
        try:
            rel = src.relative_to(Path(self.base).resolve())
        except ValueError:
            rel = Path(src.name)
        return default_output(Path(self.out_dir) / rel, "标注")

    def __call__(self, path: str, result: FileResult) -> None:
        # Rounding notes (info) are on nearly every file; a copy is for files with problems.
        if not any(f.sheet and f.cell and f.severity in ("error", "warning")
                   for f in result.findings):
            return
        src, dst = Path(path), self.destination(path)
        if src.suffix.lower() not in (".xlsx", ".xlsm"):
            result.findings.append(Finding(
                MARK_RULE, "info", f"{src.name}：.xls 文件不能写入标注副本，请先另存为 .xlsx"))
            return
        plan = build_plan(result)
        done: dict[str, object] = {}

        def produce(tmp: Path) -> None:
            done["render"] = render_file(plan, src, tmp)

        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            write_safely(src, dst, produce, verify_marks(done))
        except (WriteError, OSError) as exc:
            result.findings.append(Finding(
                MARK_RULE, "info", f"{src.name}：未能写出标注副本（{exc}）"))


def common_base(paths: list[str]) -> str:
    """The folder the marked copies mirror: the deepest folder holding every given path."""
    dirs = [str(Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent)
            for p in paths]
    return os.path.commonpath(dirs) if dirs else os.getcwd()
