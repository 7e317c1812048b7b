"""The site network inside the sizing problem (:class:`NetworkSpec`) and its builder from a
pandapower network."""

from gridtwin.network.spec import BranchSpec, Contingencies, NetworkSpec

__all__ = ["BranchSpec", "Contingencies", "NetworkSpec"]
