"""The decision among all strategies: which one to choose, against which best alternative, and how sure.

A run compares each challenger with the file's baseline; a decision compares every strategy with
every other (MODEL.md §5b, and dampack's frontier: the best option and how far the next is
behind). At the scenario's volume and one horizon (the longest by default):

- the **recommended** strategy has the lowest expected net present cost (rule ``mean``), or, under
  the risk rule ``cvar``, the lowest CVaR95 of NPC (the mean NPC of its costliest 5 % of futures);
- the **runner-up** (the best alternative) has the lowest expected NPC of the others;
- a strategy beaten by another in at least :data:`DOMINANCE` of futures is **dominated**: named
  once, and neither recommended nor the runner-up while any strategy that is not dominated is
  left to be.

:func:`rank_strategies` reads all of it from one run's decision statistics
(:attr:`~ftrag_mc.simulate.SimulationResult.decision`); :func:`compute_decision` adds the pair's
distribution (P5-P95 of the saving, CVaR95 of the loss, breakeven, payback, the volume where the
choice flips) from a run with the runner-up as the baseline (:func:`decision_pair_run`: the same
seed, samples and sampler, so the same futures). Numbers only: the words are the report's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ftrag_mc.analysis.decision_pair import PAIR_COLUMNS, pair_figures
from ftrag_mc.analysis.stats import needs_all_outputs, tail_mean_se, wilson_interval
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult, simulate

__all__ = ["DOMINANCE", "RULES", "TABLE_COLUMNS", "Decision", "compute_decision", "decision_pair_run",
           "main_challenger", "rank_strategies", "with_baseline"]

#: The decision rules: the lowest expected NPC, or the lowest CVaR95 of NPC (a risk rule).
RULES = ("mean", "cvar")
#: A strategy beaten by another in at least this share of futures is dominated.
DOMINANCE = 0.99
TAIL = 0.05

#: decision.csv's columns (the runner-up's row also fills :data:`PAIR_COLUMNS`).
TABLE_COLUMNS = [
    "strategy", "label", "rule", "horizon_months", "queries_per_month", "rank", "role",
    "mean_npc_usd", "mean_npc_se_usd", "cvar95_npc_usd", "cvar95_npc_se_usd",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high", "dominated_by", "dominated_by_label", "p_dominated",
    "saving_usd", "saving_se_usd", "p_recommended_cheaper", "p_loss", "p_loss_low", "p_loss_high",
    *PAIR_COLUMNS, "samples",
]


@dataclass(frozen=True)
class Decision:
    """The decision among all strategies at one volume and horizon.

    Attributes
    ----------
    rule : str
        ``"mean"`` or ``"cvar"``.
    horizon_months, queries_per_month, samples
        Where it is decided, and on how many futures.
    recommended, runner_up : str
        The strategy the rule picks, and the best alternative (lowest expected NPC of the others).
    table : DataFrame
        One row per strategy, rank order (:data:`TABLE_COLUMNS`; ``decision.csv``).
    dominated : DataFrame
        The dominated strategies: strategy, label, by, by_label, p_beaten.
    beats_every_alternative : bool
        The recommended strategy beats each other strategy in at least :data:`DOMINANCE` of
        futures (every alternative is dominated by it), so its runner-up is dominated too.
    pair : dict or None
        The recommended strategy against the runner-up (:data:`PAIR_COLUMNS` and more, see
        :func:`~ftrag_mc.analysis.decision_pair.pair_figures`), once a pair run is given.
    """

    rule: str
    horizon_months: int
    queries_per_month: float
    samples: int
    recommended: str
    runner_up: str
    table: pd.DataFrame
    dominated: pd.DataFrame
    beats_every_alternative: bool
    pair: dict | None = None

    def row(self, strategy: str) -> pd.Series:
        """The table's row of ``strategy``."""
        return self.table.set_index("strategy").loc[strategy]


def _horizon_index(result: SimulationResult, horizon: int | None) -> int:
    if horizon is None:
        return len(result.horizons) - 1
    if int(horizon) not in result.horizons:
        raise ValueError(f"horizon {horizon} months is not one of the run's horizons {list(result.horizons)}")
    return result.horizons.index(int(horizon))


def _dominators(counts: np.ndarray, n: int) -> list[int | None]:
    """Per strategy, the one that beats it in most futures if that is at least DOMINANCE of them."""
    out: list[int | None] = []
    for x in range(counts.shape[0]):
        beaten = counts[:, x].copy()
        beaten[x] = -1
        y = int(np.argmax(beaten))
        out.append(y if beaten[y] >= DOMINANCE * n else None)
    return out


