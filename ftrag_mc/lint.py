"""Lint: a valid scenario that probably does not say what its author meant.

Validation (:mod:`ftrag_mc.scenario`) refuses what cannot be computed; lint warns about what can be
computed but would mislead: a strategy without a cost the others pay, a launch delay that makes a
strategy look free, an answer decided by a number stated as a certainty. :data:`CHECKS` is the
registry, like :data:`ftrag_mc.distributions.FAMILIES`: a check is a pure function
``(scenario) -> list[LintWarning]`` and a new one is an entry there.

Checks that weigh money evaluate the model once at the medians with the public entry point
(:func:`ftrag_mc.model.evaluate.evaluate`): ΔNPC is the challenger's net present cost minus the
baseline's at the scenario's volume over its horizon, for every challenger.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from ftrag_mc.model.components import REGISTRY
from ftrag_mc.model.evaluate import evaluate
from ftrag_mc.formats import format_usd
from ftrag_mc.model.staged import is_staged
from ftrag_mc.scenario import Scenario
from ftrag_mc.schema import Quantity

#: A missing component counts when adding the other side's cost of it moves ΔNPC by more than
#: this share of |ΔNPC| (or flips its sign): a fifth is beyond the Monte Carlo noise of any
#: summary and large enough that a reader would want to know.
ASYMMETRY_SHARE = 0.2

#: A constant is "deciding" when ΔNPC changes sign with it moved to these multiples of its value.
CONSTANT_FACTORS = (0.5, 2.0)


@dataclass(frozen=True)
class LintWarning:
    """What a check found: the key path it is about and a sentence saying what to do."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class Check:
    """A registered lint check."""

    name: str
    doc: str
    run: Callable[[Scenario], list[LintWarning]]


# --- the medians ----------------------------------------------------------------------------------

def _median_costs(scenario: Scenario, inputs: dict[str, Any] | None = None, *, components: bool = False):
    """NPC over the horizon at the scenario's volume, the medians for inputs not in ``inputs``.

    Returns ``{strategy: (n,) float64}`` and, with ``components``, ``{component: {strategy: (n,)}}``
    (empty without). Overflowing what-ifs give inf or nan, which the checks skip; never a warning.
    """
    with np.errstate(all="ignore"):
        ev = evaluate(scenario, inputs, components=components)

    def by_strategy(values: np.ndarray) -> dict[str, np.ndarray]:
        return {s: values[:, i, 0, -1] for i, s in enumerate(ev.strategies)}

    return by_strategy(ev.npc_usd), {name: by_strategy(v) for name, v in (ev.components or {}).items()}


def _pair(scenario: Scenario, challenger: str) -> str:
    return f"{challenger} vs {scenario.baseline}"


# --- component asymmetry --------------------------------------------------------------------------

def check_component_asymmetry(scenario: Scenario) -> list[LintWarning]:
    """A component one side of a challenger-baseline pair pays and the other lacks, where adding the
    paying side's cost of it to the other flips ΔNPC's sign or moves it by > ASYMMETRY_SHARE."""
    components = [c for c in REGISTRY if c.absent is not None]
    # A staged strategy's components are its start's and switch_to's, checked where those are compared.
    pairs = [(scenario.baseline, c) for c in scenario.challengers
             if not (is_staged(scenario.strategies[c]) or is_staged(scenario.strategies[scenario.baseline]))]
    asymmetric = [(comp, b, c) for comp in components for b, c in pairs
                  if (getattr(scenario.strategies[b], comp.key) is None) != (getattr(scenario.strategies[c], comp.key) is None)]
    if not asymmetric:
        return []
    npc, split = _median_costs(scenario, components=True)
    currency = scenario.meta.currency
    warnings = []
    for comp, baseline, challenger in asymmetric:
        absent, present = ((challenger, baseline) if getattr(scenario.strategies[challenger], comp.key) is None
                           else (baseline, challenger))
        if not comp.absent.applies(scenario.strategies[absent]):
            continue
        paid = float(split.get(comp.key, {}).get(present, np.zeros(1))[0])
        delta = float(npc[challenger][0] - npc[baseline][0])
        counted = delta + paid if absent == challenger else delta - paid
        if not (paid > 0 and math.isfinite(counted)):
            continue
        flips = (delta < 0) != (counted < 0)
        if not flips and paid <= ASYMMETRY_SHARE * abs(delta):
            continue
        effect = "flips the answer" if flips else f"moves it by {100 * paid / abs(delta):.0f} %"
        warnings.append(LintWarning(f"strategies.{absent}", (
            f"has no [{comp.key}] ({comp.absent.assumed}) while strategies.{present} pays "
            f"{format_usd(paid, currency)} for {comp.absent.paid_for} at the medians; counting it on both sides "
            f"{effect} (ΔNPC {_pair(scenario, challenger)} {format_usd(delta, currency)} -> "
            f"{format_usd(counted, currency)}): give {absent} a {comp.key} section")))
    return warnings


