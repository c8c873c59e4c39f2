"""The work limits of reading one file (size, compression ratio, cells of a sheet's area), their
defaults and the environment variables that raise them."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from xlbudget.sources.grid import SourceError

MB = 1024 * 1024
#: environment variables that raise the limits (also set by the --max-* options)
ENV_SIZE, ENV_RATIO, ENV_CELLS = "XLBUDGET_MAX_SIZE", "XLBUDGET_MAX_RATIO", "XLBUDGET_MAX_CELLS"
_FLAG = {ENV_SIZE: "--max-size", ENV_RATIO: "--max-ratio", ENV_CELLS: "--max-cells"}
#: parts smaller than this are not held to the ratio (a tiny part can compress very well).
RATIO_FLOOR = 4 * MB


def mb(n: float) -> str:
    return f"{n / MB:.3g} MB"


def how_to_raise(env: str) -> str:
    return f"可用 {_FLAG[env]} 或环境变量 {env} 提高上限"


@dataclass(frozen=True, slots=True)
class Limits:
    """Work limits of one file. Defaults keep a worker under 1 GB of memory."""

    #: uncompressed size of the whole package (bytes); the file size for .xls
    max_size: int = 512 * MB
    #: uncompressed / compressed size of any part larger than ``RATIO_FLOOR``
    max_ratio: float = 100.0
    #: cells of one sheet's area from A1 to its last used cell, as the reader allocates it;
    #: a check costs about 140 bytes a cell over a 150 MB base (docs/performance.md)
    max_cells: int = 6_000_000

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(int(_env(ENV_SIZE, d.max_size / MB) * MB), _env(ENV_RATIO, d.max_ratio),
                   int(_env(ENV_CELLS, d.max_cells)))


def _env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or math.isinf(value):
        raise SourceError(f"环境变量 {name} 的值“{raw}”不是正数")
    return value