def _choose(keys: np.ndarray, means: np.ndarray, free: list[int]) -> tuple[int, int]:
    """(recommended, runner-up): the lowest ``keys`` among the ``free`` strategies (those not
    dominated), then the lowest mean among the others, free ones first; ties to the earlier."""
    pool = free or list(range(len(keys)))
    rec = min(pool, key=lambda s: (keys[s], s))
    others = [s for s in pool if s != rec] or [s for s in range(len(keys)) if s != rec]
    return rec, min(others, key=lambda s: (means[s], s))


def rank_strategies(result: SimulationResult, *, rule: str = "mean", horizon: int | None = None) -> Decision:
    """The decision among all of ``result``'s strategies at its volume (no pair figures yet).

    Parameters
    ----------
    result
        A run with all outputs (its decision statistics).
    rule
        ``"mean"``: the lowest expected NPC; ``"cvar"``: the lowest CVaR95 of NPC (at the longest
        horizon only, where the run keeps each strategy's NPC histogram).
    horizon
        One of the run's horizons; default the longest.

    Raises
    ------
    ValueError
        An unknown rule, a horizon the run lacks, ``cvar`` at another horizon, or a run without
        its decision statistics.
    """
    needs_all_outputs(result, "a decision")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)} (got {rule!r})")
    hi = _horizon_index(result, horizon)
    longest = hi == len(result.horizons) - 1
    if rule == "cvar" and not longest:
        raise ValueError("the cvar rule needs the longest horizon (the run keeps each strategy's NPC there)")
    d, n = result.decision, result.n_samples
    counts = d.pair_counts[:, :, hi]
    means = result.npc_moments.mean[:, hi]
    cvar = np.array([d.npc_hist[s].upper_tail_mean(TAIL) if longest else math.nan
                     for s in range(len(result.strategies))])
    by = _dominators(counts, n)
    free = [s for s, b in enumerate(by) if b is None]
    rec, ru = _choose(cvar if rule == "cvar" else means, means, free)
    order = sorted(range(len(means)), key=lambda s: ((cvar if rule == "cvar" else means)[s], s))
    table = _table(result, hi, rule=rule, rec=rec, ru=ru, order=order, by=by, cvar=cvar)
    strategies = result.strategies
    dominated = pd.DataFrame([{"strategy": strategies[x], "label": result.scenario.label(strategies[x]),
                               "by": strategies[b], "by_label": result.scenario.label(strategies[b]),
                               "p_beaten": counts[b, x] / n} for x, b in enumerate(by) if b is not None],
                             columns=["strategy", "label", "by", "by_label", "p_beaten"])
    beats_all = all(counts[rec, s] >= DOMINANCE * n for s in range(len(strategies)) if s != rec)
    return Decision(rule=rule, horizon_months=result.horizons[hi], queries_per_month=result.scenario_volume,
                    samples=n, recommended=strategies[rec], runner_up=strategies[ru], table=table,
                    dominated=dominated, beats_every_alternative=beats_all)


def _table(result: SimulationResult, hi: int, *, rule: str, rec: int, ru: int, order: list[int],
           by: list[int | None], cvar: np.ndarray) -> pd.DataFrame:
    """decision.csv without the pair's distribution: one row per strategy, rank order."""
    d, n, scenario = result.decision, result.n_samples, result.scenario
    strategies = result.strategies
    p_low, p_high = wilson_interval(d.cheapest_counts[:, hi], n)
    pair_se = d.pair_moments.se[:, :, hi]
    rows = []
    for rank, s in enumerate(order, start=1):
        loss = int(d.pair_counts[s, rec, hi])  # futures in which this one beats the recommended
        loss_low, loss_high = wilson_interval(loss, n)
        is_rec = s == rec
        role = ("recommended" if is_rec else "runner-up" if s == ru else
                "dominated" if by[s] is not None else "alternative")
        longest = hi == len(result.horizons) - 1
        rows.append({
            "strategy": strategies[s], "label": scenario.label(strategies[s]), "rule": rule,
            "horizon_months": result.horizons[hi], "queries_per_month": result.scenario_volume, "rank": rank,
            "role": role, "mean_npc_usd": float(result.npc_moments.mean[s, hi]),
            "mean_npc_se_usd": float(result.npc_moments.se[s, hi]), "cvar95_npc_usd": float(cvar[s]),
            "cvar95_npc_se_usd": tail_mean_se(d.npc_hist[s], TAIL) if longest else math.nan,
            "p_cheapest": d.cheapest_counts[s, hi] / n, "p_cheapest_low": float(p_low[s]),
            "p_cheapest_high": float(p_high[s]),
            "dominated_by": None if by[s] is None else strategies[by[s]],
            "dominated_by_label": None if by[s] is None else scenario.label(strategies[by[s]]),
            "p_dominated": math.nan if by[s] is None else d.pair_counts[by[s], s, hi] / n,
            "saving_usd": math.nan if is_rec else float(d.pair_moments.mean[s, rec, hi]),
            "saving_se_usd": math.nan if is_rec else float(pair_se[s, rec]),
            "p_recommended_cheaper": math.nan if is_rec else d.pair_counts[rec, s, hi] / n,
            "p_loss": math.nan if is_rec else loss / n, "p_loss_low": math.nan if is_rec else float(loss_low),
            "p_loss_high": math.nan if is_rec else float(loss_high), "samples": n})
    return pd.DataFrame(rows).reindex(columns=TABLE_COLUMNS)