# --- launch delays --------------------------------------------------------------------------------

def _serves_from(scenario: Scenario, key: str) -> list[Quantity]:
    """The launch delays after which ``key``'s queries are served: its own, and its interim's."""
    strategy = scenario.strategies[key]
    starts = [strategy.launch_weeks]
    if strategy.interim is not None:
        starts.append(scenario.strategies[strategy.interim].launch_weeks)
    return starts


def check_launch_delay(scenario: Scenario) -> list[LintWarning]:
    """A strategy that may launch late, with no interim and no delay cost, while another may be
    serving already: it is silently free before launch, the others are not."""
    warnings = []
    for key, strategy in scenario.strategies.items():
        delay = strategy.launch_weeks
        latest = delay.distribution.support[1]
        no_delay_cost = strategy.delay_cost_usd_per_month.distribution.support[1] == 0
        if latest <= 0 or strategy.interim is not None or not no_delay_cost:
            continue
        # Weeks before every strategy serves are the same for all; a different draw that can be earlier is not.
        earlier = [(other, start.distribution.support[0]) for other in scenario.strategies if other != key
                   for start in _serves_from(scenario, other)
                   if start.name != delay.name and start.distribution.support[0] < latest]
        if not earlier:
            continue
        other, weeks = min(earlier, key=lambda item: item[1])
        low = delay.distribution.support[0]
        span = f"{latest:g}" if low == latest else f"{low:g}-{latest:g}"
        warnings.append(LintWarning(f"strategies.{key}.launch_weeks", (
            f"launches after {span} weeks with no interim and no delay_cost_usd_per_month: "
            f"it serves nothing and costs nothing before launch, while strategies.{other} may serve from "
            f"week {weeks:g}; give it interim = \"<the strategy serving meanwhile>\" or a delay cost")))
    return warnings


# --- prices against the catalog -------------------------------------------------------------------

def check_catalog_prices(scenario: Scenario) -> list[LintWarning]:
    """Explicit prices more than 10x outside the price catalog's range (``ftrag_mc.catalog.price_warnings``)."""
    from ftrag_mc.catalog import price_warnings

    return [LintWarning(path, message) for path, message in price_warnings(scenario)]


# --- answers decided by a constant ----------------------------------------------------------------

def _records(record: Any) -> Iterator[tuple[dataclasses.Field, Any]]:
    """Every schema field of ``record`` and of its nested sections, with its value."""
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.metadata.get("kind") == "section" and value is not None:
            yield from _records(value)
        elif f.metadata.get("kind") == "quantity" and isinstance(value, Quantity):
            yield f, value


def _bounds(scenario: Scenario) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """The tightest schema bounds on each input over every key that reads it (shared inputs may
    feed several), so a halved or doubled value stays one the file could hold; and the inputs that
    are published prices."""
    bounds: dict[str, tuple[float, float]] = {}
    prices: set[str] = set()
    records = [scenario.meta, scenario.volume, *([scenario.team] if scenario.team else []),
               *scenario.strategies.values()]
    for record in records:
        for f, q in _records(record):
            lo, hi = bounds.get(q.name, (-math.inf, math.inf))
            bounds[q.name] = (max(lo, f.metadata.get("lo", -math.inf)), min(hi, f.metadata.get("hi", math.inf)))
            if f.metadata.get("unit") == "USD per million tokens" or f.name in _PUBLISHED:
                prices.add(q.name)
    return bounds, prices


