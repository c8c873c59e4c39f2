"""The batch map: one task per file over an executor, results streamed in completion order.

At most ``window`` files are in flight, so memory stays flat however many files there are. A file
that raises, hangs past its time limit or kills its worker becomes one error row and the others go
on. When a local worker dies, ``ProcessPoolExecutor`` fails every task in flight, so the files
that were in flight are re-run one at a time to find the one that crashed.
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
    path: str
    started: float
    seen_running: bool = False


def map_files(
    task: Task,
    paths: Iterable[str],
    pool: Pool,
    *,
    window: int | None = None,
    grace: float = 5.0,
) -> Iterator[FileResult]:
    """Yield one FileResult per path, in completion order.

    ``task.timeout`` is enforced inside the worker where it can be (a Python-level alarm); the
    parent gives up on a file after ``2 × timeout + grace`` seconds from its start, which allows
    for one file queued ahead of it in the worker, and then stops the worker if the pool can (a
    hang in native code). Closing the generator (or Ctrl-C while it waits) cancels what is queued
    and stops the workers.
    """
    return _Batch(task, paths, pool, window or 2 * pool.workers, grace).run()


class _Batch:
    def __init__(self, task: Task, paths: Iterable[str], pool: Pool, window: int,
                 grace: float) -> None:
        self.task, self.pool, self.window = task, pool, window
        self.todo = iter(paths)
        self.hard_limit = 2 * task.timeout + grace if task.timeout else None
        self.pending: dict[Future[FileResult], _InFlight] = {}
        self.retry: deque[str] = deque()  # innocent files bumped by a restart: run next
        self.suspects: deque[str] = deque()  # in flight when a worker died: run one at a time
        self.alone: str | None = None  # the suspect running by itself now
        self.executor = pool.open()

    def run(self) -> Iterator[FileResult]:
        clean = False
        try:
            yield from self._fill()
            while self.pending:
                done, _ = wait(list(self.pending), timeout=_POLL, return_when=FIRST_COMPLETED)
                yield from self._collect(done)
                yield from self._expire()
                yield from self._fill()
            clean = True
        finally:
            self._close(clean)

    def _submit(self, path: str) -> Iterator[FileResult]:
        try:
            fut = self.executor.submit(run_task, self.task, path)
        except BrokenExecutor:
            if not self.pool.restartable:
                yield crash_result(path)
                return
            # The pool broke under tasks not collected yet; they will come back as suspects.
            self.retry.appendleft(path)
            self._restart()
            return
        except Exception as exc:  # the task cannot be sent (pickling): a bug, still one row
            yield FileResult(path, error=internal_error(path, exc))
            return
        self.pending[fut] = _InFlight(path, time.monotonic())

    def _fill(self) -> Iterator[FileResult]:
        if self.suspects or self.alone is not None:
            if not self.pending and self.suspects:
                self.alone = self.suspects.popleft()
                yield from self._submit(self.alone)
            return
        while len(self.pending) < self.window:
            path = self.retry.popleft() if self.retry else next(self.todo, None)
            if path is None:
                return
            yield from self._submit(str(path))

    def _collect(self, done: set[Future[FileResult]]) -> Iterator[FileResult]:
        crashed: list[str] = []
        for fut in done:
            item = self.pending.pop(fut)
            result = self._outcome(fut, item.path)
            if result is None:
                crashed.append(item.path)
            else:
                yield result
        if self.alone is not None and not any(i.path == self.alone for i in
                                               self.pending.values()):
            alone, self.alone = self.alone, None
            if crashed == [alone]:
                yield crash_result(alone)
                self._restart()
                return
        if not crashed:
            return
        if not self.pool.restartable:
            for path in crashed:
                yield crash_result(path)
            return
        # Every task in flight fails with the pool, so any of them may be the cause. Keep what
        # finished before the break; re-run the rest one at a time.
        for fut, item in list(self.pending.items()):
            result = self._outcome(fut, item.path) if fut.done() else None
            if result is not None:
                yield result
            else:
                crashed.append(item.path)
        self.pending.clear()
        self.suspects.extend(crashed)
        self._restart()

    def _expire(self) -> Iterator[FileResult]:
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
            fut.cancel()
            if item.path == self.alone:
                self.alone = None
            yield timeout_result(item.path, self.task.timeout or 0)
        if self.pool.restartable:
            # Stopping the hung worker breaks the pool; the other files in flight are innocent.
            self.retry.extendleft(reversed([i.path for i in self.pending.values()
                                            if i.path != self.alone]))
            if self.alone is not None:
                self.suspects.appendleft(self.alone)
                self.alone = None
            self.pending.clear()
            self._restart()

    def _outcome(self, fut: Future[FileResult], path: str) -> FileResult | None:
        """The file's result, or None when its worker process died with the pool."""
        try:
            return fut.result()
        except BrokenExecutor:
            return None
        except CancelledError:
            return FileResult(path, error=f"{path}：任务被调度器取消，未完成校验")
        except FileTimeout:  # the alarm fired outside the worker's own handler
            return timeout_result(path, self.task.timeout or 0)
        except BaseException as exc:
            if type(exc).__name__ == "KilledWorker":  # Dask gave up after its worker died
                return crash_result(path)
            return FileResult(path, error=internal_error(path, exc))

    def _restart(self) -> None:
        self.pool.kill(self.executor)
        self.executor = self.pool.open()

    def _close(self, clean: bool) -> None:
        for fut in self.pending:
            fut.cancel()
        if not self.pool.restartable:
            return
        if clean:
            self.executor.shutdown(wait=True)
        else:
            self.pool.kill(self.executor)
