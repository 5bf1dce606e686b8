"""Staged strategies: start on one strategy, switch to another when a trigger fires (MODEL.md §5b).

A staged strategy is a table ``[strategies.<name>]`` with ``start``, ``switch_to`` and a
``trigger`` (:class:`Trigger`) and nothing else: its costs are theirs, composed around the
decision time τ (months from t = 0, a whole number):

- ``trigger = { month = m }`` decides at the start of month m: τ = m - 1 (``month = 1`` commits now;
  fractional months round up; a month past the horizon never switches);
- ``trigger = { volume_above = X, for_months = k }`` decides at the end of the first month t whose
  observed volume, and that of each of the k - 1 months before it, was above X: τ = t.

The switch is made within the horizon when τ < H (a trigger that would fire at the end of the last
month, or later, never switches) and before ``switch_to``'s platform closes (τ < its end-of-life
month: a platform closed by the decision cannot be adopted). Then (:func:`compose`):

- ``start``'s costs (its own launch, interim and end of life included) apply until ``switch_to``
  serves, and for the share of a month it does not yet serve; ``start``'s one-time costs fall at
  t = 0, except when τ = 0: ``start`` then only serves ``switch_to``'s launch, as an interim does
  (whose one-time costs do not count), so ``{month = 1}`` costs exactly what ``switch_to`` with
  ``interim = start`` does;
- ``switch_to``'s one-time costs (training, curation, engineering, setup) fall at τ, discounted
  from there (with the costs of month τ; at t = 0 when τ = 0);
- ``switch_to``'s own calendar starts at τ: its launch delay, retrain and re-index schedules and
  quality drift count from τ, its monthly and per-query costs run from its launch, and its own
  ``interim`` is ignored (``start`` serves). Token price declines and its platform's end of life
  stay in calendar time: from the closing month its successor's monthly costs replace its own and
  the migration is paid then.

No switch: ``start``'s costs throughout, exactly. A volume trigger reads each sample's own volume
path (growth and, with ``volatility_per_month``, noise), so a staged strategy's cost is not affine
in the start volume: the simulator evaluates it on the volume grid and bisects its breakeven.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import MAX_MONTHS, MAX_QUERIES_PER_MONTH
from ftrag_mc.model.costs import CostTerms, Part
from ftrag_mc.schema import Quantity, Registry, integer, quantity

__all__ = ["STAGED_KEYS", "Stages", "Trigger", "check_staged_links", "check_staged_record", "commit_now", "compose", "first_month_above",
           "is_staged", "month_trigger_tau", "running_min", "staged_notes", "volume_triggered"]

#: The keys a staged strategy's table may hold.
STAGED_KEYS = ("label", "start", "switch_to", "trigger")


@dataclass(frozen=True, kw_only=True)
class Trigger:
    """When a staged strategy switches: a volume held for some months, or a month."""

    volume_above: Quantity | None = quantity(
        "switch once the observed monthly volume has been above this in each of the last for_months months; "
        "decided at the end of that month", unit="queries/month", default=None, hi=MAX_QUERIES_PER_MONTH,
        words="switching volume")
    for_months: int | None = integer("months in a row above volume_above before the switch (default 1)",
                                     unit="months", default=None, lo=1, hi=600)
    month: Quantity | None = quantity(
        "or: switch at the start of this month (1 = commit now; fractional months round up; past the horizon = never)",
        unit="months", default=None, lo=1, hi=MAX_MONTHS, words="switching month")

    def validate(self, path: str, registry: Registry) -> None:
        if (self.volume_above is None) == (self.month is None):
            raise ScenarioError("give exactly one of volume_above (with for_months) or month", path=path)
        if self.month is not None and self.for_months is not None:
            raise ScenarioError("for_months goes with volume_above, not with month", path=f"{path}.for_months")

    @property
    def months_above(self) -> int:
        return 1 if self.for_months is None else self.for_months


@dataclass(frozen=True)
class Stages:
    """A staged strategy's two stages, all :func:`ftrag_mc.model.strategy.staged_cost_terms` reads of
    it: a policy search prices start-then-switch_to for every decision time without a trigger."""

    start: str
    switch_to: str


def is_staged(strategy: Any) -> bool:
    """Whether ``strategy`` (a parsed strategy record) is a staged one."""
    return getattr(strategy, "trigger", None) is not None


def volume_triggered(strategy: Any) -> bool:
    """Whether ``strategy`` is staged on a volume trigger (its switch month depends on volume)."""
    return is_staged(strategy) and strategy.trigger.volume_above is not None


def check_staged_record(strategy: Any, path: str, keys: tuple[str, ...]) -> None:
    """A staged strategy names start, switch_to and a trigger, and holds nothing else.

    ``keys`` are the record's own keys and tables (field names) other than :data:`STAGED_KEYS`;
    each must be at its default (None for a table or a text, the constant 0 for a quantity).
    """
    given = [k for k in ("start", "switch_to", "trigger") if getattr(strategy, k) is not None]
    if not given:
        return
    for key in ("start", "switch_to", "trigger"):
        if getattr(strategy, key) is None:
            raise ScenarioError(f"a staged strategy needs start, switch_to and trigger; {key} is missing", path=path)
    for key in keys:
        value = getattr(strategy, key)
        default = value is None or (isinstance(value, Quantity) and value.is_constant and value.distribution.median == 0)
        if not default:
            raise ScenarioError("a staged strategy's costs are its start's and its switch_to's: it takes only "
                                f"{', '.join(STAGED_KEYS)}", path=f"{path}.{key}")


def check_staged_links(strategies: Mapping[str, Any]) -> None:
    """start and switch_to name two other, non-staged strategies; no interim or successor is staged."""
    names = ", ".join(strategies)
    for key, strategy in strategies.items():
        path = f"strategies.{key}"
        if is_staged(strategy):
            for role in ("start", "switch_to"):
                target = getattr(strategy, role)
                if target not in strategies or target == key:
                    raise ScenarioError(f"{role} '{target}' must be another strategy (strategies: {names})",
                                        path=f"{path}.{role}")
                if is_staged(strategies[target]):
                    raise ScenarioError(f"{role} '{target}' is a staged strategy itself; stages do not nest",
                                        path=f"{path}.{role}")
            if strategy.start == strategy.switch_to:
                raise ScenarioError(f"switch_to '{strategy.switch_to}' is the start strategy; name another",
                                    path=f"{path}.switch_to")
        links = [("interim", strategy.interim)]
        if strategy.end_of_life is not None:
            links.append(("end_of_life.successor", strategy.end_of_life.successor))
        for role, target in links:
            if target is not None and target in strategies and is_staged(strategies[target]):
                raise ScenarioError(f"'{target}' is a staged strategy; an {role.split('.')[-1]} must be a plain one",
                                    path=f"{path}.{role}")


# --- the decision time ------------------------------------------------------------------------------


def month_trigger_tau(trigger: Trigger, values: Mapping[str, Any], horizon: int) -> np.ndarray | float:
    """τ = ceil(month) - 1 for ``{month = m}``: ``(n,)`` or a scalar; H where it is past the horizon."""
    month = np.asarray(values[trigger.month.name], dtype=np.float64)
    tau = np.minimum(np.ceil(month - 1e-9) - 1.0, float(horizon))
    return float(tau) if tau.ndim == 0 else tau


def running_min(path: np.ndarray, months: int) -> np.ndarray:
    """The lowest of the last ``months`` rows of ``path`` (H, n), row by row; 0 where fewer exist.

    A volume trigger held for k months fires at the end of month t where start volume x this
    (month t's row) is above its level: ``V min(p_{t-k+1..t}) > X`` iff every ``V p_j > X`` (V > 0).
    """
    out = np.array(path, dtype=np.float64, copy=True)
    for lag in range(1, min(months, len(path))):
        np.minimum(out[lag:], path[:-lag], out=out[lag:])
    out[:months - 1] = 0.0
    return out


def first_month_above(level: np.ndarray, threshold, horizon: int) -> np.ndarray:
    """τ: the first month t (1..H - 1) whose ``level`` (H, n) is above ``threshold``; H if none.

    ``threshold`` broadcasts against a row (a scalar or ``(n,)``). A level first above in month H
    is a switch decided at the horizon's end: none within it.
    """
    fired = level > threshold
    first = np.argmax(fired, axis=0)
    return np.where(fired[first, np.arange(fired.shape[1])] & (first < horizon - 1), first + 1.0, float(horizon))


# --- the composition --------------------------------------------------------------------------------


def compose(start: CostTerms, switch: CostTerms, tau, horizon: int) -> CostTerms:
    """The staged strategy's cost terms for decision times ``tau`` (``(n,)`` or a scalar; H = no switch).

    ``start`` is the start strategy's full terms; ``switch`` switch_to's, on its own calendar
    shifted by τ (and, when it has one, with its end of life in calendar time) and without its
    interim. Part names: switch_to's own (its recurring costs), ``"switch"`` for its one-time
    costs at τ and ``"start"`` for the start strategy's costs. (Committing now for every sample is
    :func:`commit_now`.)
    """
    if np.all(np.asarray(tau) >= horizon):  # no switch: start's terms, as they are
        return CostTerms(parts={"start": start.total()}, active=start.active, horizon=horizon)
    t = np.arange(1, horizon + 1, dtype=np.float64)[:, None]
    tau = np.asarray(tau, dtype=np.float64).reshape(1, -1)
    switched = tau < horizon
    exists = ((t > tau) & switched).astype(np.float64)  # (H, n): switch_to's months
    at_tau = ((t == tau) & switched).astype(np.float64)  # its one-time costs with month τ's
    now = ((tau == 0) & switched).astype(np.float64)[0]  # (n,): at t = 0
    parts, once = {}, 0.0
    for name, part in switch.parts.items():
        parts[name] = part.masked(exists, keep_one_time=False)
        once = once + np.asarray(part.one_time_usd, dtype=np.float64)
    if np.any(once != 0):  # switch_to's one-time costs, paid at τ: a line of their own
        parts["switch"] = Part(one_time_usd=once * now, fixed_usd=once * at_tau)
    serving = switch.active * exists
    start_total = start.total()
    kept = replace(start_total.masked(1.0 - serving, keep_one_time=False),
                   one_time_usd=np.asarray(start_total.one_time_usd) * (1.0 - now))
    parts["start"] = kept
    return CostTerms(parts=parts, active=serving + (1.0 - serving) * start.active, horizon=horizon)


def commit_now(start: CostTerms, switch: CostTerms) -> CostTerms:
    """τ = 0 in every sample: ``start`` serves switch_to's launch exactly as an interim does (its
    recurring costs for the unserved share, not its one-time costs), in part ``"start"``.
    ``switch`` is switch_to's own terms, before its end of life is applied (as an interim is)."""
    before = 1.0 - switch.active
    parts = {**switch.parts, "start": start.total().masked(before, keep_one_time=False)}
    return CostTerms(parts=parts, active=switch.active, horizon=switch.horizon)