#: Published multipliers; with token prices (unit "USD per million tokens") they are facts at a
#: date, not estimates: their uncertainty is the price trend (price_decline_per_year), and halving
#: or doubling a list price is not a range anyone would state.
_PUBLISHED = {"read_multiplier", "write_multiplier"}


def check_deciding_constant(scenario: Scenario) -> list[LintWarning]:
    """A constant whose value moved to half or double (others at medians, clipped to the key's
    range) flips the sign of ΔNPC of a challenger against the baseline at the scenario's volume.
    Published token prices and cache multipliers are left out (see :data:`_PUBLISHED`), and so are a
    staged strategy's trigger values (a decision, which ``ftrag-mc policy`` searches)."""
    bounds, prices = _bounds(scenario)
    # A staged strategy's trigger is a decision, not an estimate: `ftrag-mc policy` searches it.
    triggers = {s.trigger.volume_above or s.trigger.month for s in scenario.strategies.values() if is_staged(s)}
    decided = {q.name for q in triggers}
    constants = {name: d.median for name, d in scenario.inputs.items()
                 if d.is_constant and d.median != 0 and name not in prices and name not in decided}
    if not constants:
        return []
    npc, _ = _median_costs(scenario)
    base = {c: float(npc[c][0] - npc[scenario.baseline][0]) for c in scenario.challengers}
    currency = scenario.meta.currency
    warnings = []
    for name, value in constants.items():
        lo, hi = bounds.get(name, (-math.inf, math.inf))
        moved = [(f, min(max(f * value, lo), hi)) for f in CONSTANT_FACTORS]
        moved = [(f, v) for f, v in moved if v != value]
        if not moved:
            continue
        try:
            costs, _ = _median_costs(scenario, {name: [v for _, v in moved]})
        except ValueError:  # a what-if the model refuses (e.g. a non-finite product) decides nothing
            continue
        for challenger in scenario.challengers:
            if not math.isfinite(base[challenger]):  # an overflowing scenario says nothing about signs
                continue
            deltas = costs[challenger] - costs[scenario.baseline]
            flipped = [(f, v, d) for (f, v), d in zip(moved, deltas) if math.isfinite(d) and (d < 0) != (base[challenger] < 0)]
            if flipped:
                f, v, d = flipped[0]
                warnings.append(LintWarning(name, (
                    f"is a constant ({value:,.6g}) but the answer flips if it is "
                    f"{CONSTANT_FACTORS[0]:g}x-{CONSTANT_FACTORS[1]:g}x: at {f:g}x ({v:,.6g}) ΔNPC "
                    f"{_pair(scenario, challenger)} is {format_usd(d, currency)} instead of "
                    f"{format_usd(base[challenger], currency)}; give it a range")))
                break
    return warnings


CHECKS: dict[str, Check] = {
    check.name: check for check in (
        Check("component-asymmetry", "a cost component one side pays and the other lacks, where it changes the answer",
              check_component_asymmetry),
        Check("launch-delay", "a launch delay without an interim or a delay cost", check_launch_delay),
        Check("catalog-prices", "prices outside the price catalog's range by more than 10x", check_catalog_prices),
        Check("deciding-constant", "a constant that flips the answer at half or double its value",
              check_deciding_constant),
    )
}


def lint_scenario(scenario: Scenario) -> list[LintWarning]:
    """Every registered check's warnings, in registry order."""
    return [warning for check in CHECKS.values() for warning in check.run(scenario)]


__all__ = ["ASYMMETRY_SHARE", "CHECKS", "CONSTANT_FACTORS", "Check", "LintWarning", "lint_scenario"]
