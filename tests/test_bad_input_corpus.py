"""Every command on every kind of broken or hostile input (``bad_corpus``): the exit code, a
Chinese message naming the file, no traceback or raw exception name, the input's bytes
unchanged (``fix --in-place`` only after a backup), and nothing left behind but the output."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from bad_corpus import NAMES, Kind, build
from click.testing import CliRunner

from xlbudget.cli import main

COMMANDS = (("check",), ("check", "--format", "csv"), ("mark",), ("fix",), ("charts",),
            ("clean",), ("fix", "--in-place"))
#: what only a bug shows a user
RAW = re.compile(r"Traceback|KeyError|IndexError|ParseError|ValueError|TypeError|"
                 r"AttributeError|内部错误")
#: outputs a command may add beside its input
OUTPUTS = {"mark": "_标注", "fix": "_修正", "charts": "_图表"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Kind]:
    from xlbudget.generate import generate, write

    root = tmp_path_factory.mktemp("corpus")
    sample = write(generate(1), root / "sample.xlsx", "shanghai").path
    return {k.name: k for k in build(Path(sample), root / "kinds")}


def test_corpus_is_large(corpus: dict[str, Kind]) -> None:
    assert len(NAMES) >= 40 and tuple(corpus) == NAMES


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    if not folder.is_dir():
        return {}
    return {p.name: (hashlib.sha256(p.read_bytes()).digest() if p.is_file() else None)
            for p in folder.iterdir() if not p.is_symlink()}


@pytest.mark.parametrize("name", NAMES)
def test_every_command(corpus: dict[str, Kind], name: str) -> None:
    kind = corpus[name]
    folder = kind.path.parent if kind.path.parent.is_dir() else kind.path.parent.parent
    original = kind.path.read_bytes() if kind.path.is_file() else None
    for command in COMMANDS:
        before = _snapshot(folder)
        res = CliRunner().invoke(main, [*command, str(kind.path)], env=kind.env)
        out, code = res.output, res.exit_code
        what = f"{' '.join(command)} on {name}: exit {code}\n{out}"
        assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), \
            what
        assert not RAW.search(out), what
        # The message names the file (or the copy named after it, when that one failed).
        assert kind.path.name in out or kind.path.stem in out, what
        assert re.search(r"[\u4e00-\u9fff]", out), what  # in Chinese
        if command[0] == "clean" and code == 0:
            assert "无需清除" in out, what  # read, and nothing of ours to take out
        elif not kind.readable:
            assert code == 2, what
            assert kind.says in out, what
        elif (command[0] in OUTPUTS and kind.write_says
              and not ("--in-place" in command and kind.in_place_ok)) or command[0] == "clean":
            assert code == 2 and kind.write_says and kind.write_says in out, what
        elif command[0] == "charts":
            assert code == 0, what
        else:
            assert code in (0, 1), what
        after = _snapshot(folder)
        added = sorted(set(after) - set(before))
        in_place = "--in-place" in command and code in (0, 1)
        if in_place:
            # Replaced only after a backup holding the original bytes.
            backups = [n for n in added if ".备份-" in n]
            assert len(backups) == 1, what
            assert (folder / backups[0]).read_bytes() == original, what
            assert added == backups, what
            original = kind.path.read_bytes()
        else:
            if original is not None:
                assert kind.path.read_bytes() == original, what  # input untouched
            if code == 2 or command[0] in ("check", "clean"):
                assert added == [], what  # nothing written, nothing partial
            else:
                assert [n for n in added if OUTPUTS[command[0]] not in n] == [], what
                assert len(added) <= 1, what
        assert not [n for n in after if n.startswith(".") or "xlbudget-tmp" in n], what
