"""The dask.distributed client every parallel gridtwin command uses (screens, sweeps).

:func:`dask_client` starts a ``LocalCluster`` of ``workers`` single-threaded processes, or
connects to a running scheduler at ``scheduler`` — the same code path either way — and keeps
dask's INFO logging (a line per worker start and stop) off the terminal.
"""

from __future__ import annotations

import logging
import re
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


#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 10.0

_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://[^/\s:]+(:\d{1,5})$")


def _connect(scheduler: str) -> Any:
    """``Client(scheduler)`` with a checked address and a hard deadline.

    dask's own timeout covers the TCP connect only: a service that accepts the connection but
    never speaks dask's protocol (a web server, the dashboard port) would hang forever, so the
    connection is made in a daemon thread that is abandoned after :data:`CONNECT_TIMEOUT`.
    """
    import threading

    from distributed import Client

    if not _ADDRESS.match(scheduler):
        raise DataError(
            f"--scheduler {scheduler!r}: expected a dask scheduler address such as "
            "tcp://host:8786 (protocol tcp, tls, ucx, ws or wss, then host and port)"
        )
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = Client(scheduler, timeout=f"{CONNECT_TIMEOUT:g}s")
        except BaseException as err:  # reported below, in the calling thread
            box["error"] = err

    thread = threading.Thread(target=connect, name="gridtwin-dask-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT + 5.0)
    if "client" in box:
        return box["client"]
    error = box.get("error")
    why = f"{type(error).__name__}: {error}" if error else f"no answer in {CONNECT_TIMEOUT + 5:g} s"
    raise DataError(
        f"cannot reach a dask scheduler at {scheduler!r} ({why}); start one with "
        "'dask scheduler' and give the address it prints"
    )


@contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: a LocalCluster of ``workers`` processes, or ``scheduler``.

    Raises
    ------
    DataError
        ``scheduler`` is not an address, or no dask scheduler answers there within 15 s.
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
                client = _connect(scheduler)
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
