"""Benchmark: the solve time of a 3-period default study and of a 3-campus fleet against the
single default study, in one run, with the same backend and solver.

* **single**: ``studies/default.yaml`` (1 GW at Greensboro, its site network), one year;
* **3 periods**: the same campus growing 400 -> 700 -> 1000 MW over 2027, 2029, 2031
  (:mod:`gridtwin.optimize.plan`), costs of each year from the catalogue's trajectory;
* **3 campuses**: the default campus, a 1 GW campus at Lyon (French grid 0.93 carbon-free,
  no site network) and one at Amsterdam (the shared IWEC file, ``GRIDTWIN_SHARED_DATA``)
  sized together, work moving between them (:mod:`gridtwin.optimize.fleet`);
* with ``--segments N`` the single study and each period are also solved on N tsam segments
  (a fleet's campuses must share their hours, so it is not aggregated), with the cost error of
  the aggregated optimum against the full one.

Times are the build and solve of the LP (inputs prepared beforehand), wall clock. Run it with
nothing else on the machine. Usage::

    python bench/plan_fleet.py [--backend pypsa] [--solver highs] [--ipm] [--segments 730]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from gridtwin.config import load_study, parse_study
from gridtwin.fleet.study import fleet_problem, site_studies
from gridtwin.inputs import prepare_problem
from gridtwin.optimize import backends
from gridtwin.optimize.aggregate import aggregate
from gridtwin.optimize.plan_build import plan_problem
from gridtwin.optimize.plan_solve import solve_fleet, solve_plan
from gridtwin.periods.costs import scale_to_year
from gridtwin.periods.study import lifetimes, period_config
from gridtwin.study import StudyState

ROOT = Path(__file__).resolve().parents[1]
PERIODS = (
    "{discount_rate: 0.05, periods: [{year: 2027, it_capacity: 400}, "
    "{year: 2029, it_capacity: 700}, {year: 2031, it_capacity: 1000}]}"
)


def _timed(label: str, solve):
    t0 = time.perf_counter()
    out = solve()
    seconds = time.perf_counter() - t0
    print(f"{label:<34} {seconds:8.1f} s   objective {out.objective:,.0f}")
    return seconds, out


def _campus(folder: Path, name: str, weather: Path, grid_cfe: float) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nweather: {{path: {weather}}}\n"
        f"poi: {{p_nom: 1500, import_price: 75, grid_cfe_share: {grid_cfe}}}\n"
        "technologies: {catalogue: us, extendable: [solar, onwind, battery]}\n"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="pypsa")
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--segments", type=int, default=None)
    parser.add_argument(
        "--ipm", action="store_true", help="HiGHS interior point with crossover (default simplex)"
    )
    args = parser.parse_args(argv)
    sets = [f"solver.backend={args.backend}", f"solver.name={args.solver}",
            "solver.options={}"]  # fmt: skip
    base = load_study(ROOT / "studies/default.yaml", overrides=sets)
    single, _, _ = prepare_problem(base.config)
    options = {
        "backend_name": args.backend,
        "solver": args.solver,
        "options": {"solver": "ipm"} if args.ipm else None,
    }
    t_single, full = _timed("single default study", lambda: backends.solve(single, **options))

    phased = load_study(ROOT / "studies/default.yaml", overrides=[*sets, f"investment={PERIODS}"])
    cfg = phased.config
    assert cfg.investment is not None
    blocks = []
    for i, period in enumerate(cfg.investment.periods):
        problem, _, _ = prepare_problem(period_config(cfg, i))
        blocks.append(scale_to_year(problem, cfg, period.year))
    plan = plan_problem(tuple(cfg.investment.years), tuple(blocks), lifetimes(cfg), 0.05)
    t_plan, plan_full = _timed("3 periods", lambda: solve_plan(plan, **options))

    shared = Path(os.environ.get("GRIDTWIN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "gridtwin_bench_fleet"
    folder.mkdir(exist_ok=True)
    sites = {
        "lyon": _campus(folder, "lyon", ROOT / "weather/lyon_bron_tmyx.nc", 0.93),
        "amsterdam": _campus(
            folder, "amsterdam", shared / "weather/NLD_Amsterdam062400_IWEC.epw", 0.5
        ),
    }
    pairs = (("default", "lyon", 90), ("default", "amsterdam", 85), ("lyon", "amsterdam", 12))
    links = ", ".join(
        f"{{origin: {a}, destination: {b}, p_max: 300, cost: 2.0, latency_ms: {ms}}}"
        for a, b, ms in pairs
    )
    text = (ROOT / "studies/default.yaml").read_text() + (
        f"\nfleet:\n  sites: {{{', '.join(f'{k}: {v}' for k, v in sites.items())}}}\n"
        f"  transfers: [{links}]\n"
    )
    study = parse_study(text, base=ROOT / "studies", overrides=sets)
    states = []
    hours = None
    for site in site_studies(study).values():
        state = StudyState(site.config, site)
        state.hourly, state.campus, state.weather = prepare_problem(site.config, None, hours)
        hours = state.hourly.snapshots if hours is None else hours
        states.append(state)
    fleet, _ = fleet_problem(list(site_studies(study)), states, study.config)
    t_fleet, _ = _timed("3 campuses", lambda: solve_fleet(fleet, **options))
    print(f"ratios to the single study: 3 periods {t_plan / t_single:.1f}x, "
          f"3 campuses {t_fleet / t_single:.1f}x")  # fmt: skip
    if args.segments:
        n = args.segments
        t_agg, agg = _timed(
            f"single, {n} segments", lambda: backends.solve(aggregate(single, n), **options)
        )
        coarse = plan_problem(
            plan.periods, tuple(aggregate(b, n) for b in blocks), lifetimes(cfg), 0.05
        )
        t_plan_agg, plan_agg = _timed(
            f"3 periods, {n} segments", lambda: solve_plan(coarse, **options)
        )
        full_plan = plan_full.objective
        print(
            f"aggregated: single {t_agg / t_single:.2f}x of the full single solve, cost error "
            f"{agg.objective / full.objective - 1:+.2%}; 3 periods {t_plan_agg / t_single:.2f}x, "
            f"cost error {plan_agg.objective / full_plan - 1:+.2%}"
        )


if __name__ == "__main__":
    main()
