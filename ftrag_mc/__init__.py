"""ftrag-mc: is fine-tuning cheaper than RAG over your horizon, and how sure are we?

A notebook session::

    import ftrag_mc as fm
    scenario = fm.load_scenario("scenarios/support-classifier.toml")
    result = fm.simulate(scenario, samples=20_000, seed=7)
    costs = fm.evaluate(scenario, {"strategies.fine_tuned.training.run_usd": [2000, 8000]})  # NPC per strategy
    curves = fm.compute_pwin_vs_volume(result)        # a DataFrame
    marked = fm.attach_marks(curves, fm.compute_crossings(curves, result))
    fig, ax = fm.plot_pwin_vs_volume(marked, fm.run_info(result))

Charts and reports live in :mod:`ftrag_mc.report`. Importing this package imports nothing heavy: each
name loads its module on first use (so ``ftrag-mc --help`` starts in a fraction of a second).
"""

import importlib
import sys
import types

from ftrag_mc._version import __version__

#: Each public name and the module that defines it, loaded on first use.
_LAZY = {
    **dict.fromkeys(("compute_breakeven", "compute_breakeven_histogram", "compute_cheapest_vs_volume",
                     "compute_crossings", "compute_delta_npc", "compute_payback", "compute_payback_histogram",
                     "compute_payback_months", "compute_pwin_vs_month", "compute_pwin_vs_volume", "compute_summary",
                     "wilson_interval"), "ftrag_mc.analysis"),
    "attach_marks": "ftrag_mc.analysis.marks",
    "ScenarioError": "ftrag_mc.errors",
    **dict.fromkeys(("Scenario", "load_scenario", "parse_scenario"), "ftrag_mc.scenario"),
    **dict.fromkeys(("Evaluation", "evaluate"), "ftrag_mc.model.evaluate"),
    **dict.fromkeys(("ResourceError", "SimulationResult", "simulate", "tune_allocator", "volume_grid"),
                    "ftrag_mc.simulate"),
    **dict.fromkeys(("plot_pwin_vs_volume", "plot_pwin_vs_month", "plot_breakeven", "plot_payback",
                     "plot_cheapest_vs_volume"), "ftrag_mc.report.charts"),
    "run_info": "ftrag_mc.report.analyses",
    "build_report": "ftrag_mc.report.items",
    "write_report": "ftrag_mc.report.writers",
    **dict.fromkeys(("build_run_report", "build_sensitivity_report", "build_sweep_report", "build_compare_report",
                     "build_explain_report"), "ftrag_mc.report.builders"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'ftrag_mc' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """This package's module object: importing the submodule ``ftrag_mc.simulate`` binds it here as
    the attribute ``simulate``, which would hide the function of that name; the function wins."""

    def __setattr__(self, name: str, value) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = ["__version__", *_LAZY]
