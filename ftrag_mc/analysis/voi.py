"""Value of information: what learning an input before choosing a strategy is worth.

The decision is "which strategy": the lowest net present cost (NPC) wins, so a strategy's net
benefit is NB_d = -NPC_d. Deciding now picks the strategy best on average, d* = argmax_d E[NB_d].

- **EVPI** (expected value of perfect information, :mod:`ftrag_mc.analysis.evpi`): the most it is
  worth paying to learn everything before deciding; also the expected regret of d*.
- **EVPPI** (partial EVPI, :mod:`ftrag_mc.analysis.evppi`): the most it is worth paying to learn
  one input (or a group of 2-3) before deciding, with its bootstrap interval and noise floor.
- **EVSI** (a study of n items, :mod:`ftrag_mc.analysis.evsi`).

This module gathers the first two under one name; sentences about them are the report's
(:mod:`ftrag_mc.report.voi_words`).
"""

from ftrag_mc.analysis.evpi import EvpiEstimate, compute_evpi, evpi_from_net_benefit
from ftrag_mc.analysis.evppi import ZERO_USD, EvppiEstimate, compute_evppi, evppi_from_samples
from ftrag_mc.scenario import describe_input

__all__ = [
    "EvpiEstimate",
    "EvppiEstimate",
    "evpi_from_net_benefit",
    "evppi_from_samples",
    "compute_evpi",
    "compute_evppi",
    "describe_input",
    "ZERO_USD",
]
