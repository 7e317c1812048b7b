"""The dask.distributed client every parallel gridtwin command uses (screens, sweeps).

:func:`dask_client` starts a ``LocalCluster`` of ``workers`` single-threaded processes, or
connects to a running scheduler at ``scheduler`` — the same code path either way — and keeps
dask's INFO logging (a line per worker start and stop) off the terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gridtwin.exceptions import DataError

#: Environment of local workers: one task per worker and one core per task. polars (inside
#: linopy), BLAS and OpenMP would otherwise each start a thread per core in every worker.
SINGLE_THREAD_ENV = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
}


def local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded processes, no dashboard.

    The scheduler's HTTP server (which dask starts even without a dashboard) listens on a free
    loopback port, not on dask's default 8787: two sweeps or screens at once must not collide
    (dask warns "Port 8787 is already in use" and, in a race, fails to start).
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
        env=SINGLE_THREAD_ENV,
    )


@contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: a LocalCluster of ``workers`` processes, or ``scheduler``.

    Raises
    ------
    DataError
        The scheduler cannot be reached (within 10 s).
    """
    from distributed import Client

    quiet = logging.getLogger("distributed")
    previous = quiet.level
    quiet.setLevel(logging.ERROR)
    cluster = None
    try:
        try:
            if scheduler is None:
                cluster = local_cluster(workers)
                client = Client(cluster)
            else:
                client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise DataError(f"cannot reach dask scheduler {scheduler!r}: {err}") from err
        try:
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        quiet.setLevel(previous)
