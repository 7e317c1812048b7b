"""File output shared by all stages: atomic netCDF writes.

A write goes to a temporary file in the destination folder and is renamed over the target only
after it completed, so a crash never leaves a half-written file and never destroys an earlier
result (the pattern atlite uses for its cutouts).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import xarray as xr

from gridtwin.exceptions import DataError

#: File name endings accepted for netCDF output.
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")


def _is_netcdf(path: Path) -> bool:
    """Whether ``path`` starts like a netCDF-3 (``CDF``) or netCDF-4/HDF5 file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return head.startswith(b"CDF") or head.startswith(b"\x89HDF")


def netcdf_kind(path: Path) -> str:
    """What a netCDF file holds: ``"result"`` (a gridtwin result), ``"weather"`` (a canonical
    weather set) or ``"other"``."""
    import netCDF4

    try:
        with netCDF4.Dataset(path) as nc:
            names = set(nc.variables)
    except OSError:
        return "other"
    if "cfe_score" in names:
        return "result"
    if "ghi" in names:
        return "weather"
    return "other"


def check_writable(
    path: str | Path, *, inputs: Iterable[str | Path] = (), kind: str | None = None
) -> Path:
    """Fail early if ``path`` cannot be written (before hours of computation).

    Creates the parent folders and a probe file next to the target, then removes the probe.
    Only netCDF file names (``.nc``) are accepted, and an existing file is replaced only if it
    is itself a netCDF file, so a slip of ``-o`` never destroys an input (a weather file, a
    study). With ``inputs`` the destination may not be one of them; with ``kind`` an existing
    netCDF file is replaced only if it holds the same kind (:func:`netcdf_kind`).

    Parameters
    ----------
    path : str or Path
        Destination file.

    Returns
    -------
    Path

    Raises
    ------
    DataError
        If the destination is a folder, does not end in ``.nc``, is an existing file that is not
        netCDF, or its folder cannot be created or written.
    """
    dest = Path(path)
    if dest.is_dir():
        raise DataError(f"{dest}: is a folder; give a file name for the result (e.g. {dest}/x.nc)")
    if dest.suffix.lower() not in NETCDF_SUFFIXES:
        raise DataError(
            f"{dest}: a netCDF file name must end in .nc; choose e.g. "
            f"{dest.with_name((dest.stem if not dest.name.startswith('.') else 'result') + '.nc')}"
        )
    if dest.is_file() and not _is_netcdf(dest):
        raise DataError(
            f"{dest}: exists and is not a netCDF file; refusing to overwrite it, choose another "
            "path"
        )
    for src in inputs:
        if Path(src).exists() and dest.resolve() == Path(src).resolve():
            raise DataError(f"{dest}: is an input of this run; write the output elsewhere")
    if kind is not None and dest.is_file() and (held := netcdf_kind(dest)) != kind:
        names = {
            "result": "a gridtwin result",
            "weather": "a weather set",
            "other": "another kind of",
        }
        raise DataError(
            f"{dest}: holds {names.get(held, held)} netCDF, not {names.get(kind, kind)} netCDF "
            "(as this command writes); refusing to replace it, choose another path (or delete "
            "the file first)"
        )
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".probe", dir=dest.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DataError(
            f"{dest}: cannot write here ({exc.strerror}); choose another path"
        ) from None
    return dest


def write_netcdf(
    ds: xr.Dataset,
    path: str | Path,
    *,
    inputs: Iterable[str | Path] = (),
    kind: str | None = None,
) -> Path:
    """Write ``ds`` to ``path`` as netCDF-4 atomically.

    Parameters
    ----------
    ds : xarray.Dataset
        Dataset to write; float variables are stored without fill values.
    path : str or Path
        Destination file; parent folders are created.
    inputs, kind
        As for :func:`check_writable`.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    DataError
        If the destination is a folder or cannot be written; an existing file at ``path`` is
        left untouched.
    """
    dest = check_writable(path, inputs=inputs, kind=kind)
    encoding = {
        name: {"_FillValue": None} for name, var in ds.variables.items() if var.dtype.kind == "f"
    }
    return write_atomic(
        dest, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
    )


#: Free space [bytes] under which a failed write is put down to a full device.
FULL_DISK_BYTES = 16 * 1024 * 1024


def _free_space_note(folder: Path) -> str:
    """``"; the device is full (N kB free)"`` when little space is left, else ``""``."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if free >= FULL_DISK_BYTES:
        return ""
    return f"; the device is full ({free // 1024} kB free): free space or write elsewhere"


def write_atomic(dest: Path, write: Callable[[str], object]) -> Path:
    """Run ``write(tmp)`` on a temporary file beside ``dest``, then rename it to ``dest``.

    A failure (or Ctrl-C) removes the temporary file and leaves an existing ``dest`` untouched.
    The file gets the usual mode (``0666`` less the umask).

    Raises
    ------
    DataError
        Writing or renaming failed with an ``OSError`` or a netCDF/HDF5 ``RuntimeError`` (a
        full disk shows as ``NetCDF: HDF error``); the message says when the device is full.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, dest)
    except (OSError, RuntimeError) as exc:  # netCDF4/HDF5 report a full disk as RuntimeError
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DataError(
            f"{dest}: writing failed ({reason}{_free_space_note(dest.parent)}); nothing was "
            "changed" + (" and the earlier file is intact" if dest.exists() else "")
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest
