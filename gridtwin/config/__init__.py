"""Study configuration: the only place where YAML becomes objects.

The models are split by subject (:mod:`.resources`, :mod:`.campus`, :mod:`.study`); everything a
user or another module needs is importable from here.
"""

from gridtwin.config.base import (
    PRICE_BOUNDS,
    TECHNOLOGY_NAMES,
    Fraction,
    NonNegative,
    Positive,
    Price,
    StrictModel,
    TechnologyName,
)
from gridtwin.config.campus import (
    BACKUP_KIND_DEFAULTS,
    BackupGeneratorConfig,
    BuildoutStep,
    CampusConfig,
    CoolingConfig,
    FlexibilityConfig,
    InferenceConfig,
    TrainingConfig,
    UpsConfig,
    VariabilityConfig,
    WorkloadConfig,
)
from gridtwin.config.resources import SolarConfig, WindConfig
from gridtwin.config.study import (
    SERIES_FIELDS,
    PoiConfig,
    PolicyConfig,
    SeriesRef,
    SolverConfig,
    Study,
    StudyConfig,
    TechnologiesConfig,
    WeatherConfig,
    apply_override,
    load_study,
    parse_study,
)

__all__ = [
    "BACKUP_KIND_DEFAULTS",
    "PRICE_BOUNDS",
    "SERIES_FIELDS",
    "TECHNOLOGY_NAMES",
    "BackupGeneratorConfig",
    "BuildoutStep",
    "CampusConfig",
    "CoolingConfig",
    "FlexibilityConfig",
    "Fraction",
    "InferenceConfig",
    "NonNegative",
    "PoiConfig",
    "PolicyConfig",
    "Positive",
    "Price",
    "SeriesRef",
    "SolarConfig",
    "SolverConfig",
    "StrictModel",
    "Study",
    "StudyConfig",
    "TechnologiesConfig",
    "TechnologyName",
    "TrainingConfig",
    "UpsConfig",
    "VariabilityConfig",
    "WeatherConfig",
    "WindConfig",
    "WorkloadConfig",
    "apply_override",
    "load_study",
    "parse_study",
]
