"""Data-center campus load: IT load, weather-dependent PUE, flexibility, UPS and backup.

Three layers, as in pvlib: pure functions (:mod:`.psychrometrics`, :mod:`.pue`,
:mod:`.profiles`), the parameter object :class:`gridtwin.config.CampusConfig`, and the
orchestrator :func:`campus_load` turning a canonical weather set into hourly loads. From its
output, :func:`flexibility_envelope` gives the optimiser the bounds of load shifting and
curtailment; :func:`backup_assets` and :func:`ups_storage` describe the backup generators and
the usable UPS energy.
"""

from gridtwin.campus.backup import BackupAsset, UpsStorage, backup_assets, ups_storage
from gridtwin.campus.flexibility import (
    FlexibilityEnvelope,
    check_dispatch,
    flexibility_cost,
    flexibility_envelope,
)
from gridtwin.campus.load import campus_load
from gridtwin.campus.profiles import it_load_profile
from gridtwin.campus.psychrometrics import wet_bulb
from gridtwin.campus.pue import (
    MODEL_NAME,
    MODEL_REFERENCE,
    chiller_cop,
    economiser_share,
    facility_overhead,
    pue,
)

__all__ = [
    "MODEL_NAME",
    "MODEL_REFERENCE",
    "BackupAsset",
    "FlexibilityEnvelope",
    "UpsStorage",
    "backup_assets",
    "campus_load",
    "check_dispatch",
    "chiller_cop",
    "economiser_share",
    "facility_overhead",
    "flexibility_cost",
    "flexibility_envelope",
    "it_load_profile",
    "pue",
    "ups_storage",
    "wet_bulb",
]
