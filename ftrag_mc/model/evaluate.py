"""Net present cost of every strategy for given input values: the model's one evaluation entry point.

:func:`evaluate` is public: give it a scenario, input values (arrays of samples, or scalars) and the
start volumes and months you want, and it returns each strategy's discounted net present cost and,
on request, its split by cost component. The simulator, sensitivity studies, sweeps and ``explain``
all go through :class:`CostModel`, so there is one model.

Shapes are month-major inside (``(H, n)``: months down, samples across), which keeps sums over
months contiguous; :class:`Evaluation` hands results back sample-major.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ftrag_mc.model import calendar
from ftrag_mc.model.capped import capped_sum as _capped_sum
from ftrag_mc.model.components import COMPONENTS
from ftrag_mc.model.costs import CostTerms, Part, monthly_usd
from ftrag_mc.model.month_sums import cumsum_months
from ftrag_mc.model.month_sums import cumulative as _cumulative
from ftrag_mc.model.month_sums import cumulative_at as _cumulative_at
from ftrag_mc.model.month_sums import prepend as _prepend
from ftrag_mc.model.strategy import build_cost_terms
from ftrag_mc.model.triggered import volume_triggers
from ftrag_mc.limits import STEP_LIMIT

#: A parsed :class:`ftrag_mc.scenario.Scenario`. The model sits below the scenario parser (which
#: reads the component registry to parse a file) and never imports it.
Scenario = Any

__all__ = ["CostModel", "Evaluation", "cumsum_months", "evaluate", "input_values", "payback_months"]


def input_values(scenario: Scenario, inputs: Mapping[str, object] | None = None, *,
                 missing: str = "median") -> tuple[dict[str, np.ndarray | float], int]:
    """Complete ``inputs`` into one value per scenario input, and the number of samples.

    Constants take their value; uncertain inputs not given take their median (``missing="median"``)
    or raise (``missing="error"``). Scalars stay Python floats, arrays must all have one length n.

    Raises
    ------
    ValueError
        For an unknown input name, arrays of different lengths, a non-finite value, or a missing
        input with ``missing="error"``.
    """
    inputs = dict(inputs or {})
    unknown = sorted(set(inputs) - set(scenario.inputs))
    if unknown:
        raise ValueError(f"unknown inputs: {', '.join(unknown)} (the scenario's inputs: "
                         f"{', '.join(scenario.inputs)})")
    values: dict[str, np.ndarray | float] = {}
    n = None
    for name, dist in scenario.inputs.items():
        if name not in inputs:
            if missing == "error" and not dist.is_constant:
                raise ValueError(f"no value for the uncertain input {name}")
            values[name] = float(dist.median)
            continue
        value = np.asarray(inputs[name], dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError(f"input {name} has non-finite values")
        if value.ndim == 0:
            values[name] = float(value)
            continue
        if value.ndim != 1:
            raise ValueError(f"input {name} must be a scalar or a 1-D array (got shape {value.shape})")
        if n is not None and len(value) != n:
            raise ValueError(f"input {name} has {len(value)} values; others have {n}")
        n = len(value)
        values[name] = value
    return values, (n if n is not None else 1)


class CostModel:
    """Discounted costs of every strategy for one set of input values (n samples).

    Parameters
    ----------
    scenario
        The scenario.
    values
        Every input name mapped to an ``(n,)`` array or, for a value shared by all samples, a float.
    n
        Number of samples.
    components
        Keep each cost component's terms (for breakdowns); False sums them first, which is faster.
    volume_steps
        ``(H, n)`` standard normal steps of each sample's volume path (:mod:`ftrag_mc.sampling.paths`)
        when the volume is noisy; None takes every step at its median (W = 0, the median path).
    """

    def __init__(self, scenario: Scenario, values: Mapping[str, np.ndarray | float], n: int, *,
                 components: bool = True, volume_steps: np.ndarray | None = None):
        self.scenario = scenario
        self.n = n
        self.horizon = scenario.horizon_months
        self.values, self.volume_steps, self.components = values, volume_steps, components
        self.growth_rate = values[scenario.volume.growth_per_month.name]
        self.discount_rate = values[scenario.meta.discount_rate_per_year.name]
        self._growth = self._discount = None
        # With noise, volume is no geometric series: sums over months are explicit (still affine in Q0).
        self.noisy = scenario.volume.noisy
        self.terms: dict[str, CostTerms] = build_cost_terms(scenario, values, n, components=components)
        self.totals: dict[str, Part] = {s: t.total() for s, t in self.terms.items()}
        self.ceiling = scenario.volume.ceiling_queries_per_month
        #: Staged strategies whose switch month depends on volume (a volume trigger): evaluated per volume.
        self.staged = volume_triggers(scenario, self)
        self.is_affine = (self.ceiling is None and not self.staged
                          and all(t.is_affine for t in self.terms.values()))
        self._fixed: dict[str, np.ndarray] = {}
        self._slope: dict[str, np.ndarray] = {}
        self._shared: dict[str, np.ndarray] = {}

    @property
    def growth(self) -> np.ndarray:
        """Month t's volume per unit of start volume, (1 + g)^(t - 1) exp(σ W_t - σ² t / 2) for months
        1..H: (H, n or 1); computed on first use (closed forms skip it)."""
        if self._growth is None:
            self._growth = calendar.growth_factors(self.growth_rate, self.horizon)
            if self.noisy:
                sigma = self.values[self.scenario.volume.volatility_per_month.name]
                self._growth = self._growth * calendar.noise_factors(sigma, self.volume_steps, self.horizon, STEP_LIMIT)
        return self._growth

    def with_terms(self, strategy: str, terms: CostTerms) -> CostModel:
        """This model with ``strategy``'s terms replaced (a staged strategy's at one volume): a
        shallow copy sharing the calendar and every other strategy's cached sums."""
        self.growth  # noqa: B018 - computed once here, shared by every copy
        clone = copy.copy(self)
        clone.terms, clone.totals = {**self.terms, strategy: terms}, {**self.totals, strategy: terms.total()}
        clone._fixed = {k: v for k, v in self._fixed.items() if k != strategy}
        clone._slope = {k: v for k, v in self._slope.items() if k != strategy}
        clone.staged = {k: v for k, v in self.staged.items() if k != strategy}
        return clone

    def subset(self, rows: np.ndarray) -> CostModel:
        """The same model for the samples ``rows`` only."""
        def take(x):
            return x[rows] if np.ndim(x) == 1 and self.n > 1 else x

        steps = None if self.volume_steps is None else np.asarray(self.volume_steps)[:, rows]
        return CostModel(self.scenario, {k: take(v) for k, v in self.values.items()}, len(rows),
                         components=self.components, volume_steps=steps)

    def terms_at(self, strategy: str, start_volume) -> CostTerms:
        """``strategy``'s cost terms at ``start_volume``: its own, or a volume-triggered staged one's there."""
        if strategy in self.staged:
            return self.staged[strategy].terms_at(start_volume)
        return self.terms[strategy]

    @property
    def discount(self) -> np.ndarray:
        """(1 + r)^(-t/12) for months 1..H: (H, n or 1)."""
        if self._discount is None:
            self._discount = calendar.discount_factors(self.discount_rate, self.horizon)
        return self._discount

    # --- the affine part: NPC through month t = fixed[t] + slope[t] * Q0 (no ceiling) ----------

    def fixed_cum(self, strategy: str) -> np.ndarray:
        """One-time cost plus the discounted fixed costs through each month: ``(H + 1, n or 1)``."""
        if strategy not in self._fixed:
            part = self.totals[strategy]
            if np.ndim(part.fixed_usd) <= 1:  # the same every month: an annuity
                self._fixed[strategy] = _prepend(self._discount_cum() * part.fixed_usd, part.one_time_usd)
            else:
                self._fixed[strategy] = _cumulative(part.fixed_usd, self.discount, part.one_time_usd)
        return self._fixed[strategy]

    def _discount_cum(self) -> np.ndarray:
        """Sum of discount factors through each month (H, 1 or n): t itself without discounting."""
        if "discount" not in self._shared:
            self._shared["discount"] = cumsum_months(self.discount)
        return self._shared["discount"]

    def _growth_cum(self) -> np.ndarray:
        """Sum of discounted growth factors through each month (H, n or 1)."""
        if "growth" not in self._shared:
            self._shared["growth"] = cumsum_months(self.growth * self.discount)
        return self._shared["growth"]

    def slope_cum(self, strategy: str) -> np.ndarray:
        """Discounted per-query cost per unit of start volume through each month: ``(H + 1, n or 1)``.

        Only meaningful without a volume ceiling (demand is then start volume x growth).
        """
        if strategy not in self._slope:
            part = self.totals[strategy]
            if np.ndim(part.per_query_usd) <= 1:  # the same every month: a geometric sum
                cum = self._growth_cum() * part.per_query_usd
            else:
                cum = cumsum_months(part.per_query_usd * (self.growth * self.discount))
            self._slope[strategy] = _prepend(cum, 0.0)
        return self._slope[strategy]

    def fixed_at(self, strategy: str, months: np.ndarray) -> np.ndarray:
        """:meth:`fixed_cum` at ``months`` only, ``(len(months), n or 1)``: an annuity in closed
        form when the fixed cost is the same every month."""
        part = self.totals[strategy]
        if strategy in self._fixed:
            return self.fixed_cum(strategy)[months]
        if np.ndim(part.fixed_usd) > 1:
            return _cumulative_at(part.fixed_usd, self.discount, part.one_time_usd, months)
        discount_cum = _prepend(self._discount_cum(), 0.0)[months]
        return np.asarray(part.one_time_usd) + discount_cum * part.fixed_usd

    def slope_at(self, strategy: str, months: np.ndarray) -> np.ndarray:
        """:meth:`slope_cum` at ``months`` only, ``(len(months), n or 1)``: a geometric sum in closed
        form when the per-query cost is the same every month."""
        part = self.totals[strategy]
        if strategy in self._slope or np.ndim(part.per_query_usd) > 1 or self.noisy:
            return self.slope_cum(strategy)[months]
        return self.growth_sum(months) * part.per_query_usd

    def growth_sum(self, months: np.ndarray) -> np.ndarray:
        """Sum over t = 1..m of d_t (1 + g)^(t-1) for each m in ``months``: ``(len(months), n or 1)``.

        With d_t = delta^t, delta = (1 + r)^(-1/12), it is delta (rho^m - 1) / (rho - 1) for
        rho = delta (1 + g), written with expm1 so that rho near 1 keeps its precision.
        """
        key = ("growth_sum", tuple(int(m) for m in months))
        if self.noisy:  # no geometric series: the explicit sum over each sample's path
            return _prepend(self._growth_cum(), 0.0)[np.asarray(months)]
        if key not in self._shared:
            m = np.asarray(months, dtype=np.float64)[:, None]
            g = np.asarray(self.growth_rate, dtype=np.float64).reshape(1, -1)
            r = np.asarray(self.discount_rate, dtype=np.float64).reshape(1, -1)
            log_delta = -np.log1p(r) / 12.0
            log_rho = np.log1p(g) + log_delta
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.expm1(m * log_rho) / np.expm1(log_rho)
            self._shared[key] = np.exp(log_delta) * np.where(log_rho == 0, m, ratio)
        return self._shared[key]

    def demand(self, start_volume: np.ndarray) -> np.ndarray:
        """Queries per month, (H, n) for per-sample start volumes (n,) or (K, H, n) for (K, 1, 1)."""
        q = start_volume * self.growth
        return q if self.ceiling is None else np.minimum(q, self.ceiling)

    # --- any strategy, any volume -------------------------------------------------------------

    def cumulative(self, strategy: str, start_volume, *, part: Part | None = None) -> np.ndarray:
        """Cumulative discounted cost through months 0..H at a start volume per sample (n,) or one.

        Returns ``(H + 1, n)``; row 0 is the one-time cost at t = 0. ``part`` evaluates one
        component instead of the strategy's total.
        """
        start_volume = np.asarray(start_volume, dtype=np.float64)
        if part is None and strategy in self.staged:
            return self.staged[strategy].cumulative(start_volume)
        if part is None and self.ceiling is None and self.terms[strategy].is_affine:
            out = self.fixed_cum(strategy) + start_volume * self.slope_cum(strategy)
        else:
            part = self.totals[strategy] if part is None else part
            monthly = monthly_usd(part, self.demand(start_volume)) * self.discount
            out = _prepend(cumsum_months(monthly), part.one_time_usd)
        return np.broadcast_to(out, (self.horizon + 1, self.n))

    def npc_function(self, strategy: str, month: int, rows: np.ndarray, *,
                     minus: str | None = None) -> Callable[[np.ndarray], np.ndarray]:
        """NPC through ``month`` for the samples ``rows`` as a function of their start volumes (m,).

        The affine part comes in closed form; only what is not affine (GPU replicas, and with a
        ceiling the per-query costs) is summed over months 1..month. Per-sample arrays are gathered
        once here, so calling the function (e.g. at each bisection step) is cheap. With ``minus``,
        the difference NPC(strategy) - NPC(minus): everything but the replica steps is linear in
        the costs, so it is differenced once here rather than at every call.
        """
        names = (strategy,) if minus is None else (strategy, minus)
        if self.staged.keys() & set(names):  # a volume trigger: evaluated at each volume asked
            sub = self.subset(rows)
            return lambda v: sum(sign * sub.cumulative(s, v)[month] for sign, s in zip((1.0, -1.0), names))
        signs = (1.0, -1.0)[:len(names)]

        def take(x):
            x = np.asarray(x, dtype=np.float64)
            return x[..., rows] if x.ndim and x.shape[-1] == self.n and self.n > 1 else x

        def combined(get):
            return sum(sign * get(name) for sign, name in zip(signs, names))

        fixed = take(combined(lambda s: self.fixed_cum(s)[month]))
        slope = take(combined(lambda s: self.slope_cum(s)[month])) if self.ceiling is None else None
        growth = take(self.growth[:month])
        pools = [(take(np.broadcast_to(pool.tokens_per_query / pool.capacity_tokens_per_month, (self.n,))),
                  pool.min_replicas,
                  take(np.broadcast_to(sign * pool.weight * pool.usd_per_replica_month * self.discount,
                                       (self.horizon, self.n))[:month]))
                 for sign, name in zip(signs, names) for pool in self.totals[name].gpu_pools]
        if self.ceiling is None:  # load per unit of start volume, month by month
            pools = [(growth * lpq, m, usd) for lpq, m, usd in pools]
        ceiling = self.ceiling
        if ceiling is not None:  # prefix sums for the closed form of capped months
            h = self.horizon
            per_query = combined(lambda s: np.broadcast_to(self.totals[s].per_query_usd, (h, self.n)))
            dp = np.broadcast_to(per_query * self.discount, (h, self.n))
            explicit = take(dp[:month]) if self.noisy else None  # a noisy path is summed month by month
            uncapped = take(_prepend(cumsum_months(dp * self.growth), 0.0))  # (H + 1, m)
            capped = take(_prepend(cumsum_months(dp), 0.0))
            log_rate = np.broadcast_to(take(np.log(self.growth[1]) if h > 1 else np.zeros(1)), np.shape(rows))

        def npc(start_volume: np.ndarray) -> np.ndarray:
            q = start_volume * growth
            if ceiling is None:
                total = fixed + start_volume * slope
            elif explicit is not None:
                q = np.minimum(q, ceiling)
                total = fixed + (explicit * q).sum(axis=0)
            else:
                q = np.minimum(q, ceiling)
                total = fixed + _capped_sum(uncapped, capped, log_rate, np.log(ceiling / start_volume),
                                            start_volume, ceiling, month, h)
            for load, min_replicas, usd in pools:
                x = start_volume * load if ceiling is None else q * load
                x -= 1e-9
                np.ceil(x, out=x)
                np.maximum(x, min_replicas, out=x)
                x *= usd
                total = total + x.sum(axis=0)
            return np.broadcast_to(total, np.shape(start_volume))

        return npc

    def npc_grid(self, strategy: str, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        """NPC through each of ``months`` (0..H) at every start volume: ``(K, len(months), n)``."""
        volumes = np.asarray(volumes, dtype=np.float64)
        if strategy in self.staged:
            return self.staged[strategy].npc_grid(volumes, months)
        if self.ceiling is None and self.terms[strategy].is_affine:
            out = (self.fixed_cum(strategy)[months][None] + volumes[:, None, None]
                   * self.slope_cum(strategy)[months][None])
            return np.broadcast_to(out, (len(volumes), len(months), self.n))
        # With GPU pools, volumes in batches, so a (volumes, months, samples) temporary stays near
        # 8 MB; without them nothing of that size is made.
        has_pools = bool(self.totals[strategy].gpu_pools)
        batch = max(1, _BATCH_ELEMENTS // max(1, self.horizon * self.n)) if has_pools else len(volumes)
        out = np.empty((len(volumes), len(months), self.n))
        for start in range(0, len(volumes), batch):
            out[start:start + batch] = self._npc_grid_general(strategy, volumes[start:start + batch], months)
        return out

    def _npc_grid_general(self, strategy: str, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        part = self.totals[strategy]
        out = np.broadcast_to(self.fixed_cum(strategy)[months][None], (len(volumes), len(months), self.n))
        if self.ceiling is None:
            out = out + volumes[:, None, None] * self.slope_cum(strategy)[months][None]
        else:
            out = out + self._capped_per_query(strategy, volumes, months)
        for pool in part.gpu_pools:  # replica steps: every month of every volume
            out = out + self._pool_npc_grid(pool, volumes, months)
        return out

    def _pool_npc_grid(self, pool, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Discounted GPU cost of one pool through ``months`` at every volume: (K, len(months), n).

        One (volumes, months, samples) array, worked in place: replicas = max(min, ceil(load)),
        times each month's discounted price, summed month segment by segment.
        """
        h = self.horizon
        per_query_load = pool.tokens_per_query / pool.capacity_tokens_per_month
        price = np.broadcast_to(pool.weight * pool.usd_per_replica_month * self.discount, (h, self.n))
        if self.ceiling is None:
            x = volumes[:, None, None] * np.broadcast_to(self.growth * per_query_load, (h, self.n))[None]
        else:
            # The load is broadcast to every sample here: with constant growth and tokens the
            # capped demand is one column, (K, H, 1), which the in-place steps below cannot widen.
            x = np.minimum(volumes[:, None, None] * self.growth[None], self.ceiling) \
                * np.broadcast_to(per_query_load, (self.n,))
        x -= 1e-9  # a load of exactly one replica's capacity needs one replica, not two
        np.ceil(x, out=x)
        np.maximum(x, pool.min_replicas, out=x)
        x *= price[None]
        out = np.zeros((len(volumes), len(months), self.n))
        running, done = np.zeros((len(volumes), self.n)), 0
        for j in np.argsort(months, kind="stable"):  # running sums need the months in order
            m = months[j]
            if m > done:
                running += x[:, done:m].sum(axis=1)
                done = m
            out[:, j] = running
        return out

    def _capped_per_query(self, strategy: str, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Discounted per-query costs through ``months`` with demand min(Q0 (1 + g)^(t-1), ceiling).

        Month t is capped where Q0 (1 + g)^(t-1) >= ceiling, a run of months at the end (growth) or
        the start (decline) of the horizon whose length is closed form; prefix sums of the capped
        and uncapped costs then give every volume and month without a (volumes, months) array.
        Returns ``(K, len(months), n)``.
        """
        part = self.totals[strategy]
        h = self.horizon
        dp = np.broadcast_to(part.per_query_usd * self.discount, (h, self.n))
        if self.noisy:  # no run of capped months on a noisy path: each volume summed month by month
            return np.stack([_prepend(cumsum_months(dp * np.minimum(v * self.growth, self.ceiling)), 0.0)[months]
                             for v in volumes])
        uncapped = _prepend(cumsum_months(dp * self.growth), 0.0)  # (H + 1, n): sum of d P g
        capped = _prepend(cumsum_months(dp), 0.0)  # sum of d P
        log_rate = np.broadcast_to(np.log(self.growth[1]) if h > 1 else np.zeros(1), (self.n,))
        log_room = np.log(self.ceiling / volumes)[:, None]  # (K, 1): > 0 while below the ceiling
        out = np.empty((len(volumes), len(months), self.n))
        for j, m in enumerate(months):
            out[:, j] = _capped_sum(uncapped, capped, log_rate, log_room, volumes[:, None], self.ceiling, m, h)
        return out


_BATCH_ELEMENTS = 1_000_000


def payback_months(delta: np.ndarray) -> np.ndarray:
    """First (fractional) month at which a cumulative cost difference turns negative.

    Parameters
    ----------
    delta : (H + 1, n) float64
        Cumulative cost of a challenger minus the baseline's, month-major; row 0 is t = 0.

    Returns
    -------
    (n,) float64
        0.0 where the challenger is cheaper from t = 0; +inf where it never is within H months;
        otherwise t - 1 + d[t-1] / (d[t-1] - d[t]) for the first month t with d[t] < 0 (linear
        within the month: $2,200 repaid at $350/month gives 6.29 months).
    """
    negative = delta < 0
    t = np.argmax(negative, axis=0)
    cols = np.arange(delta.shape[1])
    any_negative = negative[t, cols]
    before = delta[np.maximum(t - 1, 0), cols]
    after = delta[t, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        fractional = t - 1 + before / (before - after)
    return np.where(~any_negative, np.inf, np.where(t == 0, 0.0, fractional))


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` returns.

    Attributes
    ----------
    npc_usd : (n, S, K, M) float64
        Discounted net present cost of strategy s at start volume k through month m, per sample.
    strategies : tuple of str
    volumes : (K,) float64
        Start volumes, queries/month.
    months : (M,) int64
        Months counted (0 = the one-time costs alone).
    components : dict of str to (n, S, K, M) float64, or None
        The same split by cost component (their sum is ``npc_usd``); a component a strategy lacks
        is zero.
    """

    npc_usd: np.ndarray
    strategies: tuple[str, ...]
    volumes: np.ndarray
    months: np.ndarray
    components: dict[str, np.ndarray] | None = None

    def to_frame(self):
        """Long format: sample, strategy, queries_per_month, month, npc_usd (and one column per component)."""
        import pandas as pd  # only for this view: the evaluator itself needs numpy alone

        n, s, k, m = self.npc_usd.shape
        index = pd.MultiIndex.from_product([range(n), self.strategies, self.volumes, self.months],
                                           names=["sample", "strategy", "queries_per_month", "month"])
        frame = pd.DataFrame({"npc_usd": self.npc_usd.reshape(-1)}, index=index)
        for name, values in (self.components or {}).items():
            frame[f"{name}_usd"] = values.reshape(-1)
        return frame.reset_index()


def evaluate(scenario: Scenario, inputs: Mapping[str, object] | None = None, *, volumes=None, months=None,
             components: bool = False, missing: str = "median", volume_steps=None) -> Evaluation:
    """Net present cost of every strategy of ``scenario`` for given input values.

    Parameters
    ----------
    scenario
        A validated scenario.
    inputs
        Input name (as in ``scenario.inputs``, e.g. ``"strategies.ft.training.run_usd"``) mapped to
        a scalar or an ``(n,)`` array of values in the input's units. Inputs not given take their
        median (constants their value); ``missing="error"`` makes a missing uncertain input an error.
    volumes
        Start volumes, queries/month: a scalar or ``(K,)``; default the scenario's volume.
    months
        Months through which to count, integers in 0..H; default the horizon alone.
    components
        Also split every NPC by cost component (:data:`ftrag_mc.model.components.COMPONENTS`).
    volume_steps
        With ``volume.volatility_per_month``: each sample's standard normal steps of its volume
        path, ``(n, H)`` (a run's ``result.samples.volume_steps``); default every step at its
        median (W = 0: each month at its median volume).

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> ev = evaluate(scenario, {"strategies.ft.training.run_usd": [2000, 8000]}, months=[12, 36])
    >>> ev.npc_usd.shape   # (2 samples, S strategies, 1 volume, 2 months)
    """
    values, n = input_values(scenario, inputs, missing=missing)
    volumes = np.atleast_1d(np.asarray(scenario.volume.queries_per_month if volumes is None else volumes,
                                       dtype=np.float64))
    months = np.atleast_1d(np.asarray(scenario.horizon_months if months is None else months))
    if months.dtype.kind not in "iu" and not np.all(months == np.round(months)):
        raise ValueError("months must be whole numbers")
    months = months.astype(np.int64)
    if months.min() < 0 or months.max() > scenario.horizon_months:
        raise ValueError(f"months must lie in 0..{scenario.horizon_months}")
    if not (np.all(np.isfinite(volumes)) and np.all(volumes >= 0)):
        raise ValueError("volumes must be finite and non-negative")
    steps = None
    if volume_steps is not None:
        steps = np.asarray(volume_steps, dtype=np.float64)
        if steps.ndim == 2 and not any(np.ndim(v) for v in values.values()):
            n = steps.shape[0]  # every input constant: the samples are the volume paths
        if steps.shape != (n, scenario.horizon_months):
            raise ValueError(f"volume_steps must have shape ({n}, {scenario.horizon_months}) (got {steps.shape})")
        steps = steps.T
    model = CostModel(scenario, values, n, components=components, volume_steps=steps)
    strategies = tuple(scenario.strategies)
    npc = np.stack([model.npc_grid(s, volumes, months) for s in strategies])  # (S, K, M, n)
    split = None
    if components:
        split = {}
        terms = {s: [model.terms_at(s, v) for v in volumes] for s in strategies}
        for name in COMPONENTS:
            per_strategy = []
            for s in strategies:
                parts = [t.parts.get(name) for t in terms[s]]
                if all(part is None for part in parts):
                    per_strategy.append(np.zeros((len(volumes), len(months), n)))
                    continue
                per_strategy.append(np.stack([np.zeros((len(months), n)) if part is None else
                                              model.cumulative(s, v, part=part)[months]
                                              for v, part in zip(volumes, parts)]))
            stacked = np.stack(per_strategy)
            if np.any(stacked):
                split[name] = np.moveaxis(stacked, -1, 0)
    return Evaluation(npc_usd=np.moveaxis(npc, -1, 0).copy(), strategies=strategies, volumes=volumes,
                      months=months, components=split)
