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
import os
import sys
from collections.abc import Iterator
from typing import Any

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
    """A copy of ``options`` for HiGHS with the log off unless DEBUG logging is on.

    Also silences the process's HiGHS banner (once per process), so a solve prints nothing
    but gridtwin's own progress. A user's explicit ``output_flag`` is kept.
    """
    opts = dict(options or {})
    opts.setdefault("output_flag", logger.isEnabledFor(logging.DEBUG))
    _banner_shown_to_null()
    return opts