def staged_notes() -> list[str]:
    """The reference's section on staged strategies (Markdown)."""
    return [
        "#### Staged strategies",
        "",
        "`[strategies.<name>]` with `start`, `switch_to` and `trigger` (and optionally `label`, nothing else) starts on one",
        "strategy and switches to another when the trigger fires, at the decision time τ (months from t = 0):",
        "`trigger = { month = m }` decides at the start of month m (τ = m - 1; `month = 1` commits now); `trigger =",
        "{ volume_above = X, for_months = k }` at the end of the first month t whose observed volume (the sample's own",
        "path, noise included) was above X in each of the last k months (τ = t). Either value may be a distribution or",
        "a shared input. The switch happens if τ < the horizon (a volume trigger firing at the end of the last month",
        "does not switch) and before `switch_to`'s platform closes. Costs: `start`'s until `switch_to` serves (its",
        "monthly and per-query costs pro rata during `switch_to`'s launch delay, as an `interim`'s); `start`'s one-time",
        "costs at t = 0 unless τ = 0 (it then serves only as an interim, so `month = 1` costs exactly what `switch_to`",
        "with `interim = start` does); `switch_to`'s one-time costs at τ, discounted with month τ; its launch delay,",
        "retrains, re-indexes and drift counted from τ (its calendar shifted), its monthly and per-query costs from its",
        "launch; token price declines and its platform's end of life stay in calendar time (from the closing month its",
        "successor's costs, and the migration then); its own `interim` is ignored (`start` serves). No switch within",
        "the horizon: `start`'s costs throughout. `start` and `switch_to` must be two other strategies, neither staged;",
        "no `interim` or `successor` may be staged. `ftrag-mc policy` searches the best trigger.",
        "",
    ]
