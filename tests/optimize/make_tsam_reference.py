"""Make ``tsam_reference.json``: tsam 2.3's own segments of a full year of synthetic campus
series (``year_series`` of ``test_aggregate_segments.py``) at 1095 and 2190 segments, the
reference of ``test_a_full_year_gives_tsams_stored_segments``.

tsam builds dense 8760 x 8760 matrices for this: run it on a machine with about 1.5 GB of free
memory (about half a minute per segment count)::

    python tests/optimize/make_tsam_reference.py
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # the test module and its helpers (tests/)

from test_aggregate_segments import REFERENCE, tsam_lengths, year_series  # noqa: E402

SEGMENTS = (1095, 2190)


def main() -> None:
    series = year_series()
    reference = {
        "made_by": "tests/optimize/make_tsam_reference.py",
        "tsam_version": version("tsam"),
        "scikit_learn_version": version("scikit-learn"),
        "series_sums": {k: float(v.sum()) for k, v in series.items()},
        "segments": {str(n): tsam_lengths(series, n).tolist() for n in SEGMENTS},
    }
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in reference.items()]
    REFERENCE.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {REFERENCE}")


if __name__ == "__main__":
    main()
