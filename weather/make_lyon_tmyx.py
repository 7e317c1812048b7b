"""Make ``weather/lyon_bron_tmyx.nc``: the canonical weather set of Lyon-Bron, France.

Source: the TMYx typical year of Lyon-Bron airport (WMO 074800, 45.73 N 4.94 E, 198 m) from
Climate.OneBuilding.org, built from NOAA ISD observations 2004-2018 (free to use), as kept in
the project's shared reference data (``FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw``, see
``../shared/data/README.md``). Its months come from different years; the EPW's hour-ending
local standard time (UTC+1) is converted to UTC interval starts and the months re-indexed to
one reference year by :func:`gridtwin.weather.read_epw`. No network access.

Usage::

    python weather/make_lyon_tmyx.py [SOURCE.epw] [-o weather/lyon_bron_tmyx.nc] [--year 2019]

SOURCE defaults to ``$GRIDTWIN_SHARED_DATA/weather/<file>`` (``../shared/data`` next to the
repository when the variable is unset).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pvlib

import gridtwin
from gridtwin.exceptions import GridTwinError
from gridtwin.weather import read_epw, write_weather

ROOT = Path(__file__).resolve().parents[1]
SOURCE_NAME = "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"

logger = logging.getLogger("make_lyon_tmyx")


def default_source() -> Path:
    """The Lyon-Bron EPW in the shared reference data."""
    shared = Path(os.environ.get("GRIDTWIN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    return shared / "weather" / SOURCE_NAME


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=None, help="the TMYx .epw file")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=ROOT / "weather" / "lyon_bron_tmyx.nc",
        help="output netCDF file (default: weather/lyon_bron_tmyx.nc in the repository)",
    )
    parser.add_argument("--year", type=int, default=2019, help="reference year (non-leap)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    src = args.source or default_source()
    if not src.is_file():
        what = "is a folder" if src.is_dir() else "not found"
        raise SystemExit(f"{src}: {what}; give the path of {SOURCE_NAME}")
    try:
        ds = read_epw(src, reference_year=args.year)
    except GridTwinError as err:
        raise SystemExit(f"error: {err}") from None
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ds.attrs["history"] = (
        f"{stamp} weather/make_lyon_tmyx.py --year {args.year}: read {SOURCE_NAME} "
        f"(Climate.OneBuilding.org TMYx 2004-2018) with pvlib {pvlib.__version__} and gridtwin "
        f"{gridtwin.__version__} gridtwin.weather.read_epw"
    )
    out = write_weather(ds, args.output)
    logger.info("wrote %s (%d hours, %s)", out, ds.sizes["time"], ds.attrs.get("site_name", "?"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
