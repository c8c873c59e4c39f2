"""One ``xlbudget check`` run over many files: choose the pool, stream results into the
outputs, show progress on a terminal, and stop cleanly on Ctrl-C with what was done written."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from xlbudget.batch.pool import (
    Pool,
    PoolError,
    ProcessPool,
    dask_pool,
    default_jobs,
    inline_pool,
)
from xlbudget.batch.run import map_files
from xlbudget.batch.sinks import CsvSink, FileSink, JsonSink, Sink
from xlbudget.batch.worker import Task
from xlbudget.batch.xlsx_report import XlsxSink
from xlbudget.findings import FileResult, Tally
from xlbudget.marks.atomic import WriteError, failure_cause, write_failure
from xlbudget.text_report import TextSink

#: ``--report`` suffixes and what they write.
REPORT_SUFFIXES = (".xlsx", ".csv", ".json")
#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
#: Imported once in the fork server so every worker (and every restarted one) starts warm; the
#: engine imports scipy's solver lazily, which would cost each worker ~0.8 s at its first error.
_PRELOAD = ("xlbudget.api", "xlbudget.batch.tasks", "xlbudget.engine", "xlbudget.rules.catalog",
            "xlbudget.locate", "xlbudget.narrative", "scipy.optimize", "scipy.sparse")


@dataclass(frozen=True, slots=True)
class Options:
    fmt: str = "text"
    jobs: int | None = None
    scheduler: str | None = None
    report: Path | None = None
    #: show a progress bar: None = when stderr is a terminal
    progress: bool | None = None
    #: text report: each problem's full message and the rounding notes too
    verbose: bool = False
    #: list every rule's coverage in the text report
    coverage: bool = False


def run_batch(files: list[Path], task: Task, opts: Options) -> int:
    """Check ``files``, write every output, return the exit code (see ``findings.exit_code``;
    130 after Ctrl-C). Messages for the user go to stderr in Chinese."""
    tally = Tally()
    sinks: list[Sink] = []
    stream: Iterator[FileResult] | None = None
    with ExitStack() as stack:
        guard = stack.enter_context(_CtrlC())
        try:
            with guard.deferred():  # setting up (workers starting): Ctrl-C waits until done
                pool = stack.enter_context(_pool(files, opts))
                bar = stack.enter_context(_progress(len(files), opts.progress))
                # Looked up after the bar started: on a terminal, stdout prints above the bar.
                sinks.append(_stdout_sink(opts.fmt, sys.stdout, verbose=opts.verbose,
                                          coverage=opts.coverage))
                if opts.report is not None:
                    sinks.append(_report_sink(opts.report, stack))
                paths = [str(p.resolve()) if opts.scheduler else str(p) for p in files]
                stream = map_files(task, paths, pool, ordered=True)
            for result in stream:
                with guard.deferred():  # a result goes to every output or to none
                    tally.add(result)
                    for sink in sinks:
                        sink.add(result)
                    bar(result.path)
        except PoolError as exc:
            _say(str(exc))
            return 2
        except KeyboardInterrupt:
            tally.interrupted = True
        except (OSError, WriteError) as exc:  # an output that cannot be written (disk full)
            _say(_write_message(exc, opts.report))
            return 2
        finally:
            if stream is not None:
                stream.close()  # stops the workers unless they are done
        try:
            with guard.deferred(reraise=False):
                for sink in sinks:
                    sink.close(tally)
        except (OSError, WriteError) as exc:
            _say(_write_message(exc, opts.report))
            return 2
    if opts.report is not None:
        _say(f"汇总报告已写出：{opts.report}")
    if tally.interrupted:
        _say(f"已中断：完成 {tally.files}/{len(files)} 个文件，结果已写出")
        return INTERRUPTED
    return tally.exit_code()


class _CtrlC:
    """Ctrl-C raises KeyboardInterrupt as usual, except inside ``deferred()``, where it waits
    for the block to end, so a result is written to every output or to none."""

    def __init__(self) -> None:
        self.critical = False
        self.hit = False

    def __enter__(self) -> _CtrlC:
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handler(self, signum: int, frame: object) -> None:
        if self.critical:
            self.hit = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def deferred(self, *, reraise: bool = True) -> Iterator[None]:
        self.critical = True
        try:
            yield
        finally:
            self.critical = False
        if self.hit and reraise:
            self.hit = False
            raise KeyboardInterrupt


def _write_message(exc: OSError | WriteError, report: Path | None) -> str:
    """Chinese, naming the file and folder: the report when it is the one that failed."""
    if isinstance(exc, WriteError):
        return str(exc)
    if report is not None and exc.filename is not None \
            and Path(exc.filename).parent.resolve() == report.parent.resolve():
        return write_failure(report, exc)
    if exc.filename is None and report is not None:
        return write_failure(report, exc)
    return f"无法写出结果：{exc.filename or '标准输出'}（{failure_cause(exc)}），其余结果未输出"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def _pool(files: list[Path], opts: Options) -> Iterator[Pool]:
    if opts.scheduler:
        with dask_pool(opts.scheduler) as pool:
            yield pool
    elif len(files) == 1:
        # One file: a worker process would cost more to start than the check.
        yield inline_pool()
    else:
        jobs = min(opts.jobs or default_jobs(), len(files))
        yield ProcessPool(jobs, preload=_PRELOAD)


def _stdout_sink(fmt: str, out: IO[str], *, verbose: bool = False,
                 coverage: bool = False) -> Sink:
    if fmt == "json":
        return JsonSink(out)
    if fmt == "csv":
        # As --report x.csv: UTF-8 with a BOM, which Excel on Chinese Windows opens as UTF-8
        # (without it Excel assumes GBK), whatever the console's own encoding.
        if hasattr(out, "reconfigure"):
            out.flush()
            out.reconfigure(encoding="utf-8", newline="")
        out.write("\ufeff")
        return CsvSink(out)
    return TextSink(out, verbose=verbose, coverage=coverage)


def _report_sink(path: Path, stack: ExitStack) -> Sink:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return XlsxSink(path)
    # utf-8-sig: Excel opens a CSV with a BOM as UTF-8 instead of the local code page.
    encoding = "utf-8-sig" if suffix == ".csv" else "utf-8"
    sink = FileSink(path, encoding)
    stack.callback(sink.discard)  # a no-op after a successful close
    return sink


@contextmanager
def _progress(total: int, show: bool | None) -> Iterator[Any]:
    """A callable advancing a rich progress bar on stderr; a no-op when not shown."""
    # rich costs ~70 ms to import: not for one file nor when stderr is not a terminal
    if show is False or total < 2 or (show is None and not sys.stderr.isatty()):
        yield lambda path: None
        return
    from rich.console import Console  # deferred: see above

    console = Console(stderr=True)
    if show is None and not console.is_terminal:
        yield lambda path: None
        return
    from rich.progress import (  # deferred: see above
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("校验中"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("用时"), TimeElapsedColumn(), TextColumn("剩余"),
                  TimeRemainingColumn(), TextColumn("{task.fields[name]}"),
                  console=console, transient=False,
                  redirect_stdout=sys.stdout.isatty(), redirect_stderr=False) as progress:
        task_id = progress.add_task("check", total=total, name="")

        def advance(path: str) -> None:
            progress.update(task_id, advance=1, name=Path(path).name[:40])

        yield advance