def with_baseline(scenario: Scenario, baseline: str) -> Scenario:
    """``scenario`` with another baseline: the decision's pair run compares with the runner-up."""
    return replace(scenario, meta=replace(scenario.meta, baseline=baseline))


def decision_pair_run(result: SimulationResult, decision: Decision, *,
                      workers: int | None = None) -> SimulationResult:
    """The run of the decision's pair: ``result`` itself when the runner-up is its baseline, else the
    same futures again with the runner-up as the baseline (the same seed, design size, sampler and
    samples drawn: common random numbers, so the pair's distribution is exact, not re-sampled)."""
    if decision.runner_up == result.baseline:
        return result
    pair_scenario = with_baseline(result.scenario, decision.runner_up)
    design = max(result.requested_samples, result.n_samples)
    return simulate(pair_scenario, samples=design, seed=result.seed, sampler=result.sampler,
                    workers=workers if workers is not None else result.workers,
                    prefix_samples=None if result.n_samples == design else result.n_samples)


def compute_decision(result: SimulationResult, *, rule: str = "mean", horizon: int | None = None,
                     pair_result: SimulationResult | None = None) -> Decision:
    """:func:`rank_strategies`, with the recommended strategy against the runner-up read from
    ``pair_result`` (:func:`decision_pair_run`; simulated here when None): the saving's P5-P95,
    CVaR95 of the loss, breakeven and payback with their intervals, the flip volume. The
    runner-up's row of the table carries them.
    """
    decision = rank_strategies(result, rule=rule, horizon=horizon)
    if pair_result is None:
        pair_result = decision_pair_run(result, decision)
    figures = pair_figures(pair_result, decision.recommended, decision.runner_up, decision.horizon_months)
    rows = decision.table.to_dict("records")
    for row in rows:
        if row["strategy"] == decision.runner_up:
            row.update({column: figures[column] for column in PAIR_COLUMNS})
    return replace(decision, table=pd.DataFrame(rows, columns=TABLE_COLUMNS), pair=figures)


def main_challenger(summary: pd.DataFrame) -> str:
    """The challenger best on average against the baseline (the most negative mean ΔNPC at the
    longest horizon), or, when the baseline is, the strongest challenger (the highest P(win); then
    the one that wins in most futures from the lowest volume, ``volume_at_50pct``; then the larger
    mean saving; ties to the earlier). A pairwise rule, kept for callers that compare with the
    baseline only; a run's report leads with :func:`compute_decision`.

    Parameters
    ----------
    summary
        :func:`ftrag_mc.analysis.compute_summary` (``strategy``, ``horizon_months``,
        ``mean_delta_usd``, ``p_win``, optional ``volume_at_50pct``), challengers in scenario order.
    """
    rows = summary[summary["horizon_months"] == summary["horizon_months"].max()].reset_index(drop=True)
    if rows.empty:
        raise ValueError("summary holds no rows")
    delta = rows["mean_delta_usd"].to_numpy(float)
    if delta.min() < 0:
        return str(rows["strategy"].iloc[int(np.argmin(delta))])
    crossing = (rows["volume_at_50pct"].to_numpy(float) if "volume_at_50pct" in rows.columns
                else np.full(len(rows), np.nan))
    soonest = np.where(np.isfinite(crossing), -crossing, -np.inf)
    keys = [(float(p), float(v), -float(d), -i)
            for i, (p, v, d) in enumerate(zip(rows["p_win"], soonest, delta))]
    return str(rows["strategy"].iloc[max(range(len(keys)), key=keys.__getitem__)])
