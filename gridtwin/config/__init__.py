"""Study configuration: the only place where YAML becomes objects.

The models are split by subject (:mod:`.resources`, :mod:`.campus`, :mod:`.technologies`,
:mod:`.network`, :mod:`.run`, :mod:`.sweep`, :mod:`.study`); :mod:`.loader` reads YAML and
:mod:`.messages` words validation errors. Everything a user or another module needs is
importable from here.
"""

from gridtwin.config.base import (
    ALL_TECHNOLOGIES,
    OFFSITE_TECHNOLOGIES,
    PRICE_BOUNDS,
    STORAGE_TECHNOLOGIES,
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
    HeatReuseConfig,
    InferenceConfig,
    TrainingConfig,
    UpsConfig,
    VariabilityConfig,
    WaterConfig,
    WorkloadConfig,
)
from gridtwin.config.fleet import FleetConfig, TransferConfig
from gridtwin.config.investment import InvestmentConfig, PeriodConfig
from gridtwin.config.loader import apply_override, input_files, load_study, parse_study
from gridtwin.config.network import AcLoopConfig, NetworkConfig, OffsiteConfig, SiteConfig
from gridtwin.config.resilience import (
    CriticalLoadConfig,
    GensetReliabilityConfig,
    GridOutageConfig,
    OutageConfig,
    ResilienceConfig,
    ResilienceSizingConfig,
)
from gridtwin.config.resources import OffwindConfig, SolarConfig, WindConfig
from gridtwin.config.run import AggregationConfig, DispatchConfig, SolverConfig
from gridtwin.config.study import (
    SERIES_FIELDS,
    PoiConfig,
    PolicyConfig,
    SeriesRef,
    Study,
    StudyConfig,
    WeatherConfig,
)
from gridtwin.config.sweep import SweepConfig, SweepScenario
from gridtwin.config.technologies import AssetConfig, TechnologiesConfig

__all__ = [
    "ALL_TECHNOLOGIES",
    "BACKUP_KIND_DEFAULTS",
    "OFFSITE_TECHNOLOGIES",
    "PRICE_BOUNDS",
    "SERIES_FIELDS",
    "STORAGE_TECHNOLOGIES",
    "TECHNOLOGY_NAMES",
    "AcLoopConfig",
    "AggregationConfig",
    "AssetConfig",
    "BackupGeneratorConfig",
    "BuildoutStep",
    "CampusConfig",
    "CoolingConfig",
    "CriticalLoadConfig",
    "DispatchConfig",
    "FleetConfig",
    "FlexibilityConfig",
    "Fraction",
    "GensetReliabilityConfig",
    "GridOutageConfig",
    "HeatReuseConfig",
    "InferenceConfig",
    "InvestmentConfig",
    "NetworkConfig",
    "NonNegative",
    "OffsiteConfig",
    "OffwindConfig",
    "OutageConfig",
    "PeriodConfig",
    "PoiConfig",
    "PolicyConfig",
    "Positive",
    "Price",
    "ResilienceConfig",
    "ResilienceSizingConfig",
    "SeriesRef",
    "SiteConfig",
    "SolarConfig",
    "SolverConfig",
    "StrictModel",
    "Study",
    "StudyConfig",
    "SweepConfig",
    "SweepScenario",
    "TechnologiesConfig",
    "TechnologyName",
    "TrainingConfig",
    "TransferConfig",
    "UpsConfig",
    "VariabilityConfig",
    "WaterConfig",
    "WeatherConfig",
    "WindConfig",
    "WorkloadConfig",
    "apply_override",
    "input_files",
    "load_study",
    "parse_study",
]
