"""Sensitivity studies: which assumptions decide the answer.

Three views of the same question, each a DataFrame:

- :func:`compute_tornado` (:mod:`~ftrag_mc.analysis.tornado`): each uncertain input swung between
  two percentiles with every other input at its median (one at a time), and beside it the honest
  variant from a sampled run: the expected ΔNPC, P(win) and median breakeven among the futures
  where that input is low or high, every other input varying as it does (correlations included).
- :func:`compute_spider` (:mod:`~ftrag_mc.analysis.spider`): ΔNPC as each input walks through its
  percentiles, the others at medians; :func:`compute_top_inputs`, the run's "what matters most".
- :func:`compute_global` (:mod:`~ftrag_mc.analysis.global_indices`): rank correlation (Spearman),
  partial rank correlation (PRCC) and Sobol indices with bootstrap intervals: how much of ΔNPC's
  variance each input explains, alone and with its interactions.

ΔNPC is NPC(challenger) − NPC(baseline) through the horizon at one start volume: negative is a
saving. What is compared and how the model is evaluated for it is
:mod:`~ftrag_mc.analysis.question`. This module gathers the studies under one name.
"""

from ftrag_mc.analysis.global_indices import SOBOL_SAMPLES, compute_global
from ftrag_mc.analysis.inputs import input_label
from ftrag_mc.analysis.question import DEFAULT_SAMPLES
from ftrag_mc.analysis.spider import SPIDER_PERCENTILES, compute_spider, compute_top_inputs
from ftrag_mc.analysis.tornado import compute_tornado

__all__ = ["compute_tornado", "compute_spider", "compute_global", "compute_top_inputs", "input_label",
           "DEFAULT_SAMPLES", "SOBOL_SAMPLES", "SPIDER_PERCENTILES"]
