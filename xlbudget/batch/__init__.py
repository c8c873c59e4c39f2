"""Batch checking: find workbooks, map one task per file over an executor, stream the results
into summaries.

- ``discover``: walk folders (include/exclude globs, lock files and xlbudget's outputs skipped);
- ``worker``: what runs per file (``Task``, ``run_task``: time limit, every failure an error row);
- ``tasks``: the checker and the marked-copy writer ``xlbudget check`` sends to workers;
- ``pool``: a local process pool (default), a Dask cluster, or in-process for one file;
- ``run.map_files``: the streaming map (bounded in flight, crash isolation, optional order);
- ``report`` / ``xlsx_report``: running totals, JSON, CSV and the summary workbook;
- ``session.run_batch``: one ``xlbudget check`` run (progress bar, Ctrl-C, exit code).
"""

from xlbudget.batch.discover import discover
from xlbudget.batch.pool import GivenExecutor, PoolError, ProcessPool, dask_pool, default_jobs
from xlbudget.batch.run import map_files
from xlbudget.batch.worker import Task

__all__ = [
    "GivenExecutor",
    "PoolError",
    "ProcessPool",
    "Task",
    "dask_pool",
    "default_jobs",
    "discover",
    "map_files",
]
