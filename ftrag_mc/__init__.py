"""ftrag-mc: is fine-tuning cheaper than RAG over your horizon, and how sure are we?

A notebook session::

    import ftrag_mc as fm
    scenario = fm.load_scenario("scenarios/support-classifier.toml")
    result = fm.simulate(scenario, samples=20_000, seed=7)
    costs = fm.evaluate(scenario, {"strategies.fine_tuned.training.run_usd": [2000, 8000]})  # NPC per strategy
    curves = fm.compute_pwin_vs_volume(result)        # a DataFrame
    marked = fm.attach_marks(curves, fm.compute_crossings(curves, result))
    fig, ax = fm.plot_pwin_vs_volume(marked, fm.run_info(result))

Charts and reports live in :mod:`ftrag_mc.report`; importing this package does not import matplotlib.
"""

from ftrag_mc._version import __version__
from ftrag_mc.analysis import (
    compute_breakeven, compute_breakeven_histogram, compute_cheapest_vs_volume, compute_crossings,
    compute_delta_npc, compute_payback, compute_payback_histogram, compute_payback_months,
    compute_pwin_vs_month, compute_pwin_vs_volume, compute_summary, wilson_interval,
)
from ftrag_mc.analysis.charts_extra import attach_marks
from ftrag_mc.errors import ScenarioError
from ftrag_mc.scenario import Scenario, load_scenario, parse_scenario
from ftrag_mc.model.evaluate import Evaluation, evaluate
from ftrag_mc.simulate import ResourceError, SimulationResult, simulate, tune_allocator, volume_grid

_PLOTS = {"plot_pwin_vs_volume", "plot_pwin_vs_month", "plot_breakeven", "plot_payback",
          "plot_cheapest_vs_volume"}


def __getattr__(name: str):
    # Plots and report helpers load matplotlib only when first used.
    if name in _PLOTS:
        from ftrag_mc.report import charts
        return getattr(charts, name)
    if name == "run_info":
        from ftrag_mc.report.analyses import run_info
        return run_info
    if name == "build_report":
        from ftrag_mc.report.items import build_report
        return build_report
    if name == "write_report":
        from ftrag_mc.report.writers import write_report
        return write_report
    raise AttributeError(f"module 'ftrag_mc' has no attribute {name!r}")


__all__ = [
    "__version__", "attach_marks", "ScenarioError", "Scenario", "load_scenario", "parse_scenario", "SimulationResult",
    "simulate", "tune_allocator", "volume_grid", "evaluate", "Evaluation", "ResourceError", "compute_breakeven",
    "compute_breakeven_histogram", "compute_cheapest_vs_volume", "compute_crossings", "compute_delta_npc",
    "compute_payback", "compute_payback_histogram", "compute_payback_months", "compute_pwin_vs_month",
    "compute_pwin_vs_volume", "compute_summary",
    "wilson_interval", *sorted(_PLOTS), "run_info", "build_report", "write_report",
]
