"""The sizing LP's rows and columns per hour, by family, before and after HiGHS's presolve.

Builds a study's LP as :func:`gridtwin.optimize.pypsa_backend.solve` does (PyPSA's model plus
gridtwin's extra rows) and prints, for each linopy variable and constraint family, how many
rows or columns it has, per hour of the horizon, and its non-zeros. The last lines give the
whole LP and what HiGHS's presolve leaves of it (``Highs.presolve``).

Reading it: a family of one row per hour with a single non-zero is a bound written as a row
(PyPSA states the dispatch limits of assets of fixed size that way); presolve turns those into
bounds at no cost, so they cost model-building time, not solver time. Capacity columns
(``*-p_nom``, ``*-s_nom``, ``*-e_nom``) are dense: each appears in one row per hour.

Usage::

    python bench/lp_size.py [studies/default.yaml] [--set PATH=VALUE ...]
"""

from __future__ import annotations

import argparse

from children import add_overrides

from gridtwin.config import load_study
from gridtwin.highs import fd1_silenced
from gridtwin.optimize import pypsa_backend
from gridtwin.study import prepare_problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    add_overrides(parser, "the study")
    args = parser.parse_args()
    problem, _, _ = prepare_problem(load_study(args.study, args.overrides).config)
    n = pypsa_backend.build_network(problem)
    m = n.optimize.create_model(include_objective_constant=False)
    pypsa_backend._extra_functionality(problem)(n, n.snapshots)
    hours = float(problem.snapshot_weights.sum())
    print(f"{args.study}: {len(problem.snapshots)} snapshots, {hours:.0f} h")
    print(f"{'family':44s} {'count':>9s} {'per hour':>9s} {'non-zeros':>10s}")
    for kind, items in (("columns", m.variables.items()), ("rows", m.constraints.items())):
        total = 0
        for name, item in items:
            count = int((item.labels.values >= 0).sum())
            nnz = int((item.vars.values >= 0).sum()) if kind == "rows" else 0
            total += count
            print(f"{name:44s} {count:9d} {count / hours:9.2f} {nnz or '':>10}")
        print(f"{'all ' + kind:44s} {total:9d} {total / hours:9.2f}")
    with fd1_silenced():
        h = m.to_highspy()
        h.setOptionValue("output_flag", False)
        h.presolve()
    lp = h.getPresolvedLp()
    print(
        f"after HiGHS presolve: {lp.num_row_} rows ({lp.num_row_ / hours:.2f} per hour), "
        f"{lp.num_col_} columns ({lp.num_col_ / hours:.2f} per hour), "
        f"{len(lp.a_matrix_.value_)} non-zeros"
    )


if __name__ == "__main__":
    main()
