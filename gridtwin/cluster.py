"""The dask.distributed client every parallel gridtwin command uses (screens, sweeps).

:func:`dask_client` starts a ``LocalCluster`` of ``workers`` single-threaded processes, or
connects to a running scheduler at ``scheduler`` — the same code path either way — and keeps
dask's INFO logging (a line per worker start and stop) off the terminal.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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

    with _sigint_held():  # already held by dask_client; kept for direct callers
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,  # the sweep records what failed; no worker chatter
            env=SINGLE_THREAD_ENV,
        )


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Ignore SIGINT (Ctrl-C) while the cluster starts, so its worker processes ignore it.

    A terminal sends Ctrl-C to every process of the foreground group, dask's worker
    processes included: each would print its own ``KeyboardInterrupt`` traceback, and a
    cluster whose workers die that way hangs on close. An ignored signal stays ignored in
    the processes started meanwhile (the disposition survives fork and exec, and Python
    keeps it), so Ctrl-C then reaches only the gridtwin process, which closes the cluster.
    A Ctrl-C pressed during the start itself (a few seconds) is lost: press it again.
    POSIX main thread only; elsewhere a no-op.
    """
    if not hasattr(signal, "SIGINT") or threading.current_thread() is not (threading.main_thread()):
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Seconds to wait for a local cluster to close before leaving its processes to die with ours.
CLOSE_TIMEOUT = 20.0
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
                with _sigint_held():  # the workers start and the client connects unbroken
                    cluster = local_cluster(workers)
                    client = Client(cluster)
            else:
                client = _connect(scheduler)
        except OSError as err:
            raise DataError(f"cannot reach dask scheduler {scheduler!r}: {err}") from err
        try:
            yield client
        except KeyboardInterrupt:
            # From here on dask's scheduler thread reports the keys it loses as errors
            # ("Couldn't gather keys"); the one "interrupted" line is the whole answer.
            previous = logging.CRITICAL
            quiet.setLevel(logging.CRITICAL)
            raise
        finally:
            client.close()
    except KeyboardInterrupt:
        if cluster is not None:  # Ctrl-C: the workers ignore it and finish their task first
            _stop_local_workers()
            with suppress(Exception):
                cluster.close(timeout=2)
        _abandon_clusters()  # no atexit traceback from dask for a cluster half closed
        raise
    finally:
        if cluster is not None and cluster.status.name != "closed":
            with suppress(Exception):
                cluster.close(timeout=CLOSE_TIMEOUT)
        quiet.setLevel(previous)


def _stop_local_workers() -> None:
    """Terminate this process's dask worker processes (not multiprocessing's resource
    tracker): on Ctrl-C a scenario in progress is abandoned, as a sweep resumes anyway."""
    import psutil

    workers = [
        child
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(_cmdline(child))
    ]
    for child in workers:
        with suppress(psutil.Error):
            child.terminate()
    psutil.wait_procs(workers, timeout=3)


def _cmdline(process: Any) -> list[str]:
    import psutil

    try:
        return list(process.cmdline())
    except psutil.Error:
        return []


def _abandon_clusters() -> None:
    """Close every local cluster of this process quietly and forget it.

    A ``LocalCluster`` interrupted while its workers start is half built: dask's own exit
    hook (``distributed.deploy.spec.close_clusters``) then fails on it with an
    ``AssertionError`` traceback after the "interrupted" line. Its processes die with ours.
    """
    from distributed.deploy.spec import SpecCluster

    for cluster in list(SpecCluster._instances):
        with suppress(Exception):
            cluster.close(timeout=2)
        SpecCluster._instances.discard(cluster)
