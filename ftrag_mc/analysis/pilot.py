"""What an eval or a pilot of n items on one input of a scenario is worth, before deciding.

The decision is the value-of-information study's (:mod:`~ftrag_mc.analysis.voi`): every strategy,
net benefit NB = -NPC at the longest horizon and the scenario's volume. :func:`compute_pilot_evsi`
estimates the expected value of sample information of a study of each size n on a run's samples
with :func:`~ftrag_mc.analysis.evsi.compute_evsi` (regression on a simulated summary of the
study; its docstring has the method, the intervals and the noise floors), and adds its cost,
the expected net benefit of sampling (ENBS = EVSI - cost), the best size and the size up to which
a study pays for itself.

What the study measures, by the input named (:func:`resolve_pilot`):

- a rate in [0, 1] (``observed``, ``beta``, one of a paired eval's rates, any input whose values
  lie in [0, 1]): n pass/fail items, summarised by their count (:class:`BinomialData`). One rate
  of a paired eval is then a pilot of that candidate alone; its value includes what the count
  reveals about the other candidate's rate through their posterior correlation.
- any input, given ``item_sd``: n measurements, each the input plus normal noise of that sd (in
  the input's units), summarised by their mean (:class:`NormalData`).
- a paired eval, named by its table (``dsl_eval`` or ``evidence.dsl_eval``): n new items each
  scored for both candidates, the four outcomes multinomial with the run's cell probabilities
  (:class:`PairedData`), summarised by the two error counts. Under the Dirichlet model each
  rate's posterior mean depends on its own count only (aggregation), and the costs are linear in
  the rates, so the two counts carry what the choice needs; the pairing enters through their
  joint distribution. The cell probabilities are the run's own draws: the joint's uniforms are
  drawn again from the run's seed and checked to give the run's rates bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ftrag_mc.analysis.evsi import BinomialData, NormalData, compute_evsi
from ftrag_mc.distributions import PairedEval, joints_of
from ftrag_mc.limits import MAX_USD
from ftrag_mc.sampling import BLOCK_SIZE, InputSampler
from ftrag_mc.scenario import Scenario, describe_input
from ftrag_mc.errors import did_you_mean
from ftrag_mc.simulate import SimulationResult

__all__ = ["DEFAULT_SIZES", "MAX_ITEMS", "MAX_SIZES", "PairedData", "PilotStudy", "ResolvedPilot",
           "compute_pilot_evsi", "parse_sizes", "resolve_pilot"]

DEFAULT_SIZES = (50, 100, 200, 400, 800)
"""Study sizes tried when none are given: the article's 200 items, halved and doubled twice."""
MAX_ITEMS = 1_000_000
"""The largest study size: a million items."""
MAX_SIZES = 20
"""The most sizes one study tries."""
BOOTSTRAP = 200


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"50,100,200"`` -> ``(50, 100, 200)``: whole numbers from 1 to :data:`MAX_ITEMS`, at most
    :data:`MAX_SIZES` of them. Raises ValueError (one line) otherwise."""
    parts = [p.strip().replace("_", "") for p in str(text).split(",")]
    if not parts or any(not p for p in parts):
        raise ValueError(f"give sizes as whole numbers separated by commas, e.g. 50,100,200 (got {text!r})")
    sizes = []
    for p in parts:
        try:
            value = float(p)
        except ValueError:
            raise ValueError(f"'{p}' is not a number of items") from None
        if not (math.isfinite(value) and value.is_integer() and 1 <= value <= MAX_ITEMS):
            raise ValueError(f"a size must be a whole number of items from 1 to {MAX_ITEMS:,} (got {p})")
        sizes.append(int(value))
    return _checked_sizes(sizes)


def _checked_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    unique = tuple(sorted(set(sizes)))
    if not unique:
        raise ValueError("give at least one study size")
    if len(unique) > MAX_SIZES:
        raise ValueError(f"at most {MAX_SIZES} sizes (got {len(unique)})")
    return unique


@dataclass(frozen=True)
class PilotStudy:
    """A study to value: the input it measures, the sizes tried and what it costs.

    Attributes
    ----------
    input
        As the tornado names it (``inputs.x``, ``strategies.s.quality.error_rate``), a shared
        input's short name (``x``), or a paired eval's table (``dsl_eval``, ``evidence.dsl_eval``).
    sizes
        Items per study, whole numbers from 1 to :data:`MAX_ITEMS`, at most :data:`MAX_SIZES`.
    item_usd, fixed_usd
        Cost per item and fixed cost of a study (currency, 0 to 1e12); None for both: no costs,
        no ENBS and no best size.
    item_sd
        The sd of one item's measurement in the input's units (> 0): normal data.
    bootstrap
        Resamples for the intervals.
    """

    input: str
    sizes: tuple[int, ...] = DEFAULT_SIZES
    item_usd: float | None = None
    fixed_usd: float | None = None
    item_sd: float | None = None
    bootstrap: int = BOOTSTRAP

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes)
        for s in sizes:
            if isinstance(s, bool) or not float(s).is_integer() or not 1 <= s <= MAX_ITEMS:
                raise ValueError(f"a size must be a whole number of items from 1 to {MAX_ITEMS:,} (got {s})")
        object.__setattr__(self, "sizes", _checked_sizes([int(s) for s in sizes]))
        for key in ("item_usd", "fixed_usd"):
            value = getattr(self, key)
            if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_USD):
                raise ValueError(f"{key} must be between 0 and {MAX_USD:.0e} (got {value})")
        if self.item_sd is not None and not (math.isfinite(self.item_sd) and self.item_sd > 0):
            raise ValueError(f"item_sd must be a positive number (got {self.item_sd})")

    @property
    def has_costs(self) -> bool:
        return self.item_usd is not None or self.fixed_usd is not None


@dataclass(frozen=True)
class ResolvedPilot:
    """What a study measures in a scenario: ``name`` (an input key, or ``evidence.<name>``), the
    ``members`` it informs (one input, or a paired eval's two), the ``design`` (``binomial``,
    ``normal`` or ``paired``), and ``description`` and ``study`` in words."""

    name: str
    members: tuple[str, ...]
    design: str
    description: str
    study: str
    joint: PairedEval | None = None


def resolve_pilot(scenario: Scenario, study: PilotStudy) -> ResolvedPilot:
    """The input (or paired eval) ``study`` measures in ``scenario``, and how.

    Raises
    ------
    ValueError
        One line: an unknown name (with a "did you mean"), a constant, an input that is not a
        rate in [0, 1] without ``item_sd``, or ``item_sd`` for a paired eval.
    """
    name = study.input
    joints = {j.name: j for j in joints_of(scenario.inputs)}
    for key in (name, f"evidence.{name}"):
        if key in joints:
            if study.item_sd is not None:
                raise ValueError(f"'{name}' is a paired eval: its items are pass/fail, so an item sd does not apply")
            joint = joints[key]
            words = " and ".join(describe_input(scenario, m) for m in joint.inputs)
            return ResolvedPilot(key, joint.inputs, "paired", words,
                                 "paired eval of n items (both candidates on each)", joint)
    for key in (name, f"inputs.{name}"):
        if key in scenario.inputs:
            return _resolve_input(scenario, key, study)
    known = [*scenario.uncertain_inputs, *joints]
    short = [k.removeprefix("inputs.") for k in known] + [k.removeprefix("evidence.") for k in joints]
    listed = [k for k in known if not k.startswith("strategies.")]
    more = len(known) - len(listed)
    listing = ", ".join(listed) + (f" and {more} strategy keys, as the tornado names them" if more else "")
    raise ValueError(f"'{name}' is not an uncertain input or a paired eval of this scenario"
                     f"{did_you_mean(name, [*known, *short])} (uncertain: {listing})")


def _resolve_input(scenario: Scenario, key: str, study: PilotStudy) -> ResolvedPilot:
    dist = scenario.inputs[key]
    words = describe_input(scenario, key)
    if dist.is_constant:
        raise ValueError(f"'{key}' is a constant ({dist.describe()}): a study has nothing to learn about it")
    if study.item_sd is not None:
        return ResolvedPilot(key, (key,), "normal", words,
                             f"study of n items, each measuring it with sd {study.item_sd:.6g}")
    low, high = dist.support
    if not (low >= 0 and high <= 1):
        raise ValueError(f"'{key}' ({dist.describe()}) is not a rate in [0, 1]: give the sd of one item's "
                         "measurement in its units (item sd) for a study of n measurements")
    candidate = " (one candidate alone)" if getattr(dist, "joint", None) is not None else ""
    return ResolvedPilot(key, (key,), "binomial", words, f"eval of n pass/fail items{candidate}")


@dataclass(frozen=True, eq=False)
class PairedData:
    """n new items, each scored for both candidates of a paired eval; T = (A's errors, B's errors).

    ``both_wrong`` is (n_samples,) p00, the chance both get an item wrong, per sample; θ (the
    run's two error rates, (n_samples, 2)) gives the rest: p01 = θ_A - p00 (only B right),
    p10 = θ_B - p00. The four counts are drawn exactly as conditional binomials (both wrong;
    then only B right among the rest; then only A right), with common random numbers across sizes.
    """

    both_wrong: np.ndarray
    statistic: ClassVar[str] = "two error counts"

    def check(self, theta: np.ndarray) -> None:
        if theta.ndim != 2 or theta.shape != (self.both_wrong.size, 2):
            raise ValueError(f"a paired study needs (n_samples, 2) rates, not shape {theta.shape}")
        a, b, c = theta[:, 0], theta[:, 1], self.both_wrong
        slack = 1e-12
        if np.any(c < -slack) or np.any(c > np.minimum(a, b) + slack) or np.any(a + b - c > 1 + slack):
            raise ValueError("the rates and the both-wrong probabilities are not the cells of a paired eval")

    def draw_noise(self, rng: np.random.Generator, size: int) -> np.ndarray:
        # Strictly inside (0, 1), as BinomialData's: a quantile at u = 1 would be n whatever p.
        return (rng.integers(0, 2**52, size=(size, 3)) + 0.5) / 2**52

    def summary(self, theta: np.ndarray, n: int, noise: np.ndarray) -> np.ndarray:
        a, b = theta[:, 0], theta[:, 1]
        c00 = np.clip(self.both_wrong, 0.0, np.minimum(a, b))
        c01, c10 = a - c00, b - c00
        x00 = stats.binom.ppf(noise[:, 0], n, c00)
        x01 = stats.binom.ppf(noise[:, 1], n - x00, _share(c01, 1.0 - c00))
        x10 = stats.binom.ppf(noise[:, 2], n - x00 - x01, _share(c10, 1.0 - c00 - c01))
        return np.column_stack([x01 + x00, x10 + x00])

    def describe(self) -> str:
        return "two error counts of n items scored for both candidates"


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole in [0, 1], 0 where nothing is left to share."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), 0.0), 0.0, 1.0)


def _both_wrong(result: SimulationResult, joint: PairedEval) -> np.ndarray:
    """p00 per sample of the run: the joint's uniforms drawn again from the run's seed (by block)."""
    scenario, n = result.scenario, result.n_samples
    sampler = InputSampler(scenario.inputs, max(result.requested_samples, n), seed=result.seed,
                           sampler=result.sampler, correlation=scenario.correlation)
    index = [sampler.rows.index(row) for row in joint.rows]
    out = np.empty(n)
    for start in range(0, n, BLOCK_SIZE):
        stop = min(start + BLOCK_SIZE, n)
        rows = dict(zip(joint.rows, sampler.draw_uniforms(start, stop)[index]))
        values = joint.values(rows)
        if not all(np.array_equal(values[m], result.inputs[m][start:stop]) for m in joint.inputs):
            raise RuntimeError(f"{joint.name}: the run's rates could not be drawn again from its seed")
        out[start:stop] = joint.both_wrong(rows)
    return out


def _pays_up_to(frame: pd.DataFrame) -> tuple[float, bool]:
    """The size up to which a study pays for itself (ENBS > 0): the largest size tried when it
    still pays there (True), else interpolated linearly to ENBS = 0 after the last size that pays;
    NaN when none does."""
    rows = frame[frame["n"] > 0]
    n, enbs = rows["n"].to_numpy(float), rows["enbs_usd"].to_numpy(float)
    paying = np.flatnonzero(enbs > 0)
    if not paying.size:
        return math.nan, False
    last = int(paying[-1])
    if last == n.size - 1:
        return float(n[last]), True
    n0, n1, e0, e1 = n[last], n[last + 1], enbs[last], enbs[last + 1]
    return float(n0 + (n1 - n0) * e0 / (e0 - e1)), False


def compute_pilot_evsi(result: SimulationResult, study: PilotStudy, *, seed: int | None = None) -> pd.DataFrame:
    """The EVSI of ``study`` at each of its sizes, on a run's samples.

    Parameters
    ----------
    result
        A run that kept its samples (``simulate(..., keep_samples=True)``).
    study
        The input measured, the sizes, the costs.
    seed
        Seeds the study's simulated data and the bootstrap; default the run's.

    Returns
    -------
    DataFrame, one row per size from n = 0 (no study): input, design, horizon_months, then
    :func:`~ftrag_mc.analysis.evsi.compute_evsi`'s columns (n, evsi_usd with its 95 % interval,
    noise floors, the EVPPI ceiling, share_of_evppi, method; with costs cost_usd, enbs_usd and
    its interval, best). ``attrs``: input, members, description, design, study (in words),
    horizon_months, currency, samples, seed, best_n (with costs), pays_up_to_n (NaN when no
    size pays) and pays_at_every_size.

    Raises
    ------
    ValueError
        As :func:`resolve_pilot`, or for a run without its samples.
    """
    resolved = resolve_pilot(result.scenario, study)
    if result.samples is None:
        raise ValueError("the value of a study needs the per-sample costs: simulate(..., keep_samples=True)")
    h = result.horizon_months
    nb = -result.cumulative_usd[:, :, h]
    if resolved.design == "paired":
        theta = np.column_stack([result.inputs[m] for m in resolved.members])
        data = PairedData(_both_wrong(result, resolved.joint))
    else:
        theta = result.inputs[resolved.members[0]]
        data = NormalData(study.item_sd) if resolved.design == "normal" else BinomialData()
    frame = compute_evsi(nb, theta, data=data, sizes=study.sizes, item_usd=study.item_usd,
                         fixed_usd=study.fixed_usd, bootstrap=study.bootstrap,
                         seed=result.seed if seed is None else int(seed))
    for position, (column, value) in enumerate((("input", resolved.name), ("design", resolved.design),
                                                ("horizon_months", h))):
        frame.insert(position, column, value)
    frame.attrs.update(input=resolved.name, members=list(resolved.members), description=resolved.description,
                       design=resolved.design, study=resolved.study, horizon_months=h,
                       currency=result.scenario.meta.currency)
    if study.has_costs:
        up_to, everywhere = _pays_up_to(frame)
        frame.attrs.update(pays_up_to_n=up_to, pays_at_every_size=everywhere)
    return frame
