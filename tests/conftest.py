"""Shared fixtures: generated sample workbooks, written once per session and read back for real."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from xlbudget.generate import Sample, generate, write

# xlwings' JSON-book engine needs a key; government use is a permitted noncommercial purpose.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="session")
def make_sample(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Sample]:
    """``make_sample(layout, seed, **style)`` -> a Sample written to a session temp folder."""
    cache: dict[tuple, Sample] = {}
    root = tmp_path_factory.mktemp("samples")

    def make(layout: str = "shanghai", seed: int = 1, **style: object) -> Sample:
        key = (layout, seed, tuple(sorted(style.items())))
        if key not in cache:
            name = f"{layout}-{seed}-{len(cache)}.xlsx"
            cache[key] = write(generate(seed), root / name, layout, **style)
        return cache[key]

    return make


@pytest.fixture
def edit_copy(tmp_path: Path) -> Callable[..., Path]:
    """``edit_copy(sample, [(sheet, cell, value), …])`` -> path of an edited copy of its file."""
    from xlbudget.generate.inject import inject

    counter = iter(range(10**6))

    def edit(sample: Sample, edits: list[tuple[str, str, object]]) -> Path:
        out = tmp_path / f"edited-{next(counter)}.xlsx"
        inject(sample.path, out, edits)
        return out

    return edit
