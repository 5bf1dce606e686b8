"""Comparing scenarios: several files, or one file under several ``--set`` what-ifs, side by side.

Every variant is simulated with the *same seed, sample count and sampler*. Random draws are
addressed by (seed, input name), so two variants that name the same input (the same dotted key,
e.g. ``strategies.ft.training.run_usd``, or the same shared ``[inputs]`` name) get the same draws
for it: common random numbers across scenarios, for free. A difference between two variants'
P(win) then comes from what differs between them, not from sampling noise; a variant whose
challenger is cheaper in every future wins in at least the same futures, sample for sample. That
holds for the ``mc`` and ``lhs`` samplers. A Sobol' point set moves all its dimensions together
(an input's draws depend on which other inputs are uncertain), so draws are not shared and
comparisons refuse ``sobol``.

Inputs that only one variant names (a strategy the other lacks, an input renamed) get their own
draws, independent of everything else, as in a single run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import pandas as pd

from ftrag_mc.analysis.decision import rank_strategies
from ftrag_mc.analysis.probability import compute_pwin_vs_volume
from ftrag_mc.analysis.risk import compute_summary
from ftrag_mc.overrides import Override, format_override
from ftrag_mc.sampling import normalize_seed
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import simulate

__all__ = ["COMPARE_SAMPLERS", "CURVE_COLUMNS", "DECISION_COLUMNS", "HEADLINE_COLUMNS", "attach_headline",
           "compute_compare", "variant_name"]

COMPARE_SAMPLERS = ("mc", "lhs")
NAME_CHARS = 60  # a variant name's override list is shortened beyond this

CURVE_COLUMNS = [
    "variant", "strategy", "label", "baseline", "horizon_months", "queries_per_month", "p_win",
    "p_win_low", "p_win_high", "wins", "samples",
]
HEADLINE_COLUMNS = [
    "variant", "scenario", "file", "strategy", "label", "baseline", "baseline_label", "queries_per_month",
    "horizon_months", "p_win", "p_win_low", "p_win_high", "mean_delta_usd", "mean_delta_se_usd",
    "p5_delta_usd", "p95_delta_usd", "volume_at_50pct", "payback_p50_months", "samples", "seed", "sampler",
]

DECISION_COLUMNS = [
    "variant", "scenario", "file", "horizon_months", "queries_per_month", "recommended", "recommended_label",
    "runner_up", "runner_up_label", "saving_usd", "saving_se_usd", "p_loss", "p_loss_low", "p_loss_high",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high", "dominated", "currency", "samples", "seed", "sampler",
]

Variant = tuple[str, Scenario]
"""A variant's display name and its scenario, e.g. ``("support-classifier [volume.queries_per_month=40000]", s)``."""


def variant_name(scenario: Scenario, overrides: Sequence[str | Override] | None = None, *,
                 taken: Collection[str] = ()) -> str:
    """A short, readable name for a variant: the scenario's name and its what-ifs.

    Parameters
    ----------
    scenario
        The variant's scenario.
    overrides
        The ``--set`` overrides that make the variant; default ``scenario.overrides`` (those it was
        loaded with).
    taken
        Names already given to other variants; a name among them gets `` #2``, `` #3``, ...

    Returns
    -------
    str
        ``"support-classifier"``, or ``"support-classifier [volume.queries_per_month=40000]"``;
        a list of overrides longer than :data:`NAME_CHARS` characters keeps the first ones that fit
        and ends in ``…``.
    """
    texts = [format_override(o) for o in (scenario.overrides if overrides is None else overrides)]
    name = scenario.name
    if texts:
        name = f"{name} [{_shorten_list(texts, NAME_CHARS)}]"
    if name not in taken:
        return name
    k = 2
    while f"{name} #{k}" in taken:
        k += 1
    return f"{name} #{k}"


def _shorten_list(texts: Sequence[str], width: int) -> str:
    joined = ", ".join(texts)
    if len(joined) <= width:
        return joined
    kept: list[str] = []
    for text in texts:
        if len(", ".join([*kept, text])) + 3 > width:  # room for ", …"
            break
        kept.append(text)
    if not kept:  # one long override: cut inside it
        return texts[0][:width - 1].rstrip() + "…"
    return ", ".join(kept) + ", …"


def compare_sampler(scenario: Scenario, sampler: str | None = None) -> tuple[str, str | None]:
    """The sampler a comparison uses, and a note when it is not the one the scenario asks for.

    Returns
    -------
    (sampler, note) : ``sampler`` when given, else the scenario's; a scenario asking for
    ``sobol`` gets ``lhs`` and a note saying why.

    Raises
    ------
    ValueError
        If ``sampler`` is ``sobol`` (its draws are not shared between variants) or unknown.
    """
    if sampler is None:
        if scenario.simulation.sampler == "sobol":
            return "lhs", (f"{scenario.name} asks for sampler sobol; the comparison uses lhs, so that variants "
                           "share their draws (common random numbers)")
        return scenario.simulation.sampler, None
    if sampler == "sobol":
        raise ValueError("comparisons use sampler mc or lhs, not 'sobol': a Sobol' sequence moves every input "
                         "together, so variants would not share their draws (no common random numbers)")
    if sampler not in COMPARE_SAMPLERS:
        raise ValueError(f"comparisons use sampler mc or lhs, not {sampler!r}")
    return sampler, None


