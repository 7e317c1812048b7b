"""Make ``weather/greensboro_tmy3.nc``: the canonical weather set of Greensboro, NC.

Source: the NSRDB TMY3 file of Greensboro Piedmont Triad International airport (USAF 723170)
shipped inside the installed pvlib package (``pvlib/data/723170TYA.CSV``). No network access.

Usage::

    python weather/make_greensboro_tmy3.py [-o weather/greensboro_tmy3.nc] [--year 2019]
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import pvlib

import gridtwin
from gridtwin.weather import read_tmy3, write_weather

ROOT = Path(__file__).resolve().parents[1]
SOURCE_NAME = "723170TYA.CSV"

logger = logging.getLogger("make_greensboro_tmy3")


def source_file() -> Path:
    """Return the Greensboro TMY3 file bundled with pvlib."""
    path = Path(pvlib.__file__).parent / "data" / SOURCE_NAME
    if not path.is_file():
        raise SystemExit(f"{path}: not found; this pvlib installation lacks its test data")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=ROOT / "weather" / "greensboro_tmy3.nc",
        help="output netCDF file (default: weather/greensboro_tmy3.nc in the repository)",
    )
    parser.add_argument("--year", type=int, default=2019, help="reference year (non-leap)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    src = source_file()
    ds = read_tmy3(src, year=args.year)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ds.attrs["history"] = (
        f"{stamp} weather/make_greensboro_tmy3.py --year {args.year}: read {SOURCE_NAME} from "
        f"pvlib {pvlib.__version__} with gridtwin {gridtwin.__version__} "
        "gridtwin.weather.read_tmy3"
    )
    out = write_weather(ds, args.output)
    logger.info("wrote %s (%d hours, %s)", out, ds.sizes["time"], ds.attrs["site_name"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
