"""Download typical-year weather from PVGIS once, and keep the raw response in a local cache.

:func:`fetch_pvgis_tmy` asks the PVGIS TMY service of the EU Joint Research Centre for a
typical meteorological year and stores the response body **unchanged** (PVGIS CSV or JSON) in a
cache folder, so that

* a second call with the same request never touches the network (studies run offline), and
* the file is an ordinary PVGIS download that ``gridtwin.weather.read(path, format="pvgis")``
  and ``gridtwin weather import`` read like one saved from the PVGIS web page.

The request is the one :func:`pvlib.iotools.get_pvgis_tmy` sends (same endpoint,
:data:`pvlib.iotools.pvgis.URL` + ``tmy``, same parameters and error handling). That function
parses the body and discards it, so the request is issued here with :func:`requests.get` and
the body is checked with :func:`pvlib.iotools.read_pvgis_tmy` before it enters the cache: a
truncated or error body is never cached.

Cache folder: the ``cache_dir`` argument, else ``$GRIDTWIN_CACHE/pvgis``, else
``~/.cache/gridtwin/pvgis``. File name: ``tmy_{lat:.3f}_{lon:.3f}_{key}.{csv|json}``, where the
coordinates are rounded to 0.001 deg (about 100 m, finer than the PVGIS/SARAH grid) and ``key``
is a hash of every request parameter. A side file ``*.request.json`` records the request and the
time of the download (provenance).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pvlib
import requests
import xarray as xr

from gridtwin.exceptions import ConfigError, DataError

logger = logging.getLogger(__name__)

#: Environment variable naming the root of gridtwin's download cache.
CACHE_ENV: Final = "GRIDTWIN_CACHE"
#: Output formats of the PVGIS TMY service that are cached as they come.
FORMATS: Final = ("csv", "json")
#: Decimals the site coordinates are rounded to in the cache key [deg].
COORD_DECIMALS: Final = 3
_MANUAL: Final = (
    "download the TMY from https://re.jrc.ec.europa.eu/pvg_tools/en/ (Typical meteorological "
    "year, CSV or JSON) and import it: gridtwin weather import FILE -o OUT.nc"
)
_OFFLINE_HINT: Final = f"offline? {_MANUAL}"


def cache_folder(cache_dir: str | Path | None = None) -> Path:
    """Folder where PVGIS responses are cached.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Explicit folder; default ``$GRIDTWIN_CACHE/pvgis`` or ``~/.cache/gridtwin/pvgis``.

    Returns
    -------
    Path
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "gridtwin"
    return base / "pvgis"


def _request_params(
    latitude: float,
    longitude: float,
    outputformat: str,
    usehorizon: bool,
    startyear: int | None,
    endyear: int | None,
) -> dict[str, Any]:
    """Query parameters exactly as :func:`pvlib.iotools.get_pvgis_tmy` builds them."""
    params: dict[str, Any] = {"lat": latitude, "lon": longitude, "outputformat": outputformat}
    if not usehorizon:
        params["usehorizon"] = 0
    if startyear is not None:
        params["startyear"] = startyear
    if endyear is not None:
        params["endyear"] = endyear
    return params


