"""When to switch: the best trigger of a staged policy, and what keeping the option open is worth.

A policy starts on strategy A and switches to B when its trigger fires (MODEL.md §5b): when the
observed monthly volume has been above X for k months, or at the start of month m. The search
prices a grid of triggers on the same futures (common random numbers; the simulator's blocks,
inputs and volume paths, see :mod:`ftrag_mc.engine.policy`) together with the two static
policies, committing now (month 1) and never switching (A throughout). The best policy has the
lowest expected NPC over the horizon; the triggers whose expected NPC is within Monte Carlo error
of it (a paired difference below 1.96 standard errors) give its interval; the **value of
flexibility** is the better static policy's expected NPC minus the best policy's (0 when a static
one is best; Dixit & Pindyck 1994, and Longstaff & Schwartz 2001 for threshold rules found by
simulation). In-sample the best of a grid is optimistic by about its standard error.

Numbers only: :func:`compute_policy` returns a :class:`PolicyResult` whose ``frame`` is
``policy.csv`` (columns in :data:`POLICY_COLUMNS`); sentences are the report's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ftrag_mc.analysis.stats import wilson_interval
from ftrag_mc.engine.blocks import BLOCK_SAMPLES, Plan
from ftrag_mc.engine.local import default_workers, local_blocks
from ftrag_mc.engine.policy import PolicyPlan, PolicyStats, run_policy_blocks
from ftrag_mc.model import calendar
from ftrag_mc.model.staged import Stages, is_staged, running_min
from ftrag_mc.limits import STEP_LIMIT
from ftrag_mc.sampling import draw_volume_steps, normalize_seed
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import simulate

__all__ = ["KINDS", "POLICY_COLUMNS", "PolicyResult", "compute_policy", "default_stages", "trigger_grid"]

KINDS = ("volume", "month")
DEFAULT_POINTS = 40
#: Paired differences below this many standard errors are "within Monte Carlo error".
Z = 1.959963984540054
#: Months at which the chart and CSV say how many futures have switched by then.
SWITCHED_BY = (6, 12, 24, 36)

POLICY_COLUMNS = {
    "policy": "trigger (a candidate of the grid), commit now (switch at t = 0) or never switch (start throughout)",
    "start": "the strategy serving from month 1 (key)", "switch_to": "the strategy adopted at the switch (key)",
    "baseline": "the scenario's baseline, the reference of delta_npc_usd and p_win (key)",
    "trigger_kind": "volume (volume_above, queries/month, held for_months months) or month (switch at the start of it)",
    "volume_above_queries_per_month": "volume trigger: switch once observed monthly volume is above this",
    "for_months": "volume trigger: months in a row above volume_above",
    "month": "month trigger: switch at the start of this month (1 = commit now)",
    "expected_npc_usd": "expected net present cost over the horizon, start then switch_to",
    "expected_npc_se_usd": "its Monte Carlo standard error",
    "delta_npc_usd": "expected NPC minus the baseline's (negative: a saving)",
    "delta_npc_se_usd": "its standard error, paired (the same futures)",
    "expected_saving_usd": "minus delta_npc_usd: what the policy saves against the baseline on average (the chart's curve)",
    "expected_saving_low_usd": "its 95 % interval, low: 1.96 paired standard errors below (the chart's band)",
    "expected_saving_high_usd": "its 95 % interval, high",
    "p_win": "share of futures in which the policy costs less than the baseline",
    "p_win_low": "95 % Wilson interval, low", "p_win_high": "95 % Wilson interval, high",
    "p_switch": "share of futures in which the switch happens within the horizon",
    "p_switch_low": "95 % Wilson interval, low", "p_switch_high": "95 % Wilson interval, high",
    **{f"p_switch_by_month_{m}": f"share of futures that have decided to switch by the end of month {m}"
       for m in SWITCHED_BY},
    "switch_month_p10": "decision time τ (months from t = 0; 0 = at once), 10th percentile; inf = never",
    "switch_month_p50": "median decision time; inf = in most futures never", "switch_month_p90": "90th percentile",
    "delta_vs_now_usd": "expected NPC minus committing now's (paired)", "delta_vs_now_se_usd": "its standard error",
    "p_beats_now": "share of futures in which the policy costs less than committing now",
    "p_beats_now_low": "95 % Wilson interval, low", "p_beats_now_high": "95 % Wilson interval, high",
    "delta_vs_never_usd": "expected NPC minus never switching's (paired)", "delta_vs_never_se_usd": "its standard error",
    "p_beats_never": "share of futures in which the policy costs less than never switching",
    "p_beats_never_low": "95 % Wilson interval, low", "p_beats_never_high": "95 % Wilson interval, high",
    "delta_vs_best_usd": "expected NPC minus the best policy's (paired)", "delta_vs_best_se_usd": "its standard error",
    "within_error_of_best": "true where delta_vs_best_usd is below 1.96 standard errors: as good as the best",
    "best": "true on the policy with the lowest expected NPC",
}


@dataclass(frozen=True)
class PolicyResult:
    """A trigger search, as numbers.

    Attributes
    ----------
    frame : DataFrame
        ``policy.csv``: one row per candidate trigger (grid order), then commit now and never
        switch; columns :data:`POLICY_COLUMNS`.
    best : int
        Row of the best policy (lowest expected NPC, ties to the earlier row).
    start, switch_to, baseline, labels
        The strategies (names; ``labels`` maps each to its label).
    kind, for_months
        The trigger searched.
    flexibility_usd, flexibility_se_usd
        The better static policy's expected NPC minus the best policy's, and its paired standard error.
    samples, seed, sampler, horizon_months, queries_per_month, scenario
        The run: futures priced, seed, sampling scheme, horizon, start volume, the scenario searched.
    """

    frame: pd.DataFrame
    best: int
    start: str
    switch_to: str
    baseline: str
    labels: dict[str, str]
    kind: str
    for_months: int
    flexibility_usd: float
    flexibility_se_usd: float
    samples: int
    seed: int
    sampler: str
    horizon_months: int
    queries_per_month: float
    scenario: Scenario

    @property
    def best_row(self) -> pd.Series:
        return self.frame.iloc[self.best]

    @property
    def interval(self) -> pd.DataFrame:
        """The candidate triggers as good as the best (within Monte Carlo error), grid order."""
        f = self.frame
        return f[(f["policy"] == "trigger") & f["within_error_of_best"]]

    def static(self, which: str) -> pd.Series:
        """The row of ``"commit now"`` or ``"never switch"``."""
        return self.frame[self.frame["policy"] == which].iloc[0]


def default_stages(scenario: Scenario, start: str | None = None, switch_to: str | None = None, *,
                   samples: int | None = None, seed: int | None = None) -> Stages:
    """The policy's two strategies: those given, else the scenario's (first) staged strategy's, else
    the baseline and the challenger with the lowest expected NPC (over ``samples`` futures).

    Raises
    ------
    ValueError
        For a name that is no strategy, a staged one, or the same strategy twice.
    """
    plain = [s for s, record in scenario.strategies.items() if not is_staged(record)]
    staged = next((record for record in scenario.strategies.values() if is_staged(record)), None)
    for option, name in (("--start", start), ("--switch-to", switch_to)):
        if name is not None and name not in plain:
            what = "a staged strategy" if name in scenario.strategies else "not a strategy"
            raise ValueError(f"{option}: '{name}' is {what} (strategies to switch between: {', '.join(plain)})")
    start = start or (staged.start if staged is not None else scenario.baseline)
    if switch_to is None and staged is not None and staged.switch_to != start:
        switch_to = staged.switch_to
    if switch_to is None:
        candidates = [s for s in plain if s != start]
        result = simulate(scenario, samples=samples, seed=seed, outputs="all")
        means = {s: float(result.npc_moments.mean[result.index(s), -1]) for s in candidates}
        switch_to = min(candidates, key=lambda s: (means[s], candidates.index(s)))
    if start == switch_to:
        raise ValueError(f"--switch-to: '{switch_to}' is the start strategy; name another")
    return Stages(start=start, switch_to=switch_to)


def trigger_grid(scenario: Scenario, kind: str, points: int = DEFAULT_POINTS, *, for_months: int = 1,
                 samples: int | None = None, seed: int | None = None, sampler: str | None = None) -> np.ndarray:
    """The candidate triggers: months 1..H, or ``points`` volumes log-spaced over the levels a
    volume trigger can meet (queries/month).

    The volume band runs from the 1st percentile of the level in month ``for_months`` (the first a
    trigger held that long can fire in: below it, it fires then in 99 % of futures) to the 99th
    percentile of the highest level of the horizon (above it, it never fires in 99 %), over the
    run's first block of futures (up to 16,384 of ``samples``, the same draws the search prices).
    """
    if kind not in KINDS:
        raise ValueError(f"the trigger is volume or month, not {kind!r}")
    h = scenario.horizon_months
    if kind == "month":
        return np.arange(1.0, h + 1.0)
    if points < 2:
        raise ValueError(f"a volume grid needs at least 2 points (got {points})")
    n = int(samples if samples is not None else scenario.simulation.samples)
    plan = Plan(scenario, n, normalize_seed(seed if seed is not None else scenario.simulation.seed),
                sampler or scenario.simulation.sampler)
    stop = min(n, BLOCK_SAMPLES)
    drawn = plan.input_sampler.draw(0, stop)
    volume = scenario.volume
    path = calendar.growth_factors(drawn[volume.growth_per_month.name], h)
    if volume.noisy:
        steps = draw_volume_steps(plan.seed, h, 0, stop)
        path = path * calendar.noise_factors(drawn[volume.volatility_per_month.name], steps, h, STEP_LIMIT)
    level = volume.queries_per_month * running_min(np.broadcast_to(path, (h, stop)), for_months)
    first = level[min(for_months, h) - 1]
    low = float(np.quantile(first, 0.01)) if for_months <= h else volume.queries_per_month
    high = float(np.quantile(level.max(axis=0), 0.99))
    if not high > low * 1.01:  # one path for every future: a band around it
        # (a trigger held longer than the horizon never fires: its levels are all 0, the band is
        # around the start volume)
        low, high = low / 2, max(high, low) * 2
    return np.geomspace(low, high, points)


def compute_policy(scenario: Scenario, *, start: str | None = None, switch_to: str | None = None,
                   trigger: str | None = None, for_months: int | None = None,
                   triggers: Sequence[float] | None = None, points: int = DEFAULT_POINTS,
                   samples: int | None = None, seed: int | None = None, sampler: str | None = None,
                   workers: int | None = None, progress: Callable[[int], None] | None = None) -> PolicyResult:
    """Search the trigger of "start on A, switch to B" over a grid, on common random numbers.

    Parameters
    ----------
    scenario
        The scenario (its baseline is the reference of ΔNPC and P(win)).
    start, switch_to
        A and B; default :func:`default_stages`.
    trigger
        ``"volume"`` or ``"month"``; default the scenario's staged strategy's kind, else volume.
    for_months
        A volume trigger's months in a row; default the scenario's staged strategy's, else 1.
    triggers, points
        The candidates (queries/month, or months); default :func:`trigger_grid` with ``points``.
    samples, seed, sampler
        Default the scenario's [simulation]; the futures are the simulator's for the same seed.
    workers, progress
        Worker processes (results do not change); ``progress(samples_done)`` after each block.

    Raises
    ------
    ValueError
        For strategies or settings that do not make a search.
    """
    n = int(samples if samples is not None else scenario.simulation.samples)
    if n < 2:
        raise ValueError(f"samples must be at least 2 (got {n})")
    seed = normalize_seed(seed if seed is not None else scenario.simulation.seed)
    sampler = sampler or scenario.simulation.sampler
    stages = default_stages(scenario, start, switch_to, samples=n, seed=seed)
    kind, k = _trigger_kind(scenario, trigger, for_months)
    if triggers is None:
        triggers = trigger_grid(scenario, kind, points, for_months=k, samples=n, seed=seed, sampler=sampler)
    grid = np.asarray(triggers, dtype=np.float64)
    if grid.ndim != 1 or not len(grid) or not np.all(np.isfinite(grid)) or np.any(grid < (1 if kind == "month" else 0)):
        raise ValueError(f"the {kind} triggers must be finite numbers {'>= 1' if kind == 'month' else '>= 0'}")
    plan = PolicyPlan(scenario, n, seed, sampler, stages=stages, kind=kind, triggers=grid, for_months=k)
    plan.input_sampler  # noqa: B018 - validates the sampler settings before any work
    total: PolicyStats | None = None
    for stats in local_blocks(plan, range(plan.n_blocks), workers or default_workers(), 1, run=run_policy_blocks):
        total = stats if total is None else total.absorb(stats)
        if progress is not None:
            progress(stats.n)
    return _result(plan, total)


def _trigger_kind(scenario: Scenario, trigger: str | None, for_months: int | None) -> tuple[str, int]:
    staged = next((r.trigger for r in scenario.strategies.values() if is_staged(r)), None)
    kind = trigger or ("month" if staged is not None and staged.month is not None else "volume")
    if kind not in KINDS:
        raise ValueError(f"--trigger: volume or month, not {kind!r}")
    if for_months is not None and kind == "month":
        raise ValueError("--for-months goes with a volume trigger")
    k = for_months or (staged.months_above if staged is not None and staged.volume_above is not None else 1)
    if k < 1:
        raise ValueError(f"--for-months must be at least 1 (got {k})")
    return kind, int(k)


def _quantiles(counts: np.ndarray, q: Sequence[float], never: float) -> list[float]:
    """Linear-rule quantiles (numpy's default) of integer decision times 0..H given their counts;
    H (never) reads as ``never`` (inf)."""
    values = np.arange(len(counts), dtype=np.float64)
    values[-1] = never
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])

    def at(rank: int) -> float:
        return float(values[int(np.searchsorted(cumulative, rank, side="right"))])

    out = []
    for qi in q:
        position = qi * (n - 1)
        i = int(math.floor(position))
        lower, fraction = at(i), position - i
        upper = at(min(i + 1, n - 1))
        out.append(lower if fraction == 0 or lower == upper else
                   upper if math.isinf(upper) else lower + (upper - lower) * fraction)
    return out


def _result(plan: PolicyPlan, total: PolicyStats) -> PolicyResult:
    scenario, n = plan.scenario, total.n
    h = scenario.horizon_months
    npc = total.npc
    t = len(plan.triggers)
    now, never, base = t, t + 1, t + 2
    means = npc.mean[:base]
    best = int(np.argmin(means))
    rows = []
    for r in range(base):
        policy = "trigger" if r < t else ("commit now" if r == now else "never switch")
        counts = total.decision_counts[r]
        switched = n - int(counts[h])
        row = {"policy": policy, "start": plan.stages.start, "switch_to": plan.stages.switch_to,
               "baseline": scenario.baseline, "trigger_kind": plan.kind if r < t else "",
               "volume_above_queries_per_month": plan.triggers[r] if r < t and plan.kind == "volume" else math.nan,
               "for_months": plan.for_months if r < t and plan.kind == "volume" else math.nan,
               "month": plan.triggers[r] if r < t and plan.kind == "month" else (1.0 if r == now else math.nan),
               "expected_npc_usd": float(means[r]), "expected_npc_se_usd": npc.se(r),
               "delta_npc_usd": float(means[r] - npc.mean[base]), "delta_npc_se_usd": npc.se_of_difference(r, base),
               "expected_saving_usd": float(npc.mean[base] - means[r])}
        half = Z * row["delta_npc_se_usd"]
        row.update({"expected_saving_low_usd": row["expected_saving_usd"] - half,
                    "expected_saving_high_usd": row["expected_saving_usd"] + half})
        for name, k, m in (("p_win", total.wins[r], None), ("p_switch", switched, None)):
            low, high = wilson_interval(k, n)
            row.update({name: int(k) / n, f"{name}_low": float(low), f"{name}_high": float(high)})
        for m in SWITCHED_BY:
            row[f"p_switch_by_month_{m}"] = int(counts[:min(m, h) + 1][:h].sum()) / n if m <= h else math.nan
        p10, p50, p90 = _quantiles(counts, (0.1, 0.5, 0.9), math.inf)
        row.update({"switch_month_p10": p10, "switch_month_p50": p50, "switch_month_p90": p90})
        for name, other, beats in (("now", now, total.beats_now[r]), ("never", never, total.beats_never[r])):
            low, high = wilson_interval(beats, n)
            row.update({f"delta_vs_{name}_usd": float(means[r] - means[other]),
                        f"delta_vs_{name}_se_usd": npc.se_of_difference(r, other),
                        f"p_beats_{name}": int(beats) / n, f"p_beats_{name}_low": float(low),
                        f"p_beats_{name}_high": float(high)})
        gap, gap_se = float(means[r] - means[best]), npc.se_of_difference(r, best)
        row.update({"delta_vs_best_usd": gap, "delta_vs_best_se_usd": gap_se,
                    "within_error_of_best": bool(gap <= Z * gap_se), "best": r == best})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(POLICY_COLUMNS))
    static = now if means[now] <= means[never] else never
    stages = plan.stages
    labels = {s: scenario.label(s) for s in (stages.start, stages.switch_to, scenario.baseline)}
    return PolicyResult(frame=frame, best=best, start=stages.start, switch_to=stages.switch_to,
                        baseline=scenario.baseline, labels=labels, kind=plan.kind, for_months=plan.for_months,
                        flexibility_usd=float(means[static] - means[best]),
                        flexibility_se_usd=npc.se_of_difference(static, best), samples=n, seed=plan.seed,
                        sampler=plan.sampler, horizon_months=h, queries_per_month=scenario.volume.queries_per_month,
                        scenario=scenario)
