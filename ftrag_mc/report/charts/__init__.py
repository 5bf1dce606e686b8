"""Every chart of ftrag-mc, one module per chart: a finding (the title sentence, pure text from the
frame and the run) and a ``plot_*`` function that draws the frame it is given.

``plot_x(frame, info, *, ax=None) -> (fig, ax)`` draws on a caller's axes or a figure of its own
and never saves; a chart of several panels also takes ``fig=`` (an empty Figure or SubFigure)
and returns ``(fig, axes)``. ``x_finding(frame, info) -> str`` is the title it writes. Numbers a
person reads come from the frames (:mod:`ftrag_mc.analysis`) or the finding, never from the
drawing. What the charts share: :mod:`.canvas` (figures, titles, footnotes, frame checks),
:mod:`.labels` (naming and telling strategies apart), :mod:`.placement` (room for labels and
legends), :mod:`.strips` (histograms with percentile bars), :mod:`.inputs` (charts by input),
:mod:`.sweep_axis` (swept keys as axes).
"""

from ftrag_mc.report.charts.breakdown import breakdown_finding, plot_breakdown
from ftrag_mc.report.charts.breakeven import breakeven_finding, plot_breakeven
from ftrag_mc.report.charts.cheapest import cheapest_finding, plot_cheapest_vs_volume
from ftrag_mc.report.charts.compare import compare_finding, compare_run_info, plot_compare
from ftrag_mc.report.charts.delta import delta_finding, plot_delta_distribution
from ftrag_mc.report.charts.evppi import evppi_finding, plot_evppi
from ftrag_mc.report.charts.fan import fan_finding, plot_fan
from ftrag_mc.report.charts.indices import global_finding, plot_global
from ftrag_mc.report.charts.payback import payback_finding, plot_payback
from ftrag_mc.report.charts.policy import plot_policy, policy_finding, policy_run_info
from ftrag_mc.report.charts.pwin_month import plot_pwin_vs_month, pwin_vs_month_finding
from ftrag_mc.report.charts.pwin_volume import plot_pwin_vs_volume, pwin_vs_volume_finding
from ftrag_mc.report.charts.regret import plot_regret, regret_finding
from ftrag_mc.report.charts.spider import plot_spider, spider_finding
from ftrag_mc.report.charts.sweep import plot_sweep_1d, plot_sweep_2d, sweep_1d_finding, sweep_2d_finding
from ftrag_mc.report.charts.sweep_axis import sweep_run_info
from ftrag_mc.report.charts.tornado import plot_tornado, tornado_finding

#: chart -> (finding, plot): every chart of a run and of the studies.
CHARTS = {
    "pwin_vs_volume": (pwin_vs_volume_finding, plot_pwin_vs_volume),
    "pwin_vs_month": (pwin_vs_month_finding, plot_pwin_vs_month),
    "breakeven": (breakeven_finding, plot_breakeven),
    "payback": (payback_finding, plot_payback),
    "cheapest_vs_volume": (cheapest_finding, plot_cheapest_vs_volume),
    "delta_distribution": (delta_finding, plot_delta_distribution),
    "fan": (fan_finding, plot_fan),
    "breakdown": (breakdown_finding, plot_breakdown),
    "tornado": (tornado_finding, plot_tornado),
    "spider": (spider_finding, plot_spider),
    "global": (global_finding, plot_global),
    "evppi": (evppi_finding, plot_evppi),
    "regret": (regret_finding, plot_regret),
    "sweep_1d": (sweep_1d_finding, plot_sweep_1d),
    "sweep_2d": (sweep_2d_finding, plot_sweep_2d),
    "compare": (compare_finding, plot_compare),
    "policy": (policy_finding, plot_policy),
}

__all__ = [
    "CHARTS", "compare_run_info", "policy_run_info", "sweep_run_info",
    *(f.__name__ for pair in CHARTS.values() for f in pair),
]
