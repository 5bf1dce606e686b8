"""The expected value of perfect information (EVPI), and each strategy's regret.

The decision is "which strategy": the lowest net present cost (NPC) wins, so a strategy's net
benefit is NB_d = -NPC_d. Deciding now picks the strategy best on average, d* = argmax_d E[NB_d].
EVPI = E[max_d NB_d] - max_d E[NB_d] is the most it is worth paying to learn everything before
deciding. It is also the expected regret of d*, the mean over futures of max_d NB_d - NB_d*; its
Monte Carlo standard error is that regret's sd / sqrt(n). The partial value of one input is
:mod:`ftrag_mc.analysis.evppi`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ftrag_mc.errors import did_you_mean
from ftrag_mc.simulate import SimulationResult

__all__ = ["EvpiEstimate", "as_net_benefit", "compute_evpi", "decision_net_benefit", "evpi_from_net_benefit"]

TAIL = 0.05
"""CVaR95 of regret: the mean over the worst 5 % of futures."""
_Z95 = 1.959963984540054  # normal quantile of the two-sided 95 % interval


@dataclass(frozen=True)
class EvpiEstimate:
    """EVPI and the regret of each decision, from per-sample net benefits.

    Attributes
    ----------
    evpi, evpi_se
        EVPI and its Monte Carlo standard error, currency.
    optimal
        Index of the decision best on average (the earliest on a tie).
    expected_net_benefit, expected_net_benefit_se
        (D,) mean net benefit of each decision and its standard error.
    p_best
        (D,) share of samples in which each decision has the highest net benefit (a tie goes to the
        earlier decision, so the shares sum to 1).
    expected_regret, expected_regret_se
        (D,) mean of max_d' NB_d' - NB_d and its standard error; ``expected_regret[optimal] == evpi``.
    cvar95_regret
        (D,) mean regret over the worst 5 % of samples.
    n_samples
        Number of samples.
    """

    evpi: float
    evpi_se: float
    optimal: int
    expected_net_benefit: np.ndarray
    expected_net_benefit_se: np.ndarray
    p_best: np.ndarray
    expected_regret: np.ndarray
    expected_regret_se: np.ndarray
    cvar95_regret: np.ndarray
    n_samples: int


def as_net_benefit(nb: np.ndarray, *, min_samples: int = 2, name: str = "net benefit",
                   shape: str = "(n_samples, n_decisions >= 2)") -> np.ndarray:
    """``nb`` as (n_samples, n_decisions) float64, checked: at least two decisions, ``min_samples``
    samples, all finite (errors call it ``name`` and its expected ``shape``).

    Raises
    ------
    ValueError
        If ``nb`` is not 2-D with at least two decisions and ``min_samples`` samples, or is not finite.
    """
    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim != 2 or nb.shape[1] < 2:
        raise ValueError(f"{name} must be {shape}, not shape {nb.shape}")
    if nb.shape[0] < min_samples:
        raise ValueError(f"need at least {min_samples} samples, got {nb.shape[0]}")
    if not np.all(np.isfinite(nb)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return nb


def _upper_tail_mean(x: np.ndarray, tail: float = TAIL) -> np.ndarray:
    """Mean of the largest ``tail`` share of each column (fractional sample at the edge)."""
    n = x.shape[0]
    k = tail * n
    whole = int(math.floor(k))
    s = -np.sort(-x, axis=0)
    total = s[:whole].sum(axis=0)
    if whole < n and k > whole:
        total = total + (k - whole) * s[whole]
    return total / k


def evpi_from_net_benefit(nb: np.ndarray) -> EvpiEstimate:
    """EVPI and per-decision regret from per-sample net benefits.

    Parameters
    ----------
    nb
        (n_samples, n_decisions) float64 net benefit, currency (for costs: minus the NPC).

    Returns
    -------
    EvpiEstimate

    Raises
    ------
    ValueError
        If ``nb`` is not 2-D with at least two decisions and two samples, or is not finite.
    """
    nb = as_net_benefit(nb)
    n, d = nb.shape
    mean = nb.mean(axis=0)
    optimal = int(np.argmax(mean))
    best = nb.max(axis=1)
    regret = best[:, None] - nb
    regret_se = regret.std(axis=0, ddof=1) / math.sqrt(n)
    p_best = np.bincount(np.argmax(nb, axis=1), minlength=d) / n
    expected_regret = regret.mean(axis=0)
    return EvpiEstimate(
        evpi=float(expected_regret[optimal]), evpi_se=float(regret_se[optimal]), optimal=optimal,
        expected_net_benefit=mean, expected_net_benefit_se=nb.std(axis=0, ddof=1) / math.sqrt(n),
        p_best=p_best, expected_regret=expected_regret, expected_regret_se=regret_se,
        cvar95_regret=_upper_tail_mean(regret), n_samples=n)


# --- from a run ----------------------------------------------------------------------------------


def decision_net_benefit(result: SimulationResult, horizon: int | None, strategies: Sequence[str] | None
                         ) -> tuple[np.ndarray, list[str], int]:
    """The decision of a run: each sample's net benefit -NPC of each strategy.

    Parameters
    ----------
    result
        A run with ``keep_samples=True``.
    horizon
        Months counted, 1..H; None: the run's horizon.
    strategies
        The options (at least two, duplicates dropped); None: every strategy.

    Returns
    -------
    (nb, chosen, horizon) : (n_samples, len(chosen)) float64 net benefit, currency; the strategies
    in that order; the horizon in months.

    Raises
    ------
    ValueError
        For a horizon out of range, an unknown strategy, fewer than two, or a run without samples.
    """
    h = result.horizon_months if horizon is None else int(horizon)
    if not 1 <= h <= result.horizon_months:
        raise ValueError(f"horizon must be between 1 and {result.horizon_months} months, not {horizon}")
    chosen = list(result.strategies) if strategies is None else list(dict.fromkeys(strategies))
    for s in chosen:
        if s not in result.strategies:
            raise ValueError(f"unknown strategy {s!r}{did_you_mean(s, result.strategies)} "
                             f"(strategies: {', '.join(result.strategies)})")
    if len(chosen) < 2:
        raise ValueError(f"a decision needs at least two strategies, got {chosen}")
    if result.samples is None:
        raise ValueError("value of information needs the per-sample costs: "
                         "simulate(..., keep_samples=True)")
    npc = result.cumulative_usd[:, [result.index(s) for s in chosen], h]
    return -npc, chosen, h


def compute_evpi(result: SimulationResult, *, horizon: int | None = None,
                 strategies: Sequence[str] | None = None) -> pd.DataFrame:
    """EVPI of choosing the cheapest strategy, and each strategy's regret.

    Parameters
    ----------
    result
        A run with ``keep_samples=True``.
    horizon
        Months over which the net present cost is counted; default the scenario's horizon.
    strategies
        The options compared (at least two); default all. A pair (e.g. baseline vs a challenger)
        gives that pair's EVPI.

    Returns
    -------
    DataFrame, one row per strategy in the order given: strategy, label, expected_npc_usd,
    expected_npc_se_usd, p_best (share of futures in which it is cheapest; ties go to the earlier),
    expected_regret_usd and expected_regret_se_usd (mean extra cost over the cheapest option in each
    future), expected_regret_low_usd and expected_regret_high_usd (its 95 % interval, normal
    approximation), cvar95_regret_usd (that extra cost averaged over the worst 5 % of futures), is_optimal
    (cheapest on average: the choice made without more information), evpi_usd and evpi_se_usd (the
    same on every row: the optimal strategy's expected regret), horizon_months, samples.
    """
    nb, chosen, h = decision_net_benefit(result, horizon, strategies)
    est = evpi_from_net_benefit(nb)
    return pd.DataFrame({
        "strategy": chosen,
        "label": [result.scenario.label(s) for s in chosen],
        "expected_npc_usd": -est.expected_net_benefit,
        "expected_npc_se_usd": est.expected_net_benefit_se,
        "p_best": est.p_best,
        "expected_regret_usd": est.expected_regret,
        "expected_regret_se_usd": est.expected_regret_se,
        "expected_regret_low_usd": np.maximum(est.expected_regret - _Z95 * est.expected_regret_se, 0.0),
        "expected_regret_high_usd": est.expected_regret + _Z95 * est.expected_regret_se,
        "cvar95_regret_usd": est.cvar95_regret,
        "is_optimal": np.arange(len(chosen)) == est.optimal,
        "evpi_usd": est.evpi,
        "evpi_se_usd": est.evpi_se,
        "horizon_months": h,
        "samples": est.n_samples,
    })
