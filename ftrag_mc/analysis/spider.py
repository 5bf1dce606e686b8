"""The spider: ΔNPC as each input walks through its percentiles, every other input at its median;
and the run's "what matters most", the inputs whose swing moves ΔNPC most.

The comparison and the model's evaluation are :mod:`ftrag_mc.analysis.question`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ftrag_mc.analysis.inputs import input_label
from ftrag_mc.analysis.question import delta_usd, resolve_question, sampled_run
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult

__all__ = ["SPIDER_PERCENTILES", "compute_spider", "compute_top_inputs"]

SPIDER_PERCENTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def compute_spider(scenario: Scenario, *, challenger: str | None = None, baseline: str | None = None,
                   percentiles: Sequence[float] = SPIDER_PERCENTILES, inputs: Sequence[str] | None = None,
                   horizon: int | None = None, volume: float | None = None,
                   result: SimulationResult | None = None) -> pd.DataFrame:
    """ΔNPC as each input walks through its percentiles, every other input at its median.

    Parameters
    ----------
    scenario
        The scenario.
    challenger, baseline, horizon, volume
        As in :func:`~ftrag_mc.analysis.tornado.compute_tornado`. The default challenger needs a
        sampled run only when the scenario has more than one challenger.
    percentiles
        Probabilities strictly inside (0, 1) at which each input is set.
    inputs
        Names of uncertain inputs to walk; default all of them.
    result
        A run of ``scenario`` (``keep_samples=True``) used to pick the default challenger.

    Returns
    -------
    DataFrame in long format, inputs with the widest range first, each by increasing percentile:
        strategy, strategy_label, baseline, baseline_label, horizon_months, queries_per_month, input, label,
        description, percentile, value (the input there, its units), delta_usd (ΔNPC),
        base_delta_usd (every input at its median), range_usd (max − min of delta_usd over the
        percentiles, for that input).

    Raises
    ------
    ValueError
        A percentile outside (0, 1), an input that is not an uncertain input of the scenario, or
        as :func:`~ftrag_mc.analysis.tornado.compute_tornado`.
    """
    p = np.asarray(percentiles, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or not np.all((p > 0) & (p < 1)):
        raise ValueError(f"percentiles must lie strictly between 0 and 1 (got {list(percentiles)})")
    uncertain = scenario.uncertain_inputs
    names = list(uncertain) if inputs is None else list(inputs)
    unknown = [name for name in names if name not in uncertain]
    if unknown:
        raise ValueError(f"not uncertain inputs of the scenario: {', '.join(unknown)}")
    if result is not None:
        result = sampled_run(scenario, result)
    q = resolve_question(scenario, result, challenger, baseline, horizon, volume)
    all_names = list(uncertain)
    medians = np.array([uncertain[name].median for name in all_names])
    k, d = len(p), len(names)
    # Column 0: medians; then input j at each percentile.
    values = np.repeat(medians[:, None], 1 + d * k, axis=1)
    walked = []
    for j, name in enumerate(names):
        x = uncertain[name].ppf(p)
        values[all_names.index(name), 1 + j * k:1 + (j + 1) * k] = x
        walked.append(x)
    delta = delta_usd(scenario, dict(zip(all_names, values)), 1 + d * k, q)
    base = delta[0]
    blocks = []
    order = np.argsort(p, kind="mergesort")
    for j, name in enumerate(names):
        dj = delta[1 + j * k:1 + (j + 1) * k]
        blocks.append(pd.DataFrame({
            **q.columns(scenario), "input": name, "label": input_label(scenario, name),
            "description": uncertain[name].describe(), "percentile": p[order], "value": walked[j][order],
            "delta_usd": dj[order], "base_delta_usd": base, "range_usd": float(np.ptp(dj))}))
    if not blocks:
        return pd.DataFrame(columns=["strategy", "strategy_label", "baseline", "baseline_label", "horizon_months",
                                     "queries_per_month", "input", "label", "description", "percentile",
                                     "value", "delta_usd", "base_delta_usd", "range_usd"])
    frame = pd.concat(blocks, ignore_index=True)
    rank = frame.groupby("input", sort=False)["range_usd"].first().sort_values(ascending=False, kind="mergesort")
    frame["_rank"] = frame["input"].map({name: i for i, name in enumerate(rank.index)})
    return frame.sort_values(["_rank", "percentile"], kind="mergesort").drop(columns="_rank").reset_index(drop=True)


def compute_top_inputs(scenario: Scenario, *, challenger: str, top: int = 3, low: float = 0.10,
                       high: float = 0.90) -> pd.DataFrame:
    """The ``top`` uncertain inputs whose swing from P(low) to P(high) moves ΔNPC most (others at
    their medians, deterministic through :func:`~ftrag_mc.model.evaluate.evaluate`): the run's "what matters most".

    Returns
    -------
    DataFrame, largest swing first: rank (1, 2, ...), strategy, strategy_label, baseline,
    baseline_label, horizon_months, queries_per_month, input, label, delta_low_usd (ΔNPC with the
    input at P(low)), delta_high_usd (at P(high)), base_delta_usd (every input at its median),
    swing_usd (|delta_high_usd − delta_low_usd|). Empty when every input is a constant.
    """
    spider = compute_spider(scenario, challenger=challenger, percentiles=(low, high))
    columns = ["rank", "strategy", "strategy_label", "baseline", "baseline_label", "horizon_months",
               "queries_per_month", "input", "label", "delta_low_usd", "delta_high_usd", "base_delta_usd",
               "swing_usd"]
    if spider.empty:
        return pd.DataFrame(columns=columns)
    keys = ["strategy", "strategy_label", "baseline", "baseline_label", "horizon_months", "queries_per_month",
            "input", "label", "base_delta_usd"]
    ends = spider.groupby("input", sort=False).agg(
        **{k: (k, "first") for k in keys if k != "input"},
        delta_low_usd=("delta_usd", "first"), delta_high_usd=("delta_usd", "last")).reset_index()
    ends["swing_usd"] = (ends["delta_high_usd"] - ends["delta_low_usd"]).abs()
    ends = ends.sort_values("swing_usd", ascending=False, kind="mergesort").head(top).reset_index(drop=True)
    ends["rank"] = np.arange(1, len(ends) + 1)
    return ends[columns]
