"""The batch map: one task per file over an executor, results streamed as files finish.

At most ``window`` files are in flight, so memory stays flat however many files there are. A file
that raises, hangs past its time limit or kills its worker becomes one error row and the others go
on. When a local worker dies, ``ProcessPoolExecutor`` fails every task in flight (and a dying
Dask worker fails the tasks queued on it), so those files are re-run one at a time to find the
one that crashed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, Future, wait
from dataclasses import dataclass

from xlbudget.batch.pool import Pool
from xlbudget.batch.worker import (
    FileTimeout,
    Task,
    crash_result,
    internal_error,
    run_task,
    timeout_result,
)
from xlbudget.findings import FileResult

#: How often the parent looks at deadlines while waiting (seconds).
_POLL = 0.25


@dataclass(slots=True)
class _InFlight:
    index: int
    path: str
    started: float
    seen_running: bool = False


def map_files(
    task: Task,
    paths: Iterable[str],
    pool: Pool,
    *,
    window: int | None = None,
    ordered: bool = False,
    grace: float = 5.0,
) -> Iterator[FileResult]:
    """Yield one FileResult per path: in completion order, or in the order of ``paths`` when
    ``ordered`` (then finished results wait for earlier files, and count against ``window``).

    ``task.timeout`` is enforced inside the worker (see ``worker._limited``); the parent gives up
    on a file only later (``_backstop``), for a hang the worker cannot interrupt, and then stops
    the worker if the pool can. Closing the generator (or Ctrl-C while it waits) cancels what is
    queued and stops the workers.
    """
    size = window or (8 if ordered else 2) * pool.workers
    return _Batch(task, paths, pool, size, ordered, grace).run()


def _backstop(timeout: float, grace: float, window: int, pool: Pool) -> float:
    """Seconds after which the parent gives up on a file the worker did not stop itself (a hang
    in native code). A local pool shows when a task starts, with at most one file queued ahead
    of it; on Dask the clock runs from submission, behind up to window / workers files each
    stopped at ``timeout`` by its worker."""
    ahead = 1 if pool.restartable else -(-window // pool.workers)
    return (ahead + 1) * timeout + grace


class _Batch:
    def __init__(self, task: Task, paths: Iterable[str], pool: Pool, window: int,
                 ordered: bool, grace: float) -> None:
        self.task, self.pool, self.window, self.ordered = task, pool, window, ordered
        self.todo = enumerate(paths)
        self.hard_limit = _backstop(task.timeout, grace, window, pool) if task.timeout else None
        self.pending: dict[Future[FileResult], _InFlight] = {}
        self.retry: deque[tuple[int, str]] = deque()  # bumped by a restart, innocent: run next
        self.suspects: deque[tuple[int, str]] = deque()  # in flight when a worker died
        self.alone: int | None = None  # index of the suspect running by itself now
        self.held: dict[int, FileResult] = {}  # finished, waiting for earlier files (ordered)
        self.next_out = 0  # index of the next result to yield (ordered)
        self.executor = pool.open()

    def run(self) -> Iterator[FileResult]:
        clean = False
        try:
            self._fill()
            while self.pending or self.held:
                if self.pending:
                    done, _ = wait(list(self.pending), timeout=_POLL,
                                   return_when=FIRST_COMPLETED)
                    self._collect(done)
                    self._expire()
                yield from self._release()
                self._fill()
            clean = True
        finally:
            self._close(clean)

    def _emit(self, index: int, result: FileResult) -> None:
        self.held[index] = result

    def _release(self) -> Iterator[FileResult]:
        if not self.ordered:
            results = list(self.held.values())
            self.held.clear()
            yield from results
            return
        while self.next_out in self.held:
            yield self.held.pop(self.next_out)
            self.next_out += 1

    def _submit(self, index: int, path: str) -> None:
        try:
            fut = self.executor.submit(run_task, self.task, path)
        except BrokenExecutor:
            if not self.pool.restartable:
                self._emit(index, crash_result(path))
                return
            # The pool broke under tasks not collected yet; they will come back as suspects.
            self.retry.appendleft((index, path))
            self._restart()
            return
        except Exception as exc:  # the task cannot be sent (pickling): a bug, still one row
            self._emit(index, FileResult(path, error=internal_error(path, exc)))
            return
        self.pending[fut] = _InFlight(index, path, time.monotonic())

    def _room(self) -> bool:
        if len(self.pending) >= self.window:
            return False
        # Ordered: what waits for an earlier file counts too, so memory stays bounded.
        return not self.ordered or len(self.pending) + len(self.held) < self.window

    def _fill(self) -> None:
        if self.suspects or self.alone is not None:
            if not self.pending and self.suspects:
                index, path = self.suspects.popleft()
                self.alone = index
                self._submit(index, path)
            return
        while self._room():
            if self.retry:
                index, path = self.retry.popleft()
            else:
                item = next(self.todo, None)
                if item is None:
                    return
                index, path = item[0], str(item[1])
            self._submit(index, path)

    def _collect(self, done: set[Future[FileResult]]) -> None:
        crashed: list[tuple[int, str]] = []
        for fut in done:
            item = self.pending.pop(fut)
            result = self._outcome(fut, item.path)
            if result is None:
                crashed.append((item.index, item.path))
            else:
                self._emit(item.index, result)
        if self.alone is not None and not any(i.index == self.alone
                                              for i in self.pending.values()):
            alone, self.alone = self.alone, None
            if [i for i, _ in crashed] == [alone]:
                self._emit(alone, crash_result(crashed[0][1]))
                if self.pool.restartable:
                    self._restart()
                return
        if not crashed:
            return
        if self.pool.restartable:
            # Every task in flight fails with the pool, so any of them may be the cause. Keep
            # what finished before the break; re-run the rest one at a time.
            for fut, item in list(self.pending.items()):
                result = self._outcome(fut, item.path) if fut.done() else None
                if result is not None:
                    self._emit(item.index, result)
                else:
                    crashed.append((item.index, item.path))
            self.pending.clear()
            self._restart()
        # On Dask a dying worker also fails the tasks queued on it: each file it failed runs
        # again by itself once the others in flight are done.
        self.suspects.extend(sorted(crashed))

    def _expire(self) -> None:
        if self.hard_limit is None:
            return
        now = time.monotonic()
        expired = []
        for fut, item in self.pending.items():
            if not item.seen_running and fut.running():
                item.seen_running, item.started = True, now
            if now - item.started > self.hard_limit and not fut.done():
                expired.append(fut)
        if not expired:
            return
        for fut in expired:
            item = self.pending.pop(fut)
            if not self.pool.restartable:
                fut.cancel()  # frees a Dask slot; a local pool is killed below instead
            if item.index == self.alone:
                self.alone = None
            self._emit(item.index, timeout_result(item.path, self.task.timeout or 0))
        if self.pool.restartable:
            # Stopping the hung worker breaks the pool; the other files in flight are innocent.
            self.retry.extendleft(sorted(((i.index, i.path) for i in self.pending.values()),
                                         reverse=True))
            self.pending.clear()
            self._restart()

    def _outcome(self, fut: Future[FileResult], path: str) -> FileResult | None:
        """The file's result, or None when its worker process died (it may not be the cause)."""
        try:
            return fut.result()
        except BrokenExecutor:
            return None
        except CancelledError:
            return FileResult(path, error=f"{path}：任务被调度器取消，未完成校验")
        except FileTimeout:  # the alarm fired outside the worker's own handler
            return timeout_result(path, self.task.timeout or 0)
        except BaseException as exc:
            if type(exc).__name__ == "KilledWorker":  # Dask gave up after workers died
                return None
            return FileResult(path, error=internal_error(path, exc))

    def _restart(self) -> None:
        self.pool.kill(self.executor)
        self.executor = self.pool.open()

    def _close(self, clean: bool) -> None:
        if not self.pool.restartable:
            for fut in self.pending:
                fut.cancel()
            return
        if clean:
            self.executor.shutdown(wait=True)
        else:
            self.pool.kill(self.executor)
