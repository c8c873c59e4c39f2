"""Executors for a batch: a local process pool (default) or a Dask cluster.

The map in ``xlbudget.batch.run`` works over any ``concurrent.futures.Executor``; a *pool* here is
what it needs beyond that: how to open a fresh executor after a worker crashed, and how to stop
one that holds a hung task.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Protocol

from xlbudget.batch.worker import init_worker, worker_ready


class Pool(Protocol):
    #: tasks that can run at once (sizes the in-flight window)
    workers: int
    #: whether ``kill`` really stops running tasks (then hung and crashed files are isolated)
    restartable: bool

    def open(self) -> Executor: ...

    def kill(self, executor: Executor) -> None: ...


def default_jobs() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class ProcessPool:
    """``ProcessPoolExecutor`` workers started from a fork server.

    forkserver, because the parent runs threads (progress bar, executor manager) and forking a
    threaded process can deadlock; the server preloads the checker so each worker starts warm.
    """

    restartable = True

    def __init__(self, jobs: int | None = None, preload: tuple[str, ...] = ()) -> None:
        self.workers = jobs or default_jobs()
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn")
        if self.context.get_start_method() == "forkserver" and preload:
            self.context.set_forkserver_preload(list(preload))

    def open(self) -> Executor:
        executor = ProcessPoolExecutor(self.workers, mp_context=self.context,
                                       initializer=init_worker)
        # Wait until every worker runs: a worker still starting when the pool is killed (Ctrl-C
        # in the first second) prints a traceback about its vanished semaphore.
        wait([executor.submit(worker_ready) for _ in range(self.workers)])
        return executor

    def kill(self, executor: Executor) -> None:
        # ProcessPoolExecutor cannot stop a running task (Python 3.14 adds kill_workers()); killing
        # its processes is the only way to free a worker stuck in native code. The pool then
        # fails its own futures; cancelling them first would make its manager thread raise.
        processes = getattr(executor, "_processes", None) or {}
        for proc in list(processes.values()):
            proc.kill()
        executor.shutdown(wait=True)


class GivenExecutor:
    """An executor the caller owns (a Dask ``ClientExecutor``, a thread pool): used as is.

    Hung tasks are abandoned rather than stopped; Dask itself retries a task whose worker died
    and then fails it with ``KilledWorker``, which becomes that file's error row.
    """

    restartable = False

    def __init__(self, executor: Executor, workers: int) -> None:
        self.executor = executor
        self.workers = max(1, workers)

    def open(self) -> Executor:
        return self.executor

    def kill(self, executor: Executor) -> None:
        """Nothing to stop; the caller shuts its executor down."""


class InlineExecutor(Executor):
    """Runs each task at once in this process's main thread (so the time-limit alarm works).

    For a single file a process pool would cost more to start than the check itself;
    concurrent.futures has no synchronous executor, hence these few lines.
    """

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # Ctrl-C and exits propagate to the caller, as in a loop
            fut.set_exception(exc)
        return fut


def inline_pool() -> GivenExecutor:
    return GivenExecutor(InlineExecutor(), 1)


@contextmanager
def dask_pool(address: str) -> Iterator[GivenExecutor]:
    """A pool on the Dask scheduler at ``address`` (``tcp://HOST:PORT``); needs xlbudget[dask].

    The files must be readable at the same paths on every worker (a shared folder).
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise PoolError("使用 --scheduler 需要安装 Dask：pip install 'xlbudget[dask]'") from exc
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise PoolError(f"无法连接 Dask 调度器 {address}（{exc}）") from exc
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise PoolError(f"Dask 调度器 {address} 没有可用的 worker")
        # Impure: a file re-run after a worker died needs a new task key, not the failed one.
        executor = client.get_executor(pure=False)
        yield GivenExecutor(executor, threads)
        executor.shutdown(wait=False)
    finally:
        client.close()


class PoolError(Exception):
    """A pool that cannot be opened; the message is Chinese."""
