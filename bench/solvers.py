"""Benchmark: HiGHS's LP algorithms and Clarabel on gridtwin's sizing LPs, fresh processes.

What is measured
----------------
Two LPs are built once by gridtwin, exactly as ``pypsa_backend.solve`` builds them
(:func:`gridtwin.config.load_study`, :func:`gridtwin.study.prepare_problem`,
``pypsa_backend.build_network``, ``n.optimize.create_model`` and gridtwin's extra rows), and
written to MPS files:

``default``
    ``studies/default.yaml`` (90 % hourly CFE, solar, battery, offsite contracts, site
    network with N-1).
``firm``
    The same study with clean firm power (``nuclear``), multi-day storage (``iron_air``, 100 h)
    and ``hydrogen`` (electrolyser, tank, fuel cell) added to ``technologies.extendable`` and
    ``policy.cfe_target: 1.0`` (100 % hourly CFE: feasible, nuclear can cover every hour).
    More columns and a harder, degenerate optimum (every hour must be matched).

Each LP is then solved by each chosen algorithm in a **fresh Python process**, one after the
other, never in parallel (``bench/children.py``): ``highspy`` reads the MPS file and runs with
the algorithm's options and a time limit (``--time-limit``, default 600 s); for ``clarabel``
HiGHS only reads the file and Clarabel solves the LP as gridtwin does (:func:`clarabel_on_mps`;
its ``run`` counts the cone form and Clarabel's setup). Per run:

* **status**: HiGHS's model status (``Optimal``, ``Time limit reached``, ...), or
  ``unavailable`` when this HiGHS build lacks the algorithm (checked on a tiny LP first: HiGHS
  would otherwise fall back to simplex and time that);
* **ran**: the algorithm HiGHS's log says it ran (``ipm`` is IPX unless HiPO is built in);
* **run [s]**: HiGHS's own time of ``run()`` (``getRunTime``: presolve, solve, crossover,
  postsolve) and **/ ipm** its ratio to the ``ipm`` run of the same LP in the same benchmark
  (the default study's options: interior point with crossover);
* **wall [s]**: the whole child process (interpreter, imports, reading the MPS file, run);
* **iterations**: simplex, IPM, crossover and PDLP iterations (those that are not zero);
* **peak RSS [MiB]**: maximum resident set size of the child (``ru_maxrss`` via ``os.wait4``),
  which counts the interpreter and highspy (about 100 MiB of it);
* **objective** of the LP [currency] and **rel. diff**: ``(objective - best) / |best|`` with
  ``best`` the lowest objective among the runs that ended ``Optimal``. The LP's objective
  includes the cost of the existing ratings of upgradable branches (a constant that gridtwin's
  reported objective leaves out), the same in every run.

How to read it: compare the ratios (``/ ipm``) within one run; this machine is shared and
seconds vary by tens of percent between runs. A first-order method (PDLP) ends ``Optimal``
at a relative tolerance of 1e-7 of its own scaled residuals, so its objective may differ from
the vertex solutions (simplex, crossover) by more than that; interior point without crossover
stops at 1e-8 and may end without an optimum (see the default study's ``solver`` comment).

Measured (December 2026, HiGHS 1.16.0 and Clarabel 0.11.1 from PyPI, quiet 2-core machine,
``python bench/solvers.py --solvers clarabel,clarabel-qdldl,ipm --time-limit 600``):

* ``default`` (192 729 columns, 456 266 rows, 953 221 nonzeros): ``clarabel`` 10.5 s (53
  iterations, 612 MiB), 0.15x of ``ipm`` 70.8 s (IPX, 97 IPM and 5 131 crossover iterations,
  483 MiB); objectives 2.8e-10 apart. ``clarabel-qdldl`` took the same time (10.4 s): on this
  LP the multi-threaded faer factorisation gains nothing over QDLDL on 2 cores.
* ``firm`` (271 576 columns, 613 955 rows, 1.22 M nonzeros): ``clarabel`` 35.3 s (120
  iterations, 790 MiB), 0.14x of ``ipm`` 252.8 s (59 IPM and 25 788 crossover iterations,
  635 MiB); objectives 4.3e-10 apart. On a busy machine (an earlier run) IPX took 13 s per
  iteration and did not finish within 300 s.
* Clarabel's points are marked ``(*)``: primal infeasibility 7e-8 (default) and 2e-8 (firm)
  absolute, dual residual 1e-4 and 2e-5 absolute on costs of up to 1e5 per MW, i.e. within
  its relative tolerances (1e-8) but not a vertex.
* Earlier runs (busy machine, ``--time-limit 300``): ``ipm-nox`` stopped after 40 IPM
  iterations with status ``Unknown`` (objective 5.7 % off, primal infeasibility 8e-5): HiGHS's
  interior point needs crossover on these LPs; dual simplex (66 500 iterations), cuPDLP-C
  and HiPDLP did not finish in 300 s.
* HiPO is **not** in the PyPI highspy wheel (built without BLAS and METIS): HiGHS logs an
  error and silently falls back to simplex; this script reports ``unavailable`` instead.
* On 300 segments (``--set aggregation.segments=300``) every exact method agrees to 1e-13;
  the PDLP variants end 2e-7 away with absolute primal infeasibilities of 5e-2 (cuPDLP-C
  ``Unknown``, HiPDLP ``Optimal``); the parallel dual simplex (``simplex-pami``, HiGHS's
  default concurrency 8 on 2 cores) was 40x slower than the serial one.

Default chosen from it: ``solver.name: clarabel`` in ``studies/default.yaml``.

Usage::

    python bench/solvers.py [studies/default.yaml] [--lp default|firm|both]
        [--solvers ipm,ipm-nox,...|all] [--time-limit S] [--keep DIR] [--set PATH=VALUE]

``--set`` applies study overrides to both LPs (``--set aggregation.segments=300`` for a quick
check: the LP is then built on the segments). Children's output goes to ``*.log`` and HiGHS's
logs to ``*.highs.log`` files in the work folder (a temporary one unless ``--keep DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import add_overrides, run_child, write_result

SCRIPT = Path(__file__).resolve()
#: Technologies added to the default study's extendable ones for the ``firm`` LP.
FIRM_TECHNOLOGIES = ("nuclear", "iron_air", "hydrogen")
FIRM_TARGET = 1.0
#: Largest primal and dual infeasibility of a run whose objective serves as the reference.
TRUSTED_INFEASIBILITY = 1e-6


@dataclass(frozen=True)
class Algorithm:
    """HiGHS options of one way to solve the LP and what it is."""

    options: dict[str, Any]
    description: str


SOLVERS = {
    "ipm": Algorithm(
        {"solver": "ipm", "run_crossover": "on"},
        "interior point with crossover (the default study's options; IPX in this build)",
    ),
    "ipm-nox": Algorithm({"solver": "ipm", "run_crossover": "off"}, "interior point, no crossover"),
    "hipo": Algorithm(
        {"solver": "hipo", "run_crossover": "on"},
        "HiPO (factorisation-based interior point, multi-threaded) with crossover",
    ),
    "hipo-nox": Algorithm({"solver": "hipo", "run_crossover": "off"}, "HiPO, no crossover"),
    "simplex": Algorithm({"solver": "simplex"}, "dual simplex, serial (HiGHS's default for LPs)"),
    "simplex-primal": Algorithm({"solver": "simplex", "simplex_strategy": 4}, "primal simplex"),
    "simplex-pami": Algorithm(
        {"solver": "simplex", "simplex_strategy": 3},
        "parallel dual simplex (PAMI), HiGHS's default concurrency",
    ),
    "pdlp": Algorithm({"solver": "pdlp"}, "cuPDLP-C first-order method on the CPU"),
    "hipdlp": Algorithm({"solver": "hipdlp"}, "HiPDLP first-order method on the CPU"),
    "clarabel": Algorithm(
        {}, "Clarabel interior point, gridtwin's settings (faer LDL, all cores; the default)"
    ),
    "clarabel-qdldl": Algorithm(
        {"direct_solve_method": "qdldl"}, "Clarabel interior point, QDLDL (single-threaded)"
    ),
}
DEFAULT_SOLVERS = ("clarabel", "ipm", "ipm-nox", "hipo", "simplex", "pdlp", "hipdlp")
REFERENCE = "ipm"
#: HiGHS's model statuses of a run stopped by a limit.
UNFINISHED = ("Time limit reached", "Iteration limit reached")

#: Lines of HiGHS's log that tell which algorithm ran (cuPDLP-C prints to stdout, not to the
#: log: recognised by its iterations).
LOG_MARKS = {
    "IPX model has": "IPX",
    "HiPO model has": "HiPO",
    "Using HiPO": "HiPO",
    "Using HiPDLP": "HiPDLP",
    "Using dual simplex solver": "dual simplex",
    "Using parallel dual simplex solver - PAMI": "PAMI",
    "Using primal simplex solver": "primal simplex",
    "Running crossover": "crossover",
}


# --- children ---------------------------------------------------------------------------------


def firm_overrides(study_path: str) -> list[str]:
    """``--set`` overrides of the ``firm`` LP: more extendable technologies, target 1.0."""
    from gridtwin.config import load_study

    extendable = list(load_study(study_path).config.technologies.extendable)
    extendable += [t for t in FIRM_TECHNOLOGIES if t not in extendable]
    return [
        f"technologies.extendable=[{', '.join(extendable)}]",
        f"policy.cfe_target={FIRM_TARGET}",
    ]


def child_prepare(lp: str, study_path: str, overrides: list[str], workdir: Path) -> None:
    """Build one LP with gridtwin's public functions and write it to ``<lp>.mps``."""
    from gridtwin.config import load_study
    from gridtwin.optimize import pypsa_backend
    from gridtwin.optimize.aggregate import aggregate
    from gridtwin.optimize.pypsa_network import existing_branch_cost
    from gridtwin.study import prepare_problem

    if lp == "firm":
        overrides = [*overrides, *firm_overrides(study_path)]
    t0 = time.perf_counter()
    cfg = load_study(study_path, overrides).config
    problem, _, _ = prepare_problem(cfg)
    if cfg.aggregation.segments is not None:
        problem = aggregate(problem, cfg.aggregation.segments)
    n = pypsa_backend.build_network(problem)
    m = n.optimize.create_model(include_objective_constant=False)
    pypsa_backend._extra_functionality(problem)(n, n.snapshots)  # the hook n.optimize calls
    t1 = time.perf_counter()
    mps = workdir / f"{lp}.mps"
    m.to_file(mps)
    write_result(
        workdir,
        f"prepare-{lp}",
        {
            "mps": str(mps),
            "overrides": overrides,
            "snapshots": len(problem.snapshots),
            "variables": int(m.nvars),
            "constraints": int(m.ncons),
            "existing_branch_cost": existing_branch_cost(problem),
            "build": t1 - t0,
            "write": time.perf_counter() - t1,
        },
    )


