"""Every analysis a run's report reads, computed at most once, and what its charts need to know
about the run (:func:`run_info`)."""

from __future__ import annotations

import functools

import pandas as pd

from ftrag_mc import analysis
from ftrag_mc._version import __version__
from ftrag_mc.analysis import regimes
from ftrag_mc.analysis.decision import main_challenger
from ftrag_mc.analysis.delta_distribution import compute_delta_distribution
from ftrag_mc.analysis.strategy_costs import compute_breakdown, compute_fan
from ftrag_mc.report.style import RunInfo
from ftrag_mc.simulate import SimulationResult

__all__ = ["REPORT_KEPT_SAMPLES", "RUN_POLICY_SAMPLES", "RunAnalyses", "run_info"]


def run_info(result: SimulationResult, summary: pd.DataFrame | None = None) -> RunInfo:
    """What the charts need to know about ``result``; ``summary`` (else computed) gives the
    main question's challenger (:func:`~ftrag_mc.analysis.decision.main_challenger`)."""
    scenario = result.scenario
    if summary is None:
        summary = analysis.compute_summary(result)
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=result.strategies,
                   labels={s: scenario.label(s) for s in result.strategies}, baseline=result.baseline,
                   samples=result.n_samples, seed=result.seed, sampler=result.sampler,
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(getattr(scenario, "overrides", ())),
                   queries_per_month=float(result.scenario_volume),
                   sweep_queries_per_month=(float(result.volumes[0]), float(result.volumes[-1])),
                   horizon_months=int(result.horizon_months),
                   main_challenger=main_challenger(summary))


REPORT_KEPT_SAMPLES = 10_000  # the fan's and breakdown's own run keeps this many samples at most
#: A run's own trigger search prices at most this many futures (it is ~50x slower per sample than an
#: affine run): the run's seed and sampler, its own draws.
RUN_POLICY_SAMPLES = 20_000


class RunAnalyses:
    """Every analysis of a run computed at most once, on first use, for the report items.

    Each attribute is the frame of one ``compute_*`` of :mod:`ftrag_mc.analysis` for ``result``
    (``curves``, ``crossings``, ``by_month``, ``breakeven``, ``breakeven_hist``, ``payback``,
    ``payback_hist``, ``summary``, ``cheapest``, ``regimes``, ``top_inputs``,
    ``delta_distribution``, ``fan``, ``breakdown``, and with a staged strategy ``policy``, a
    :class:`~ftrag_mc.analysis.policy.PolicyResult`); ``info`` is :func:`run_info`, and ``kept`` a
    separate run that keeps its samples, for the fan and the breakdown.
    """

    def __init__(self, result: SimulationResult):
        self.result = result
        self.info = run_info(result, self.summary)
        self.volume = result.scenario_volume
        self.volume_range = (float(result.volumes[0]), float(result.volumes[-1]))

    @functools.cached_property
    def curves(self):
        return analysis.compute_pwin_vs_volume(self.result)

    @functools.cached_property
    def crossings(self):
        return analysis.compute_crossings(self.curves, self.result)

    @functools.cached_property
    def by_month(self):
        return analysis.compute_pwin_vs_month(self.result)

    @functools.cached_property
    def breakeven(self):
        return analysis.compute_breakeven(self.result)

    @functools.cached_property
    def breakeven_hist(self):
        return analysis.compute_breakeven_histogram(self.result)

    @functools.cached_property
    def payback(self):
        return analysis.compute_payback(self.result)

    @functools.cached_property
    def payback_hist(self):
        return analysis.compute_payback_histogram(self.result)

    @functools.cached_property
    def summary(self):
        return analysis.compute_summary(self.result, self.curves)

    @functools.cached_property
    def cheapest(self):
        return analysis.compute_cheapest_vs_volume(self.result)

    @functools.cached_property
    def regimes(self):
        return regimes.compute_regimes(self.cheapest)

    @functools.cached_property
    def top_inputs(self):
        from ftrag_mc.analysis.sensitivity import compute_top_inputs

        return compute_top_inputs(self.result.scenario, challenger=self.info.main_challenger)

    @functools.cached_property
    def kept(self) -> SimulationResult:
        """A separate run that keeps every sample (10,000 at most: the report's memory stays
        under 300 MB), for the fan and the breakdown."""
        from ftrag_mc.simulate import simulate

        return simulate(self.result.scenario, samples=min(REPORT_KEPT_SAMPLES, self.result.n_samples),
                        seed=self.result.seed, sampler=self.result.sampler, keep_samples=True, workers=1)

    @functools.cached_property
    def delta_distribution(self):
        return compute_delta_distribution(self.result)

    @functools.cached_property
    def fan(self):
        return compute_fan(self.result.scenario, result=self.kept)

    @functools.cached_property
    def breakdown(self):
        return compute_breakdown(self.result.scenario, result=self.kept)

    @functools.cached_property
    def policy(self):
        """With a staged strategy: the search of its trigger (its start, switch_to and kind) on
        the run's seed and sampler, over at most :data:`RUN_POLICY_SAMPLES` futures of its own."""
        from ftrag_mc.analysis.policy import compute_policy

        result = self.result
        return compute_policy(result.scenario, samples=min(RUN_POLICY_SAMPLES, result.n_samples), seed=result.seed,
                              sampler=result.sampler, workers=result.workers)