def _horizon(name: str, scenario: Scenario, horizon: int | None) -> int:
    if horizon is None:
        return scenario.analysis_horizons[-1]
    if int(horizon) not in scenario.analysis_horizons:
        raise ValueError(f"variant {name!r} has no analysis horizon of {horizon} months (its horizons: "
                         f"{', '.join(str(h) for h in scenario.analysis_horizons)})")
    return int(horizon)


def compute_compare(variants: Sequence[Variant], *, samples: int | None = None, seed: int | None = None,
                    sampler: str | None = None, horizon: int | None = None, workers: int | None = None,
                    progress: Callable[[int], None] | None = None,
                    decision: bool = False) -> tuple[pd.DataFrame, ...]:
    """P(win) against volume, and the headline at each variant's own volume, for several scenarios.

    Each variant's challengers are compared with its own baseline. Every variant is simulated with
    one seed, sample count and sampler, so inputs the variants share get the same draws (common
    random numbers; see the module docstring): differences between variants carry no sampling
    noise of their own.

    Parameters
    ----------
    variants
        ``(name, scenario)`` pairs, at least one; names must be unique (see :func:`variant_name`).
        Their volume sweeps may differ: each curve keeps its own volumes.
    samples, seed
        For every variant; default the first variant's. A seed left None everywhere is drawn once
        and shared (``headline["seed"]`` reports it).
    sampler
        ``"mc"`` or ``"lhs"``; default the first variant's (``lhs``, with a note, for Sobol').
    horizon
        Months, one of every variant's analysis horizons; default each variant's longest.
    workers
        Passed to :func:`~ftrag_mc.simulate.simulate` (results do not depend on it).
    progress
        Called with the number of samples finished after each block, across all variants
        (``samples`` x number of variants in all).
    decision
        Also return each variant's decision among all its strategies (third frame).

    Returns
    -------
    curves : DataFrame
        :func:`~ftrag_mc.analysis.probability.compute_pwin_vs_volume` of every variant at the chosen
        horizon, stacked, one row per variant, challenger and sweep volume: variant, strategy,
        label, baseline, horizon_months, queries_per_month, p_win, p_win_low, p_win_high (95 %
        Wilson), wins, samples. Variants in the order given.
    headline : DataFrame
        One row per variant and challenger at the variant's own volume and horizon: variant,
        scenario, file (None for a scenario built in code), strategy, label, baseline,
        baseline_label, queries_per_month, horizon_months, p_win, p_win_low, p_win_high,
        mean_delta_usd, mean_delta_se_usd (ΔNPC = challenger - baseline, negative = saving),
        p5_delta_usd, p95_delta_usd, volume_at_50pct (NaN when the curve does not cross 50 %
        upwards in the sweep), payback_p50_months, samples, seed, sampler.
    decisions : DataFrame, only with ``decision=True``
        One row per variant (:data:`DECISION_COLUMNS`): the recommended strategy and the
        runner-up (:func:`~ftrag_mc.analysis.decision.rank_strategies`), the expected saving
        E[NPC(runner-up) − NPC(recommended)] ± its standard error, P(loss) and P(cheapest of all)
        with 95 % Wilson intervals, the dominated strategies ("name (by other)", "; "-joined).

    Each frame's ``attrs`` hold samples, seed, sampler, ``notes`` (sentences: a sampler switched
    from Sobol', later variants' settings overridden by the first's, currencies that differ) and
    ``titles`` (variant name -> its scenario's title).

    Raises
    ------
    ValueError
        No variants, duplicate names, a Sobol' or unknown sampler, or a horizon some variant lacks
        (checked before anything is simulated).
    """
    variants = _checked(variants)
    n, seed, sampler, notes = _settings(variants, samples, seed, sampler)
    horizons = [_horizon(name, scenario, horizon) for name, scenario in variants]

    curve_frames, headline_rows, decision_rows = [], [], []
    for (name, scenario), h in zip(variants, horizons):
        curves, rows, chosen = _variant(name, scenario, h, samples=n, seed=seed, sampler=sampler, workers=workers,
                                        progress=progress)
        curve_frames.append(curves)
        headline_rows += rows
        decision_rows.append(chosen)

    curves = pd.concat(curve_frames, ignore_index=True)[CURVE_COLUMNS]
    headline = pd.DataFrame(headline_rows, columns=HEADLINE_COLUMNS)
    decisions = pd.DataFrame(decision_rows, columns=DECISION_COLUMNS)
    for frame in (curves, headline, decisions):
        frame.attrs.update({"samples": n, "seed": seed, "sampler": sampler, "notes": list(notes),
                            "titles": {name: scenario.title for name, scenario in variants}})
    return (curves, headline, decisions) if decision else (curves, headline)


