"""What runs in a worker: one file through the checker, under a time limit, never raising.

Everything here must be importable and picklable by reference on a Dask worker as well as in a
local process pool, so the task is plain data plus module-level functions.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlbudget.findings import FileResult
from xlbudget.sources.grid import SourceError

#: ``check(path, **options) -> FileResult``; ``xlbudget.pipeline.check_file`` in production.
Checker = Callable[..., FileResult]
#: Called in the worker after a check, inside the time limit (e.g. writing a marked copy).
AfterCheck = Callable[[str, FileResult], None]


@dataclass(frozen=True, slots=True)
class Task:
    """The same for every file of a batch; pickled once per submitted file."""

    check: Checker
    options: Mapping[str, Any] = field(default_factory=dict)
    #: seconds one file may take (see ``_limited``); the parent's deadline is the backstop.
    timeout: float | None = None
    after: AfterCheck | None = None


class FileTimeout(BaseException):
    """Raised by the alarm inside a check; a BaseException so a checker's ``except Exception``
    cannot swallow it."""


def run_task(task: Task, path: str) -> FileResult:
    """Check one file; every failure becomes the file's error row."""
    try:
        return _limited(lambda: _check(task, path), task.timeout)
    except FileTimeout:
        return timeout_result(path, task.timeout or 0)
    except SourceError as exc:
        return FileResult(path, error=str(exc))
    except MemoryError:
        return FileResult(path, error=f"{_name(path)}：内存不足，无法完成校验，已跳过")
    except Exception as exc:
        return FileResult(path, error=internal_error(path, exc))


def _check(task: Task, path: str) -> FileResult:
    result = task.check(path, **task.options)
    if task.after is not None:
        task.after(path, result)
    return result


def _limited(fn: Callable[[], FileResult], seconds: float | None) -> FileResult:
    """``fn()`` under a time limit. In a process's main thread SIGALRM interrupts it; elsewhere
    (a Dask worker runs tasks in threads) it runs in a helper thread that is abandoned at the
    limit: Python cannot stop a thread, but the worker's slot is free for the next file."""
    if not seconds:
        return fn()
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc

    helper = threading.Thread(target=target, name="xlbudget-check", daemon=True)
    helper.start()
    helper.join(seconds)
    if helper.is_alive():
        raise FileTimeout
    if "error" in box:
        raise box["error"]
    return box["result"]


def timeout_result(path: str, seconds: float) -> FileResult:
    return FileResult(path, error=(f"{_name(path)}：校验超过 {seconds:g} 秒仍未完成，已跳过"
                                   "（可用 --timeout 调整时限）"))


def crash_result(path: str) -> FileResult:
    return FileResult(path, error=(f"{_name(path)}：校验进程意外终止（文件可能已损坏，"
                                   "或内存不足），已跳过"))


def internal_error(path: str, exc: BaseException) -> str:
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    kind = type(exc).__name__ + (f": {detail}" if detail else "")
    return f"{_name(path)}：校验时发生内部错误（{kind}），已跳过"


def init_worker() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; a worker that saw it would die
    mid-task and break the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_ready() -> None:
    """A no-op task long enough that each worker of a starting pool takes one."""
    time.sleep(0.05)


def _name(path: str) -> str:
    return Path(path).name


def _raise_timeout(signum: int, frame: object) -> None:
    raise FileTimeout
