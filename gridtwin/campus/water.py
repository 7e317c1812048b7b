"""Water the cooling draws: consumption and withdrawal from the evaporation of towers and
evaporative media.

With evaporation ``E`` (from :mod:`gridtwin.campus.plant`), tower drift ``D = drift_rate x
circulating water`` and ``C`` cycles of concentration, the make-up water of an evaporative
system is ``E C / (C - 1)`` (blowdown ``B = E / (C - 1) - D`` keeps the dissolved solids at
``C`` times the make-up's), so::

    consumption = E + D                      water that leaves as vapour or droplets
    withdrawal  = max(E C / (C - 1), E + D)  make-up water (evaporation, drift, blowdown)

(US DOE FEMP, Cooling Towers: Understanding Key Components of Cooling Towers and How to
Improve Water Efficiency, 2011; the consumption / withdrawal distinction of the USGS water-use
accounts). Dry coolers (``"liquid_dry"``) draw none.

Water usage effectiveness (The Green Grid WP#35, 2011; EN 50600-4-9): ``WUE = site water
[L] / IT energy [kWh]``. Per MW of IT power, 1 m3 h-1 is 1 L kWh-1.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from gridtwin.campus.plant import Plant
from gridtwin.config import CoolingConfig

#: Water [m3 h-1 per MW] from evaporation [kg s-1 per kW]: 1 kg s-1 kW-1 = 1 m3 s-1 MW-1.
KG_S_PER_KW_TO_M3_H_PER_MW: Final = 3600.0


def water_rates(
    evaporation: np.ndarray, circulating: np.ndarray, c: CoolingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Consumption and withdrawal per unit of IT power (or of heat) from evaporation.

    Parameters
    ----------
    evaporation : numpy.ndarray
        Evaporated water [kg s-1 per kW].
    circulating : numpy.ndarray
        Water circulating through cooling towers [kg s-1 per kW] (drift basis).
    c : CoolingConfig
        ``cycles_of_concentration`` and ``drift_rate``.

    Returns
    -------
    consumption, withdrawal : numpy.ndarray
        [m3 h-1 per MW] (= L kWh-1), same shape as ``evaporation``.

    Examples
    --------
    >>> from gridtwin.config import CoolingConfig
    >>> cons, wd = water_rates(np.array([4e-4]), np.array([0.05]), CoolingConfig())
    >>> round(float(cons[0]), 4), round(float(wd[0]), 4)
    (1.4418, 1.8)
    """
    e = np.asarray(evaporation, dtype=float)
    drift = c.drift_rate * np.asarray(circulating, dtype=float)
    cycles = c.cycles_of_concentration
    consumption = e + drift
    withdrawal = np.maximum(e * cycles / (cycles - 1.0), consumption)
    k = KG_S_PER_KW_TO_M3_H_PER_MW
    return consumption * k, withdrawal * k


def plant_water(plant: Plant, c: CoolingConfig) -> dict[str, np.ndarray]:
    """Hourly water of a cooling plant per MW of IT power, and what heat recovery saves.

    Parameters
    ----------
    plant : Plant
        From :func:`gridtwin.campus.plant.cooling_plant`.
    c : CoolingConfig

    Returns
    -------
    dict of str to numpy.ndarray
        ``consumption``, ``withdrawal`` [m3 h-1 per MW of IT power] and
        ``recovery_consumption``, ``recovery_withdrawal`` [m3 h-1 per MW_th of warm-loop heat
        recovered instead of rejected on site].
    """
    consumption, withdrawal = water_rates(plant.evaporation, plant.circulating, c)
    rec_c, rec_w = water_rates(plant.recovery_evaporation, plant.recovery_circulating, c)
    return {
        "consumption": consumption,
        "withdrawal": withdrawal,
        "recovery_consumption": rec_c,
        "recovery_withdrawal": rec_w,
    }
