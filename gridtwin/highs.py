"""Keeping HiGHS quiet on the terminal.

The HiGHS C++ library prints a two-line banner when the first ``Highs`` instance of a process
is made, whatever its options, and its solve log unless ``output_flag`` is off. Both go to file
descriptor 1 directly, past Python's ``sys.stdout`` (and past rich's live progress display, and
from every dask worker process of a sweep). :func:`highs_options` is the one place the solvers
take their HiGHS options from: it turns the log off (on again with ``-v``/DEBUG logging) and
makes the process's first instance with file descriptor 1 sent to the null device.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import sys
from collections.abc import Iterator
from typing import Any, Final

logger = logging.getLogger("gridtwin.optimize")


@contextlib.contextmanager
def fd1_silenced() -> Iterator[None]:
    """Send file descriptor 1 (stdout of C and C++ code) to the null device for a moment."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no stdout to protect
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        os.close(saved)
        yield
        return
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


@functools.cache
def _banner_shown_to_null() -> bool:
    """Make this process's first HiGHS instance (and so its banner) with stdout silenced."""
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a core dependency
        return False
    with fd1_silenced():
        highspy.Highs()
    return True


def highs_options(options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``options`` for HiGHS, checked, with the log off unless DEBUG logging is on.

    Also silences the process's HiGHS banner (once per process), so a solve prints nothing
    but gridtwin's own progress. A user's explicit ``output_flag`` is kept.

    Raises
    ------
    ConfigError
        An option HiGHS does not know, or a value it refuses (:func:`check_options`): HiGHS
        itself would print an error and silently keep its default.
    """
    from gridtwin.exceptions import ConfigError

    opts = dict(options or {})
    try:
        check_options(opts)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    opts.setdefault("output_flag", logger.isEnabledFor(logging.DEBUG))
    _banner_shown_to_null()
    return opts


#: How to name the value types of HiGHS options in messages, by ``HighsOptionType`` name.
_HIGHS_TYPES: Final = {
    "kBool": "true or false",
    "kInt": "an integer",
    "kDouble": "a number",
    "kString": "a string",
}


def _check_values(options: dict[str, Any]) -> None:
    """Set each option on a silent HiGHS instance; raise ``ValueError`` for a value HiGHS
    refuses (at run time HiGHS would print an error and silently keep its default).

    Nothing reaches stdout: the HiGHS banner of the first instance of a process and its
    messages are printed by C++ on file descriptor 1, which is sent to the null device for the
    check, and ``output_flag`` is off before every option is set.
    """
    if not options:
        return
    import highspy

    with fd1_silenced():
        highs = highspy.Highs()
        for name, value in options.items():
            highs.setOptionValue("output_flag", False)
            try:
                ok = highs.setOptionValue(name, value) == highspy.HighsStatus.kOk
            except TypeError:  # a value of no HiGHS type (null, a list, a mapping)
                ok = False
            if not ok:
                raise ValueError(_highs_value_message(highs, name, value))


def _highs_value_message(highs: Any, name: str, value: Any) -> str:
    """Why HiGHS refused ``value`` for the option ``name``, and what it takes instead."""
    import highspy

    status, kind = highs.getOptionType(name)
    kind_name = kind.name if status == highspy.HighsStatus.kOk else ""
    expected = _HIGHS_TYPES.get(kind_name, "a value")
    quote = ""
    if isinstance(value, bool) and kind_name == "kString":
        quote = (
            " (YAML reads unquoted on/off/yes/no as true/false: quote it, in a study file "
            f'{name}: "off", on a shell --set "solver.options.{name}=\'off\'")'
        )
    return (
        f"solver.options.{name}: HiGHS rejects the value {value!r}{quote}; give {expected} "
        "within the range or choices of the HiGHS documentation"
    )


def _unknown(options: dict[str, Any], known: Any) -> list[str]:
    """The option names that ``known`` (a solver's settings object) has no attribute for."""
    return sorted(k for k in options if not hasattr(known, k))


def check_options(options: dict[str, Any]) -> None:
    """Check HiGHS option names and values as HiGHS itself would take them.

    Raises
    ------
    ValueError
        Naming an unknown option, or a value HiGHS refuses and what it takes instead (the
        study loader turns it into a ``ConfigError`` on ``solver.options``).
    """
    import highspy

    unknown = _unknown(options, highspy.HighsOptions())
    if unknown:
        raise ValueError(
            f"unknown HiGHS option(s) {unknown} in solver.options (Clarabel settings left "
            "over? clear them with --set solver.options=null); see the HiGHS documentation "
            "for option names"
        )
    _check_values(options)


def check_clarabel_options(options: dict[str, Any]) -> None:
    """Check Clarabel settings as Clarabel itself takes them: names it knows
    (``clarabel.DefaultSettings``, so no HiGHS option names such as ``solver``), numbers
    >= 0 (``time_limit`` may be infinite, Clarabel's default), values of the setting's type
    (a whole number where Clarabel wants an integer: ``max_iter: 1e2`` is 100), and the
    settings accepted by a Clarabel solver built on a one-variable problem (e.g.
    ``direct_solve_method`` among Clarabel's choices).

    Raises
    ------
    ValueError
        Naming the settings and the fix, in one line.
    """
    import clarabel

    settings = clarabel.DefaultSettings()
    unknown = _unknown(options, settings)
    if unknown:
        raise ValueError(
            f"solver.options: {unknown} are not Clarabel settings (HiGHS options left over? "
            "clear them with --set solver.options=null); Clarabel takes e.g. max_iter, "
            "time_limit, tol_gap_rel"
        )
    for name, value in options.items():
        default = getattr(settings, name)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        unlimited = name == "time_limit" and value == math.inf
        if number and not unlimited and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"solver.options.{name}: Clarabel needs a number >= 0, got {value!r}")
        if number and float(value).is_integer() and value > 2**32 - 1 and not unlimited:
            raise ValueError(
                f"solver.options.{name}: {value} is beyond Clarabel's range (at most {2**32 - 1})"
            )
        try:
            setattr(settings, name, clarabel_value(default, value))
        except (TypeError, ValueError, OverflowError):
            kind = type(default).__name__
            raise ValueError(
                f"solver.options.{name}: Clarabel needs {_ARTICLE.get(kind, 'a')} {kind} "
                f"(default {default!r}), got {value!r}"
            ) from None
    _check_in_clarabel(clarabel, settings)


_ARTICLE = {"int": "an", "float": "a", "bool": "a", "str": "a"}


def clarabel_value(default: Any, value: Any) -> Any:
    """``value`` as Clarabel's setting of type ``type(default)`` takes it.

    Raises
    ------
    TypeError
        A value of another kind: a fraction or a flag for an integer, text for a number, a
        number for a flag or a text.
    """
    if isinstance(default, bool) or isinstance(value, bool):
        if isinstance(default, bool) and isinstance(value, bool):
            return value
        raise TypeError(value)
    if isinstance(default, int) and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(default, float) and isinstance(value, int):
        return float(value)
    if type(value) is not type(default):
        raise TypeError(value)
    return value


def _check_in_clarabel(clarabel: Any, settings: Any) -> None:
    """Build a Clarabel solver on ``min x, x >= 0`` with ``settings`` (Clarabel checks its
    settings there, e.g. ``direct_solve_method``); its refusal becomes one line."""
    import numpy as np
    import scipy.sparse as sp

    settings.verbose = False
    one = sp.csc_matrix(np.array([[-1.0]]))
    try:
        clarabel.DefaultSolver(
            sp.csc_matrix((1, 1)), np.ones(1), one, np.zeros(1), [clarabel.NonnegativeConeT(1)],
            settings,
        )  # fmt: skip
    except Exception as err:  # Clarabel raises a bare Exception("Bad settings: ...")
        text = " ".join(str(err).split())
        raise ValueError(f"solver.options: Clarabel refuses these settings: {text}") from None
