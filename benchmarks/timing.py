"""The timing every benchmark shares: medians of interleaved rounds, so that load from other
processes on this shared machine hits the measured function and its baseline alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(fns: dict[str, Callable[[], object]], repeat: int, inner: int = 1) -> dict[str, float]:
    """Median seconds per call of each function over ``repeat`` rounds of ``inner`` calls,
    after one warm-up call each; rounds interleave the functions."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[k].append((time.perf_counter() - t0) / inner)
    return {k: statistics.median(v) for k, v in times.items()}
