"""Resilience: will the campus ride through a grid outage, and what backup does it need.

* :mod:`~gridtwin.resilience.island` -- a result's campus cut off from the grid (critical
  load, on-site generation, storage pool, backup generator units and fuel);
* :mod:`~gridtwin.resilience.survival` -- survival probability by outage start and duration
  (REopt's backup-reliability Markov model, vectorised over start hours);
* :mod:`~gridtwin.resilience.reference` -- the same model as a plain loop (tests, bench);
* :mod:`~gridtwin.resilience.analysis` -- the analysis as variables of the result file;
* :mod:`~gridtwin.resilience.cli` -- ``gridtwin resilience RESULT.nc``.
"""
