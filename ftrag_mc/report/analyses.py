"""Every analysis a run's report reads, computed at most once, and what its charts need to know
about the run (:func:`run_info`)."""

from __future__ import annotations

import functools

import pandas as pd

from ftrag_mc import analysis
from ftrag_mc._version import __version__
from ftrag_mc.analysis import regimes
from ftrag_mc.analysis.decision import (
    Decision, compute_decision, decision_pair_run, main_challenger, rank_strategies,
)
from ftrag_mc.analysis.decision_pair import pair_curves, with_falling_crossings
from ftrag_mc.analysis.delta_distribution import compute_delta_distribution
from ftrag_mc.analysis.marks import attach_marks
from ftrag_mc.analysis.strategy_costs import compute_breakdown, compute_fan
from ftrag_mc.report.style import RunInfo
from ftrag_mc.simulate import SimulationResult

__all__ = ["REPORT_KEPT_SAMPLES", "RUN_POLICY_SAMPLES", "RunAnalyses", "decision_panel", "hero_curves",
           "run_info"]


def run_info(result: SimulationResult, summary: pd.DataFrame | None = None, *,
             decision: Decision | None = None) -> RunInfo:
    """What the charts need to know about ``result``. The main question is the decision's pair
    (``decision``, else :func:`~ftrag_mc.analysis.decision.rank_strategies` of the run): the
    recommended strategy against the runner-up; the charts against the baseline draw first the
    recommended strategy (the runner-up when the baseline is recommended). A run without its
    decision statistics (``outputs="pwin"``) falls back to
    :func:`~ftrag_mc.analysis.decision.main_challenger` of ``summary``."""
    scenario = result.scenario
    if decision is None and result.decision is not None:
        decision = rank_strategies(result)
    if decision is not None:
        pair = (decision.recommended, decision.runner_up)
        main = pair[0] if pair[0] != result.baseline else pair[1]
    else:
        pair, main = None, main_challenger(summary if summary is not None else analysis.compute_summary(result))
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=result.strategies,
                   labels={s: scenario.label(s) for s in result.strategies}, baseline=result.baseline,
                   samples=result.n_samples, seed=result.seed, sampler=result.sampler,
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(getattr(scenario, "overrides", ())),
                   queries_per_month=float(result.scenario_volume),
                   sweep_queries_per_month=(float(result.volumes[0]), float(result.volumes[-1])),
                   horizon_months=int(result.horizon_months), main_challenger=main, decision_pair=pair,
                   interims={s: scenario.strategies[s].interim for s in result.strategies
                             if scenario.strategies[s].interim is not None})


def decision_panel(pair_result: SimulationResult, recommended: str, curves: pd.DataFrame | None = None,
                   crossings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The P(win) chart's first pair: P(``recommended`` cheaper than ``pair_result``'s baseline, the
    runner-up) against volume, crossings attached, ``baseline`` and ``baseline_label`` naming the
    runner-up. ``curves`` and ``crossings``: the pair run's, when already computed (every
    challenger's; the recommended strategy's rows are taken)."""
    if curves is None:
        first = pair_curves(pair_result, recommended)
        first_crossings = analysis.compute_crossings(first, pair_result)
    else:
        first = curves[curves["strategy"] == recommended]
        first_crossings = (analysis.compute_crossings(first, pair_result) if crossings is None
                           else crossings[crossings["strategy"] == recommended])
    first_crossings = with_falling_crossings(first, first_crossings)
    first = attach_marks(first.drop(columns=["baseline", "baseline_label"], errors="ignore"), first_crossings)
    runner_up = pair_result.baseline
    return first.assign(baseline=runner_up, baseline_label=pair_result.scenario.label(runner_up))


def hero_curves(result: SimulationResult, pair_result: SimulationResult, decision: Decision,
                curves: pd.DataFrame, crossings: pd.DataFrame) -> pd.DataFrame:
    """The P(win) chart's frame: the recommended strategy against the runner-up first (from the
    pair run, :func:`decision_panel`), then each challenger against the baseline; each row's
    ``baseline`` (and ``baseline_label``) names the strategy its P(win) is against, crossings
    attached per pair. The mirror of the decision's pair (the runner-up against a recommended
    baseline) is left to the CSVs."""
    rec, ru = decision.recommended, decision.runner_up
    first = (decision_panel(result, rec, curves, crossings) if pair_result is result
             else decision_panel(pair_result, rec))
    rest = attach_marks(curves, crossings)
    rest = rest[~rest["strategy"].isin([rec] if pair_result is result else
                                       [ru] if rec == result.baseline else [])]
    label = result.scenario.label
    return pd.concat([first, rest.assign(baseline=result.baseline, baseline_label=label(result.baseline))],
                     ignore_index=True)


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
    :class:`~ftrag_mc.analysis.policy.PolicyResult`); ``decision`` is the decision among all
    strategies under ``rule`` (:func:`~ftrag_mc.analysis.decision.compute_decision`), read with
    ``pair_result``, the run of the recommended strategy against the runner-up (``result`` itself
    when the runner-up is its baseline); ``hero`` the P(win) chart's frame (:func:`hero_curves`);
    ``info`` is :func:`run_info`, and ``kept`` a separate run that keeps its samples, for the fan
    and the breakdown.
    """

    def __init__(self, result: SimulationResult, *, rule: str = "mean"):
        self.result = result
        self.rule = rule
        self.info = run_info(result, decision=self.ranking)
        self.volume = result.scenario_volume
        self.volume_range = (float(result.volumes[0]), float(result.volumes[-1]))

    @functools.cached_property
    def ranking(self) -> Decision:
        """The decision without the pair's distribution (no second run)."""
        return rank_strategies(self.result, rule=self.rule)

    @functools.cached_property
    def pair_result(self) -> SimulationResult:
        return decision_pair_run(self.result, self.ranking)

    @functools.cached_property
    def decision(self) -> Decision:
        return compute_decision(self.result, rule=self.rule, pair_result=self.pair_result)

    @functools.cached_property
    def hero(self) -> pd.DataFrame:
        return hero_curves(self.result, self.pair_result, self.decision, self.curves, self.crossings)

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

        return compute_top_inputs(self.result.scenario, challenger=self.ranking.recommended,
                                  baseline=self.ranking.runner_up)

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
