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


def add_overrides(parser: Any, applies_to: str) -> None:
    """The ``--set PATH=VALUE`` option of a benchmark (study overrides as ``gridtwin run
    --set``), stored as ``overrides``; ``applies_to`` says which cases get them."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=f"study override for {applies_to}, e.g. aggregation.segments=300",
    )


def report_checks(checks: list[tuple[str, bool]]) -> bool:
    """Print each check as ``PASS`` or ``FAIL`` and its text; whether all passed."""
    print()
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for _, ok in checks)


def gridtwin_end_to_end(study_path: str, overrides: list[str] | None = None) -> dict[str, Any]:
    """The child's side of a "gridtwin end to end" case: load the study and run it (no output
    file); wall time without imports [s], import time [s], objective, HiGHS's run time, IPM
    iterations, status, stage times and AC-loop rounds."""
    t0 = time.perf_counter()
    from gridtwin.config import load_study
    from gridtwin.study import run_study

    t1 = time.perf_counter()
    ds = run_study(load_study(study_path, overrides or []))
    t2 = time.perf_counter()
    solver = json.loads(ds.attrs["solver"])
    return {
        "wall": t2 - t1,
        "imports": t1 - t0,
        "objective": float(ds.attrs["objective"]),
        "highs_run": float(solver["solver_run_time_s"]),
        "ipm_iterations": int(solver.get("iterations", {}).get("ipm", -1)),
        "status": f"{solver['status']}/{solver['termination_condition']}",
        "stages": json.loads(ds.attrs["stage_seconds"]),
        "ac_rounds": int(ds.attrs.get("ac_loop_n_rounds", 0)),
    }