def _settings(variants: Sequence[Variant], samples: int | None, seed: int | None,
              sampler: str | None) -> tuple[int, int, str, list[str]]:
    """The samples, seed and sampler every variant runs with (the caller's, else the first
    variant's), and the notes on settings that differ from a variant's own."""
    given = {k for k, v in (("samples", samples), ("seed", seed), ("sampler", sampler)) if v is not None}
    first = variants[0][1]
    n = samples if samples is not None else first.simulation.samples
    seed = normalize_seed(seed if seed is not None else first.simulation.seed)
    sampler, note = compare_sampler(first, sampler)
    notes = [note] if note else []
    notes += _setting_notes(variants, {"samples": n, "seed": seed, "sampler": sampler}, given)
    currencies = sorted({scenario.meta.currency for _name, scenario in variants})
    if len(currencies) > 1:
        notes.append(f"the variants use different currencies ({', '.join(currencies)}): ΔNPC is in each "
                     "variant's own currency")
    return n, seed, sampler, notes


def _variant(name: str, scenario: Scenario, h: int, *, samples: int, seed: int, sampler: str,
             workers: int | None, progress: Callable[[int], None] | None) -> tuple[pd.DataFrame, list[dict], dict]:
    """One variant simulated: its P(win) curves at ``h`` months, its headline rows and its decision."""
    result = simulate(scenario, samples=samples, seed=seed, sampler=sampler, workers=workers, progress=progress)
    curves = compute_pwin_vs_volume(result)
    summary = compute_summary(result, curves)
    rows = [{**row, "variant": name, "scenario": scenario.name, "file": scenario.file,
             "baseline_label": scenario.label(scenario.baseline),
             "queries_per_month": scenario.volume.queries_per_month, "samples": result.n_samples, "seed": seed,
             "sampler": sampler}
            for row in summary[summary["horizon_months"] == h].to_dict("records")]
    chosen = _decision_row(result, h)
    chosen.update({"variant": name, "scenario": scenario.name, "file": scenario.file, "seed": seed,
                   "sampler": sampler, "currency": scenario.meta.currency})
    # Bounded statistics only: nothing per sample outlives the variant.
    return curves[curves["horizon_months"] == h].assign(variant=name, baseline=scenario.baseline), rows, chosen


def _decision_row(result, h: int) -> dict:
    """A variant's decision at ``h`` months: the recommended strategy and the runner-up's row."""
    decision = rank_strategies(result, horizon=h)
    table = decision.table.set_index("strategy")
    rec, ru = table.loc[decision.recommended], table.loc[decision.runner_up]
    dominated = "; ".join(f"{row.label} (by {row.dominated_by_label})" for row in decision.table.itertuples()
                          if isinstance(row.dominated_by, str))
    return {"horizon_months": h, "queries_per_month": decision.queries_per_month,
            "recommended": decision.recommended, "recommended_label": rec["label"],
            "runner_up": decision.runner_up, "runner_up_label": ru["label"], "saving_usd": ru["saving_usd"],
            "saving_se_usd": ru["saving_se_usd"], "p_loss": ru["p_loss"], "p_loss_low": ru["p_loss_low"],
            "p_loss_high": ru["p_loss_high"], "p_cheapest": rec["p_cheapest"],
            "p_cheapest_low": rec["p_cheapest_low"], "p_cheapest_high": rec["p_cheapest_high"],
            "dominated": dominated, "samples": decision.samples}


def _checked(variants: Sequence[Variant]) -> list[Variant]:
    """The variants as a list: at least one, each a Scenario, names unique."""
    variants = list(variants)
    if not variants:
        raise ValueError("nothing to compare: give at least one (name, scenario) variant")
    names = [name for name, _scenario in variants]
    for name, scenario in variants:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"variant {name!r}: expected a Scenario, got {type(scenario).__name__}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"variant names must be unique; repeated: {', '.join(map(repr, duplicates))} "
                         "(variant_name(..., taken=...) suffixes #2, #3)")
    return variants


def attach_headline(curves: pd.DataFrame, headline: pd.DataFrame,
                    decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparison chart's one frame: ``curves`` with the ``headline`` rows it marks (each
    variant's own volume and P(win)) in ``attrs["headline"]`` (records), the notes, and with
    ``decisions`` (:func:`compute_compare`'s third frame) each variant's decision in
    ``attrs["decision"]`` (records), which the chart's title states."""
    frame = curves.copy()
    frame.attrs = {**curves.attrs, "headline": headline.to_dict("records"),
                   "headline_columns": list(headline.columns),
                   "notes": list(headline.attrs.get("notes", curves.attrs.get("notes", [])))}
    if decisions is not None:
        frame.attrs["decision"] = decisions.to_dict("records")
    return frame


def _setting_notes(variants: Sequence[Variant], used: dict[str, object], given: set[str]) -> list[str]:
    """Sentences naming later variants whose own [simulation] settings (not set by the caller)
    differ from the ones the comparison uses."""
    notes = []
    for name, scenario in variants[1:]:
        differ = [key for key, value in used.items()
                  if key not in given and getattr(scenario.simulation, key) != value]
        if differ:
            notes.append(f"{name}: its own {' and '.join(differ)} replaced by the first variant's (one seed, "
                         "sample count and sampler for every variant)")
    return notes
