"""Run one benchmark case in a fresh Python process and measure it (used by bench/solvers.py
and bench/expert_vs_gridtwin.py).

The case's script is run again as ``python SCRIPT --child CASE ARGS...``; the child writes its
result as JSON to ``WORKDIR/<tag>.json`` and its output (solver logs, warnings) goes to
``WORKDIR/<tag>.log``. The parent adds the child's wall time, CPU time and peak resident set
size (``ru_maxrss`` from ``os.wait4`` on that child: the interpreter and its imports count).
Cases run one after the other, never in parallel, so that each one's times and memory are its
own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def run_child(
    script: Path, tag: str, args: list[str], workdir: Path, check: bool = True
) -> dict[str, Any]:
    """Run ``script --child ARGS`` and return its JSON result with the parent's measurements.

    Parameters
    ----------
    script : Path
        The benchmark script (it must handle ``--child``).
    tag : str
        Name of the run: ``<tag>.json`` (written by the child) and ``<tag>.log``.
    args : list of str
        Arguments after ``--child``.
    workdir : Path
        Folder of the result, the log and whatever the case reads or writes.
    check : bool
        Stop the benchmark with the end of the log if the child fails; else return
        ``{"error": ...}`` with the measurements.

    Returns
    -------
    dict
        The child's result plus ``process_wall`` [s], ``cpu`` [s] (user + system of the whole
        process) and ``peak_rss_mib`` [MiB].
    """
    log = workdir / f"{tag}.log"
    out_file = workdir / f"{tag}.json"
    out_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(script), "--child", *args]
    print(f"running {tag} ...", flush=True)
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        # wait4 reaps this child and returns its own resource usage (Linux: ru_maxrss in KiB)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    measured = {
        "process_wall": time.perf_counter() - t0,
        "peak_rss_mib": usage.ru_maxrss / 1024.0,
        "cpu": usage.ru_utime + usage.ru_stime,
    }
    if proc.returncode != 0 or not out_file.exists():
        tail = "\n".join(log.read_text().splitlines()[-20:])
        message = f"{tag} failed (exit {proc.returncode}); end of {log}:\n{tail}"
        if check:
            raise SystemExit(message)
        return {"error": message, **measured}
    return {**json.loads(out_file.read_text()), **measured}


def write_result(workdir: Path, tag: str, result: dict[str, Any]) -> None:
    """The child's side: write its result where :func:`run_child` reads it."""
    (workdir / f"{tag}.json").write_text(json.dumps(result))