def unavailable(options: dict[str, Any], log_file: Path) -> str | None:
    """HiGHS's complaint if this build cannot run ``options`` (tried on a two-column LP)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", str(log_file))
    h.addVars(2, [0.0, 0.0], [10.0, 10.0])
    h.changeColsCost(2, [0, 1], [-1.0, -2.0])
    h.addRow(-highspy.kHighsInf, 8.0, 2, [0, 1], [1.0, 1.0])
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.run()
    h.setOptionValue("log_file", "")  # close the file before reading it
    lines = log_file.read_text().splitlines()
    log_file.unlink()
    return next((line.strip() for line in lines if "unavailable" in line), None)


def clarabel_on_mps(mps: Path, options: dict[str, Any], time_limit: float) -> dict[str, Any]:
    """Read an MPS file with HiGHS and solve it with Clarabel as gridtwin does
    (:func:`gridtwin.optimize.clarabel_lp.cone_form`, ``DEFAULT_SETTINGS`` under ``options``).

    Returns the status (HiGHS's words), objective, times [s] (``run``: cone form, setup and
    solve; ``read``: the MPS file), iterations and the infeasibilities measured on the LP read.
    """
    import clarabel
    import highspy
    import numpy as np
    import scipy.sparse as sp

    from gridtwin.optimize.clarabel_lp import DEFAULT_SETTINGS, cone_form

    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    model = h.getLp()
    t1 = time.perf_counter()
    a = model.a_matrix_
    shape = (model.num_row_, model.num_col_)
    A = sp.csc_matrix((np.array(a.value_), np.array(a.index_), np.array(a.start_)), shape=shape)
    c = np.array(model.col_cost_)
    lb, ub = np.array(model.col_lower_), np.array(model.col_upper_)
    rl, ru = np.array(model.row_lower_), np.array(model.row_upper_)
    eq = rl == ru
    le, ge = ~eq & np.isfinite(ru), ~eq & np.isfinite(rl)  # a range row is both
    rows = sp.vstack([A[eq], A[le], A[ge]], format="csr")
    b = np.concatenate([ru[eq], ru[le], rl[ge]])
    sense = np.array(["="] * int(eq.sum()) + ["<"] * int(le.sum()) + [">"] * int(ge.sum()))
    form = cone_form(rows, b, sense, lb, ub)
    settings = clarabel.DefaultSettings()
    merged = {**DEFAULT_SETTINGS, **options, "time_limit": time_limit}
    for name, value in {**merged, "verbose": False}.items():
        setattr(settings, name, value)
    cones = [clarabel.ZeroConeT(form.n_zero), clarabel.NonnegativeConeT(form.n_nonneg)]
    n = shape[1]
    solver = clarabel.DefaultSolver(sp.csc_matrix((n, n)), c, form.A, form.b, cones, settings)
    t2 = time.perf_counter()
    found = solver.solve()
    t3 = time.perf_counter()
    x, z = np.array(found.x), np.array(found.z)
    activity = A @ x
    primal = max(
        float(np.max(np.maximum(rl - activity, 0.0), initial=0.0)),
        float(np.max(np.maximum(activity - ru, 0.0), initial=0.0)),
        float(np.max(np.maximum(lb - x, 0.0), initial=0.0)),
        float(np.max(np.maximum(x - ub, 0.0), initial=0.0)),
    )
    status = str(found.status).rsplit(".", 1)[-1]
    return {
        "status": {"Solved": "Optimal", "MaxTime": "Time limit reached"}.get(status, status),
        "ran": f"Clarabel ({merged['direct_solve_method']})",
        "objective": float(c @ x + model.offset_),
        "has_solution": status == "Solved",
        "run": t3 - t1,  # cone form and setup (KKT assembly, symbolic factorisation) included
        "run_wall": t3 - t1,
        "setup": t2 - t1,
        "read": t1 - t0,
        "nonzeros": int(A.nnz),
        "iterations": {"ipm": int(found.iterations)},
        "max_primal_infeasibility": primal,
        # Clarabel's stationarity c + A'z = 0 on the cone rows (z >= 0 by construction)
        "max_dual_infeasibility": float(np.abs(c + form.A.T @ z).max()),
        "primal_dual_objective_error": float("nan"),
    }


def child_solve(lp: str, key: str, time_limit: float, workdir: Path) -> None:
    """Read ``<lp>.mps`` and run one algorithm; write what HiGHS reports."""
    import highspy

    if key.startswith("clarabel"):
        found = clarabel_on_mps(workdir / f"{lp}.mps", SOLVERS[key].options, time_limit)
        write_result(workdir, f"{lp}-{key}", found)
        return
    tag = f"{lp}-{key}"
    options = SOLVERS[key].options
    why = unavailable(options, workdir / f"{tag}.probe.log")
    if why is not None:
        write_result(workdir, tag, {"status": "unavailable", "note": why, "ran": "-"})
        return
    log_file = workdir / f"{tag}.highs.log"
    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", str(log_file))
    t0 = time.perf_counter()
    h.readModel(str(workdir / f"{lp}.mps"))
    t1 = time.perf_counter()
    for name, value in options.items():
        h.setOptionValue(name, value)
    h.setOptionValue("time_limit", float(time_limit))
    h.run()
    t2 = time.perf_counter()
    info = h.getInfo()
    h.setOptionValue("log_file", "")
    log = log_file.read_text()
    found = {log.find(mark): label for mark, label in LOG_MARKS.items() if mark in log}
    ran = [found[at] for at in sorted(found)]
    if info.pdlp_iteration_count and "HiPDLP" not in ran:
        ran.insert(0, "cuPDLP-C")
    write_result(
        workdir,
        tag,
        {
            "status": h.modelStatusToString(h.getModelStatus()),
            "ran": "+".join(dict.fromkeys(ran)) or "?",
            "objective": float(info.objective_function_value),
            "has_solution": int(info.primal_solution_status) > 0,
            "run": float(h.getRunTime()),
            "run_wall": t2 - t1,
            "read": t1 - t0,
            "nonzeros": int(h.getNumNz()),
            "iterations": {
                "simplex": int(info.simplex_iteration_count),
                "ipm": int(info.ipm_iteration_count),
                "crossover": int(info.crossover_iteration_count),
                "pdlp": int(info.pdlp_iteration_count),
            },
            "max_primal_infeasibility": float(info.max_primal_infeasibility),
            "max_dual_infeasibility": float(info.max_dual_infeasibility),
            "primal_dual_objective_error": float(info.primal_dual_objective_error),
        },
    )


def child_main(argv: list[str]) -> None:
    """``--child prepare LP STUDY WORKDIR [OVERRIDE...]`` or ``--child solve LP KEY LIMIT
    WORKDIR``."""
    if argv[0] == "prepare":
        lp, study_path, workdir, *overrides = argv[1:]
        child_prepare(lp, study_path, overrides, Path(workdir))
    else:
        lp, key, limit, workdir = argv[1:]
        child_solve(lp, key, float(limit), Path(workdir))


# --- the parent --------------------------------------------------------------------------------


def iterations_text(counts: dict[str, int]) -> str:
    short = {"simplex": "spx", "ipm": "ipm", "crossover": "xo", "pdlp": "pdlp"}  # ipm: any IPM
    return " ".join(f"{short[k]} {v}" for k, v in counts.items() if v) or "-"


def trusted(r: dict[str, Any]) -> bool:
    """An optimal run whose point is feasible to ``TRUSTED_INFEASIBILITY`` both ways."""
    return (
        r.get("status") == "Optimal"
        and r["max_primal_infeasibility"] <= TRUSTED_INFEASIBILITY
        and r["max_dual_infeasibility"] <= TRUSTED_INFEASIBILITY
    )


def report(lp: str, prepared: dict[str, Any], runs: dict[str, dict[str, Any]]) -> None:
    """Print one LP's table."""
    optimal = [r["objective"] for r in runs.values() if trusted(r)]
    best = min(optimal) if optimal else float("nan")
    ref = runs.get(REFERENCE, {})
    ref_run = ref.get("run") if ref.get("status") == "Optimal" else None
    nonzeros = next((r["nonzeros"] for r in runs.values() if "nonzeros" in r), "?")
    print()
    print(
        f"LP {lp}: {prepared['snapshots']} snapshots, {prepared['variables']} variables, "
        f"{prepared['constraints']} constraints, {nonzeros} nonzeros (built in "
        f"{prepared['build']:.1f} s, MPS written in {prepared['write']:.1f} s)"
    )
    if prepared["overrides"]:
        print(f"  overrides: {' '.join(prepared['overrides'])}")
    print(
        f"  {'solver':14s} {'ran':27s} {'status':19s} {'run [s]':>8s} {'/ ipm':>6s} "
        f"{'wall [s]':>8s} {'iterations':21s} {'RSS [MiB]':>9s} {'objective':>16s} "
        f"{'rel. diff':>9s} {'infeas. p/d':>15s}"
    )
    for key, r in runs.items():
        head = f"  {key:14s}"
        if "error" in r:
            print(f"{head} {'-':27s} {'failed: see log':19s} {'':15s} {r['process_wall']:8.1f}")
            continue
        if r["status"] == "unavailable":
            missing = r["note"].partition("unavailable:")[2].partition(".")[0].strip()
            print(f"{head} {'-':27s} {'unavailable':19s} {'':15s} {r['process_wall']:8.1f} "
                  f"not in this HiGHS build (missing: {missing})")  # fmt: skip
            continue
        # a run stopped by the time limit took at least that long: its ratio is a bound
        bound = ">" if r["status"] in UNFINISHED else ""
        ratio = f"{bound}{r['run'] / ref_run:.2f}".rjust(6) if ref_run else f"{'-':>6s}"
        objective, diff = f"{'-':>16s}", f"{'-':>9s}"
        if r["has_solution"]:
            objective = f"{r['objective']:16.9e}"
            diff = f"{(r['objective'] - best) / abs(best):9.1e}" if optimal else diff
        mark = "" if trusted(r) or r["status"] != "Optimal" else " (*)"
        infeasibility = f"{r['max_primal_infeasibility']:.0e}/{r['max_dual_infeasibility']:.0e}"
        print(
            f"{head} {r['ran'][:27]:27s} {(r['status'] + mark)[:19]:19s} {r['run']:8.1f} "
            f"{ratio} {r['process_wall']:8.1f} {iterations_text(r['iterations']):21s} "
            f"{r['peak_rss_mib']:9.0f} {objective} {diff} {infeasibility:>15s}"
        )
    print(
        "  run: HiGHS's run time; / ipm: ratio to the ipm run of this LP; wall: the whole child\n"
        "  process; rel. diff: to the lowest objective of the Optimal runs feasible to "
        f"{TRUSTED_INFEASIBILITY:g}\n  (primal and dual, absolute, on the original LP); (*): "
        "Optimal by the solver's own tolerances only.\n  The LP's objective includes "
        f"{prepared['existing_branch_cost']:.6e} of existing branch ratings (left out of "
        "gridtwin's objective)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    parser.add_argument("--lp", choices=("default", "firm", "both"), default="both")
    parser.add_argument(
        "--solvers",
        default=",".join(DEFAULT_SOLVERS),
        help=f"comma-separated, or 'all'; of {', '.join(SOLVERS)} (default: %(default)s)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=600.0, metavar="S", help="per run [s] (default 600)"
    )
    parser.add_argument("--keep", metavar="DIR", help="work folder to keep (MPS files, logs)")
    add_overrides(parser, "both LPs")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0
    keys = list(SOLVERS) if args.solvers == "all" else args.solvers.split(",")
    if unknown := [k for k in keys if k not in SOLVERS]:
        parser.error(f"unknown solvers {unknown}; choose from {', '.join(SOLVERS)}")
    lps = ["default", "firm"] if args.lp == "both" else [args.lp]
    study = str(Path(args.study).resolve())
    print("solvers:")
    for key in keys:
        print(f"  {key:15s} {SOLVERS[key].description}: {SOLVERS[key].options}")
    with tempfile.TemporaryDirectory(prefix="gridtwin-solvers-") as tmp:
        workdir = Path(args.keep).resolve() if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        prepared = {}
        for lp in lps:
            prepared[lp] = run_child(
                SCRIPT,
                f"prepare-{lp}",
                ["prepare", lp, study, str(workdir), *args.overrides],
                workdir,
            )
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for lp in lps:
            results[lp] = {}
            for key in keys:
                results[lp][key] = run_child(
                    SCRIPT,
                    f"{lp}-{key}",
                    ["solve", lp, key, str(args.time_limit), str(workdir)],
                    workdir,
                    check=False,
                )
        for lp in lps:
            report(lp, prepared[lp], results[lp])
        (workdir / "solvers.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
