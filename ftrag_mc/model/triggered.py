"""Staged strategies on a volume trigger: their cost terms at a start volume, and their NPC on a grid.

A volume trigger fires when each sample's own observed volume, start volume x its path (growth and
noise), has been above a threshold for some months (:mod:`ftrag_mc.model.staged`), so the switch
month, and with it the whole cost structure, depends on the start volume: such a strategy has no
terms of its own in :attr:`CostModel.terms <ftrag_mc.model.evaluate.CostModel.terms>`. For each
start volume (one for every sample, or one per sample) :class:`VolumeTrigger` finds the decision
times, composes the strategy's terms for them and evaluates them with the same model, so every
closed form and GPU step of the start and switch_to strategies applies unchanged.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ftrag_mc.model.costs import CostTerms
from ftrag_mc.model.staged import first_month_above, running_min, volume_triggered
from ftrag_mc.model.strategy import staged_cost_terms, switch_months

__all__ = ["VolumeTrigger", "npc_by_decision_month", "volume_triggers"]

#: The name a priced policy takes in a model's terms while it is evaluated (no strategy's key: keys
#: are TOML keys, and this one has a space).
_POLICY = "staged policy"


class VolumeTrigger:
    """One staged strategy on a volume trigger, for the samples of a :class:`CostModel` ``model``."""

    def __init__(self, model: Any, name: str, strategy: Any):
        # A weak reference: the model holds this object, and a cycle would keep every block's
        # arrays alive until the garbage collector's next full pass (memory would grow with samples).
        self._model = weakref.ref(model)
        self.name, self.strategy = name, strategy
        self._level: np.ndarray | None = None
        self._last: tuple[bytes, np.ndarray, CostTerms] | None = None  # see _switched

    @property
    def model(self) -> Any:
        return self._model()

    @property
    def level(self) -> np.ndarray:
        """The trigger's level per unit of start volume: the running minimum of each sample's path
        over ``for_months`` months, ``(H, n)`` (0 in months too early to fire)."""
        if self._level is None:
            model = self.model
            path = np.broadcast_to(model.growth, (model.horizon, model.n))
            self._level = running_min(path, self.strategy.trigger.months_above)
        return self._level

    def decision_months(self, start_volume) -> np.ndarray:
        """τ per sample at ``start_volume`` (a scalar or ``(n,)``): months from t = 0; H = no switch."""
        threshold = self.model.values[self.strategy.trigger.volume_above.name]
        return first_month_above(np.asarray(start_volume, dtype=np.float64) * self.level, threshold,
                                 self.model.horizon)

    def terms_at(self, start_volume) -> CostTerms:
        """The strategy's cost terms at ``start_volume`` (a scalar or ``(n,)``)."""
        model = self.model
        return staged_cost_terms(model.scenario, self.strategy, model.terms, model.values, model.n,
                                 self.decision_months(start_volume), components=model.components)

    def _switched(self, start_volume) -> tuple[np.ndarray, CostTerms]:
        """Which samples switch at ``start_volume`` (n,), and the strategy's terms there.

        The terms depend on the volume only through the decision times, which change at few of
        the volumes a bisection tries: the last decision times' terms are reused when they recur.
        """
        model = self.model
        tau = self.decision_months(start_volume)
        key = np.asarray(tau).tobytes()
        if self._last is None or self._last[0] != key:
            terms = staged_cost_terms(model.scenario, self.strategy, model.terms, model.values, model.n, tau,
                                      components=model.components)
            switched = switch_months(model.scenario, self.strategy, model.values, tau) < model.horizon
            self._last = (key, np.broadcast_to(switched, (model.n,)), terms)
        return self._last[1], self._last[2]

    def cumulative(self, start_volume) -> np.ndarray:
        """Cumulative discounted cost through months 0..H, ``(H + 1, n)``; a sample that does not
        switch costs exactly what the start strategy does (the same sums)."""
        switched, terms = self._switched(start_volume)
        start = self.model.cumulative(self.strategy.start, start_volume)
        if not switched.any():
            return start
        staged = self.model.with_terms(self.name, terms).cumulative(self.name, start_volume)
        return np.where(switched, staged, start)

    def npc_grid(self, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        """NPC through each of ``months`` at every start volume: ``(K, len(months), n)``."""
        out = self.model.npc_grid(self.strategy.start, volumes, months).copy()
        for k, volume in enumerate(volumes):
            switched, terms = self._switched(volume)
            if switched.any():
                staged = self.model.with_terms(self.name, terms).npc_grid(self.name, np.array([volume]), months)[0]
                out[k] = np.where(switched, staged, out[k])
        return out


def volume_triggers(scenario: Any, model: Any) -> dict[str, VolumeTrigger]:
    """A :class:`VolumeTrigger` for each staged strategy of ``scenario`` on a volume trigger."""
    return {name: VolumeTrigger(model, name, s) for name, s in scenario.strategies.items() if volume_triggered(s)}


def npc_by_decision_month(model: Any, stages: Any, start_volume: float, month: int) -> np.ndarray:
    """NPC through ``month`` at ``start_volume`` of starting on ``stages.start`` and switching to
    ``stages.switch_to`` at each decision time τ = 0, 1, ..., H - 1, and of never switching (row H).

    Returns ``(H + 1, n)``: row τ is what any trigger deciding at τ costs in each sample (row 0
    exactly switch_to with ``interim = start``, row H exactly start), so a search over triggers
    prices each one by picking, per sample, the row of its decision time (common random numbers).
    Where switch_to's platform has closed by τ, row τ is start's cost (no switch).
    """
    h = model.horizon
    out = np.empty((h + 1, model.n))
    out[h] = model.cumulative(stages.start, start_volume)[month]
    for tau in range(h):
        terms = staged_cost_terms(model.scenario, stages, model.terms, model.values, model.n, float(tau),
                                  components=model.components)
        out[tau] = model.with_terms(_POLICY, terms).cumulative(_POLICY, start_volume)[month]
    return out
