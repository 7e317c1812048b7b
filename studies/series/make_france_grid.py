"""Make ``studies/series/france_grid_<year>.csv``: hourly carbon-free share and CO2 intensity of
French generation, from RTE éCO2mix generation by fuel.

Source: RTE éCO2mix consolidated national data (Etalab 2.0 open licence) for 2019 or 2022, as
repackaged hourly in the project's shared reference data (``france_eco2mix_<year>.csv``: RTE's
15-minute values at the top of each hour, UTC; see ``../shared/data/README.md``). Read with
:func:`gridtwin.signals.read_eco2mix` (the repeated hour of the spring clock change is kept
once, the missing hour of the autumn change interpolated), turned into signals with
:func:`gridtwin.signals.grid_signals` (RTE's low-carbon fuels; RTE éCO2mix emission factors).

The series is written on the hours of a local (UTC+1) calendar year, ``--reference-year``
(default 2019), the time axis of the typical-year weather sets re-indexed to that year
(``weather/lyon_bron_tmyx.nc`` runs from 31 Dec 23:00 to 31 Dec 22:00 UTC): the year's first
local hour, which the UTC file lacks, takes the values of its last UTC hour (local 1 January
00:00 of the next year), as a typical year wraps around.

Usage::

    python studies/series/make_france_grid.py [--year 2019] [--reference-year 2019] [SOURCE.csv]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

import gridtwin
from gridtwin.exceptions import GridTwinError
from gridtwin.io import write_atomic
from gridtwin.signals import EMISSION_FACTORS, grid_signals, read_eco2mix

ROOT = Path(__file__).resolve().parents[2]
UTC_OFFSET_H = 1

logger = logging.getLogger("make_france_grid")


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=None)
    parser.add_argument(
        "--year",
        type=int,
        default=2019,
        help="year of the generation data (2019 and 2022 are in the shared data; any other "
        "needs SOURCE)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None,
        help="output CSV (default studies/series/france_grid_<year>.csv)",
    )  # fmt: skip
    parser.add_argument(
        "--reference-year",
        type=int,
        default=2019,
        help="calendar year of the weather sets the series goes with (default 2019): the grid "
        "year's hours are laid on its local hours in order (both years have 8760 h)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = Path(os.environ.get("GRIDTWIN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    src = args.source or shared / "grid" / f"france_eco2mix_{args.year}.csv"
    if not src.is_file():
        raise SystemExit(f"{src}: not found; give the path of france_eco2mix_{args.year}.csv")
    try:
        signals = grid_signals(read_eco2mix(src))
    except GridTwinError as err:
        raise SystemExit(f"error: {err}") from None
    if len(signals) != 8760:
        raise SystemExit(
            f"{src}: {len(signals)} hours after reading; the series needs a whole non-leap year "
            "(8760 h)"
        )
    local = pd.date_range(f"{args.reference_year}-01-01", periods=len(signals), freq="h")
    utc = local - pd.Timedelta(hours=UTC_OFFSET_H)
    own = pd.date_range(f"{args.year}-01-01", periods=len(signals), freq="h") - pd.Timedelta(
        hours=UTC_OFFSET_H
    )
    wrapped = signals.reindex(own)
    wrapped.iloc[0] = signals.iloc[-1]  # the local year's first hour: the file's last
    if wrapped.isna().any().any():
        raise SystemExit("hours missing after the shift to the local year")
    out = args.output or ROOT / "studies" / "series" / f"france_grid_{args.year}.csv"
    lines = ["time,cfe_share,co2_intensity"]
    lines += [
        f"{t.isoformat()}Z,{c:.5f},{i:.5f}"
        for t, c, i in zip(utc, wrapped["cfe_share"], wrapped["co2_intensity"], strict=True)
    ]
    text = "\n".join(lines) + "\n"
    write_atomic(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    factors = ", ".join(f"{k} {v}" for k, v in EMISSION_FACTORS.items())
    logger.info(
        "%s: gridtwin %s, source %s, factors %s", stamp, gridtwin.__version__, src.name, factors
    )
    logger.info(
        "wrote %s: mean cfe_share %.4f (min %.4f), mean co2_intensity %.4f t/MWh",
        out, wrapped["cfe_share"].mean(), wrapped["cfe_share"].min(),
        wrapped["co2_intensity"].mean(),
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