def cache_path(
    latitude: float,
    longitude: float,
    cache_dir: str | Path | None = None,
    *,
    outputformat: str = "csv",
    usehorizon: bool = True,
    startyear: int | None = None,
    endyear: int | None = None,
) -> Path:
    """Cache file of a PVGIS TMY request (whether or not it exists yet).

    Parameters are those of :func:`fetch_pvgis_tmy`.

    Returns
    -------
    Path
    """
    lat, lon = round(float(latitude), COORD_DECIMALS), round(float(longitude), COORD_DECIMALS)
    params = _request_params(lat, lon, outputformat, usehorizon, startyear, endyear)
    params["url"] = pvlib.iotools.pvgis.URL
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    return cache_folder(cache_dir) / f"tmy_{lat:.3f}_{lon:.3f}_{key}.{outputformat}"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _check_body(body: bytes, outputformat: str, where: str) -> None:
    """Parse the body with pvlib; raise DataError if it is not a complete PVGIS TMY."""
    try:
        data, _ = pvlib.iotools.read_pvgis_tmy(io.BytesIO(body), pvgis_format=outputformat)
    except (ValueError, KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
        detail = (str(exc).splitlines() or [""])[0][:120]
        raise DataError(
            f"{where}: the PVGIS response is not a TMY ({type(exc).__name__}: {detail}); "
            f"nothing was cached; try again later, or {_MANUAL}"
        ) from None
    if len(data) < 8760:
        raise DataError(f"{where}: the PVGIS response has {len(data)} hours, expected 8760")


def fetch_pvgis_tmy(
    latitude: float,
    longitude: float,
    cache_dir: str | Path | None = None,
    *,
    refresh: bool = False,
    outputformat: str = "csv",
    usehorizon: bool = True,
    startyear: int | None = None,
    endyear: int | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download a PVGIS typical meteorological year once and return the cached raw file.

    Parameters
    ----------
    latitude, longitude : float
        Site [deg], north and east positive; rounded to 0.001 deg for the request.
    cache_dir : str or Path, optional
        Cache folder; default ``$GRIDTWIN_CACHE/pvgis`` or ``~/.cache/gridtwin/pvgis``.
    refresh : bool
        Download again even if the cache holds the response.
    outputformat : {"csv", "json"}
        PVGIS output format stored in the cache.
    usehorizon : bool
        Let PVGIS include the shading of the terrain horizon.
    startyear, endyear : int, optional
        Years the TMY months are chosen from (PVGIS needs at least 10 years); default all.
    timeout : float
        Network timeout [s].

    Returns
    -------
    Path
        The cached PVGIS file (read it with ``gridtwin.weather.read(path, format="pvgis")``).

    Raises
    ------
    ConfigError
        If the coordinates or the format are invalid.
    DataError
        If PVGIS cannot be reached, refuses the request (its message is quoted, e.g. a site
        at sea) or returns a body that is not a TMY; nothing is cached then.

    References
    ----------
    .. [1] Huld, T., Müller, R., Gambardella, A. (2012). A new solar radiation database for
       estimating PV performance in Europe and Africa. Solar Energy 86(6), 1803-1815.
       https://doi.org/10.1016/j.solener.2012.03.006
    .. [2] European Commission JRC, PVGIS TMY tool. https://joint-research-centre.ec.europa.eu/
       photovoltaic-geographical-information-system-pvgis/pvgis-tools/pvgis-typical-meteorological-year-tmy-generator_en
    """
    if not -90.0 <= float(latitude) <= 90.0 or not -180.0 <= float(longitude) <= 180.0:
        raise ConfigError(
            f"latitude {latitude} / longitude {longitude}: out of range; give degrees north "
            "in [-90, 90] and east in [-180, 180]"
        )
    if outputformat not in FORMATS:
        raise ConfigError(f"outputformat {outputformat!r}: choose one of {', '.join(FORMATS)}")
    path = cache_path(
        latitude,
        longitude,
        cache_dir,
        outputformat=outputformat,
        usehorizon=usehorizon,
        startyear=startyear,
        endyear=endyear,
    )
    if path.is_file() and not refresh:
        logger.info("PVGIS TMY from cache %s", path)
        return path

    lat, lon = round(float(latitude), COORD_DECIMALS), round(float(longitude), COORD_DECIMALS)
    params = _request_params(lat, lon, outputformat, usehorizon, startyear, endyear)
    url = pvlib.iotools.pvgis.URL + "tmy"
    where = f"PVGIS TMY ({lat:g}, {lon:g})"
    logger.info("downloading %s from %s", where, url)
    try:
        res = requests.get(url, params=params, timeout=timeout)
    except requests.RequestException as exc:
        raise DataError(
            f"{where}: cannot reach {url} ({type(exc).__name__}); {_OFFLINE_HINT}"
        ) from None
    if not res.ok:
        try:  # PVGIS explains a refused request in a JSON body (e.g. "Location over the sea")
            message = str(res.json()["message"])
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {res.status_code} {res.reason}"
        raise DataError(f"{where}: PVGIS refused the request: {message}")
    body = res.content
    _check_body(body, outputformat, where)
    try:
        _atomic_write(path, body)
        request = {
            "url": url,
            "params": params,
            "downloaded_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "pvlib_version": pvlib.__version__,
        }
        _atomic_write(
            path.with_suffix(".request.json"), json.dumps(request, indent=1).encode("utf-8")
        )
    except OSError as exc:
        raise DataError(
            f"{path}: cannot write the PVGIS cache ({exc.strerror or exc}); set "
            f"{CACHE_ENV} to a writable folder"
        ) from None
    logger.info("cached %s in %s", where, path)
    return path


def fetch_pvgis_weather(
    latitude: float,
    longitude: float,
    cache_dir: str | Path | None = None,
    *,
    refresh: bool = False,
    **read_kwargs: Any,
) -> xr.Dataset:
    """Canonical weather set of the PVGIS TMY at a site (downloaded once, then cached).

    Parameters
    ----------
    latitude, longitude : float
        Site [deg].
    cache_dir : str or Path, optional
        Cache folder, see :func:`fetch_pvgis_tmy`.
    refresh : bool
        Download again even if cached.
    **read_kwargs
        Passed to ``gridtwin.weather.read`` (e.g. the reference year).

    Returns
    -------
    xarray.Dataset
        Canonical weather set.
    """
    from gridtwin.weather import read

    path = fetch_pvgis_tmy(latitude, longitude, cache_dir, refresh=refresh)
    result: xr.Dataset = read(path, format="pvgis", **read_kwargs)
    return result
