"""Optimisation: a backend-neutral problem description and the solvers that act on it."""

from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, Solution, StorageSpec, SystemProblem

__all__ = ["GeneratorSpec", "PoiSpec", "Solution", "StorageSpec", "SystemProblem"]
