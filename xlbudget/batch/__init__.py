"""Batch checking: find workbooks, map one task per file over an executor, stream the results
into summaries.

``discover`` walks folders; ``map_files`` runs ``Task`` over a ``Pool`` (a local process pool or
a Dask cluster) and yields FileResults as they complete; ``xlbudget.batch.report`` writes them out.
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
