"""Deprecated: this module's names now live where their names say.

- :func:`~ftrag_mc.analysis.decision.main_challenger`: :mod:`ftrag_mc.analysis.decision`
- :func:`~ftrag_mc.analysis.marks.attach_marks`: :mod:`ftrag_mc.analysis.marks`
- the ΔNPC distribution (:func:`compute_delta_distribution`, :func:`compute_delta_marks`):
  :mod:`ftrag_mc.analysis.delta_distribution`
- the fan and the breakdown (:func:`compute_fan`, :func:`compute_breakdown`,
  :data:`COMPONENT_LABELS`): :mod:`ftrag_mc.analysis.strategy_costs`

Kept only while the report modules being reworked in parallel still import from here; delete it
once none does.
"""

from ftrag_mc.analysis.decision import main_challenger
from ftrag_mc.analysis.delta_distribution import (
    CENTRAL_RANGE, DISPLAY_BINS, compute_delta_distribution, compute_delta_marks,
)
from ftrag_mc.analysis.marks import MARK_KEYS, attach_marks
from ftrag_mc.analysis.strategy_costs import (
    COMPONENT_LABELS, FAN_PERCENTILES, KEPT_SAMPLES, compute_breakdown, compute_fan,
)

__all__ = ["attach_marks", "main_challenger", "compute_delta_distribution", "compute_delta_marks", "compute_fan",
           "compute_breakdown", "COMPONENT_LABELS", "DISPLAY_BINS", "CENTRAL_RANGE", "FAN_PERCENTILES", "KEPT_SAMPLES",
           "MARK_KEYS"]
