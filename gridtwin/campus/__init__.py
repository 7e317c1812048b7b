"""Data-center campus load: IT load, weather-dependent PUE (cooling and electrical losses).

Three layers, as in pvlib: pure functions of temperature (:mod:`.psychrometrics`, :mod:`.pue`),
the parameter object :class:`gridtwin.config.CampusConfig`, and the orchestrator
:func:`campus_load` turning a canonical weather set into hourly loads.
"""

from gridtwin.campus.load import campus_load
from gridtwin.campus.psychrometrics import wet_bulb
from gridtwin.campus.pue import MODEL_NAME, MODEL_REFERENCE, chiller_cop, facility_overhead, pue

__all__ = [
    "MODEL_NAME",
    "MODEL_REFERENCE",
    "campus_load",
    "chiller_cop",
    "facility_overhead",
    "pue",
    "wet_bulb",
]
