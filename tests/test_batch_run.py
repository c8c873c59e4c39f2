"""The executor map on real files: process pool, thread pool and a Dask LocalCluster; crashes,
hangs, exceptions and unreadable files each become one error row while the others go on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from test_batch_helpers import bad_files, make_workbook, misbehaving_check, sum_check

from xlbudget.batch import GivenExecutor, ProcessPool, Task, discover, map_files


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for i in range(6):
        make_workbook(root / f"单位{i}.xlsx", total=30.0 if i % 2 == 0 else 31.5)
    return root


def _by_name(results: list) -> dict[str, object]:
    return {Path(r.path).name: r for r in results}


def test_process_pool_checks_good_and_unreadable_files(corpus: Path) -> None:
    bad = bad_files(corpus / "坏")
    paths = [str(p) for p in discover([corpus])]
    results = list(map_files(Task(sum_check), paths, ProcessPool(2)))
    assert sorted(r.path for r in results) == sorted(paths)
    got = _by_name(results)
    for i in range(6):
        r = got[f"单位{i}.xlsx"]
        assert r.status == ("ok" if i % 2 == 0 else "findings")
        if i % 2:
            f = r.findings[0]
            assert (f.rule, f.cell, f.actual, f.expected) == ("T1-sum", "B4", "31.50", "30.00")
    for key, word in [("text", "不是 Excel 工作簿"), ("corrupt", "损坏"), ("empty", "文件为空"),
                      ("encrypted", "加密")]:
        r = got[bad[key].name]
        assert r.status == "error"
        assert bad[key].name in r.error and word in r.error


@pytest.mark.parametrize("ordered", [False, True])
def test_crash_hang_and_exceptions_are_one_error_row_each(corpus: Path, ordered: bool) -> None:
    for name in ["crash.xlsx", "hang.xlsx", "stuck.xlsx", "raise.xlsx"]:
        make_workbook(corpus / name)
    paths = [str(p) for p in discover([corpus])]
    task = Task(misbehaving_check, timeout=1.0)
    start = time.monotonic()
    results = list(map_files(task, paths, ProcessPool(2), grace=1.0, ordered=ordered))
    elapsed = time.monotonic() - start
    if ordered:
        assert [r.path for r in results] == paths
    assert sorted(r.path for r in results) == sorted(paths)
    got = _by_name(results)
    assert "进程意外终止" in got["crash.xlsx"].error
    assert "超过 1 秒" in got["hang.xlsx"].error
    assert "超过 1 秒" in got["stuck.xlsx"].error
    assert "内部错误" in got["raise.xlsx"].error and "KeyError" in got["raise.xlsx"].error
    # The innocent files in flight beside the crash and the hang were re-run, not failed.
    assert [got[f"单位{i}.xlsx"].status for i in range(6)] == ["ok", "findings"] * 3
    assert elapsed < 30  # the hang is cut off, not waited for (600 s)


class _Counted:
    """An iterator over ``paths`` that counts how many the batch has pulled so far."""

    def __init__(self, paths: list[str]) -> None:
        self.paths, self.pulled = paths, 0

    def __iter__(self) -> Iterator[str]:
        for p in self.paths:
            self.pulled += 1
            yield p


def test_results_stream_with_bounded_in_flight(corpus: Path) -> None:
    paths = [str(p) for p in discover([corpus])] * 5
    source = _Counted(paths)
    with ThreadPoolExecutor(2) as ex:
        stream = map_files(Task(_counting_check), source, GivenExecutor(ex, 2), window=3)
        first = next(stream)
        assert first.path in paths
        assert source.pulled <= 4  # three in flight and at most one more pulled: nothing read ahead
        rest = list(stream)
    assert len(rest) + 1 == len(paths)
    assert _peak <= 3


def test_ordered_stream_waits_for_a_slow_file_within_the_window(corpus: Path) -> None:
    make_workbook(corpus / "slow.xlsx")
    paths = [str(corpus / "slow.xlsx"), *(str(p) for p in sorted(corpus.glob("单位*.xlsx")))] * 3
    source = _Counted(paths)
    with ThreadPoolExecutor(2) as ex:
        stream = map_files(Task(misbehaving_check), source, GivenExecutor(ex, 2), window=4,
                           ordered=True)
        assert next(stream).path == paths[0]
        # While the slow file ran, finished results waited, and they count against the window.
        assert source.pulled <= 4
        rest = list(stream)
    assert [r.path for r in rest] == paths[1:]


_lock = threading.Lock()
_running = 0
_peak = 0


def _counting_check(path: str, **options: object):
    global _running, _peak
    with _lock:
        _running += 1
        _peak = max(_peak, _running)
    try:
        time.sleep(0.02)
        return sum_check(path)
    finally:
        with _lock:
            _running -= 1


def test_closing_the_stream_stops_hung_workers(corpus: Path) -> None:
    make_workbook(corpus / "hang.xlsx")
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    paths = [str(corpus / "单位0.xlsx")] + [str(corpus / "hang.xlsx")] * 3
    stream = map_files(Task(misbehaving_check, timeout=600), paths, ProcessPool(2))
    assert next(stream).path == paths[0]  # the hung files are in flight now
    # Workers are forked by the fork server (our child), so they are our grandchildren.
    workers = [p for p in me.children(recursive=True)
               if p.pid not in before and p.ppid() != me.pid]
    assert workers
    stream.close()  # what Ctrl-C does while the map waits
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert alive == []


def test_thread_pool_time_limit_frees_the_slot(corpus: Path) -> None:
    # Off the main thread there is no alarm: the check runs in a helper thread that is
    # abandoned at the limit, as on a Dask worker.
    make_workbook(corpus / "hang.xlsx")
    paths = [str(corpus / "hang.xlsx"), *(str(p) for p in sorted(corpus.glob("单位*.xlsx")))]
    start = time.monotonic()
    with ThreadPoolExecutor(1) as ex:
        results = list(map_files(Task(misbehaving_check, timeout=0.5), paths,
                                 GivenExecutor(ex, 1), ordered=True))
        assert time.monotonic() - start < 10
    assert [r.path for r in results] == paths
    assert "超过 0.5 秒" in results[0].error
    assert [r.status for r in results[1:]] == ["ok", "findings"] * 3


def test_dask_local_cluster_runs_the_same_map(corpus: Path) -> None:
    distributed = pytest.importorskip("distributed")
    for name in ["raise.xlsx", "crash.xlsx"]:
        make_workbook(corpus / name)
    (corpus / "不是表格.xlsx").write_text("x", encoding="utf-8")
    paths = [str(p) for p in discover([corpus])]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        from xlbudget.batch import dask_pool

        with dask_pool(cluster.scheduler_address) as pool:
            assert pool.workers == 2
            results = list(map_files(Task(misbehaving_check, timeout=60), paths, pool,
                                     ordered=True))
        cluster.wait_for_workers(2, timeout=60)  # let the nannies finish their restarts
    got = _by_name(results)
    assert [r.path for r in results] == paths
    assert [got[f"单位{i}.xlsx"].status for i in range(6)] == ["ok", "findings"] * 3
    assert "KeyError" in got["raise.xlsx"].error
    assert "不是 Excel 工作簿" in got["不是表格.xlsx"].error
    # Dask retries a task whose worker died, then fails it (KilledWorker), and may fail tasks
    # queued on the dying workers with it; those run again alone, so only the culprit fails.
    assert "进程意外终止" in got["crash.xlsx"].error
