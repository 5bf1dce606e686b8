"""The sentences of the evidence commands: what an eval of n items is worth (``sensitivity --evsi``)
and which distribution fits a column of data (``fit``).

Pure text from analysis frames and results (no matplotlib): the terminal's lines and the charts'
titles come from here. Every number goes through :mod:`ftrag_mc.report.numbers`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ftrag_mc.fit import FitResult, GrowthFit
from ftrag_mc.report.numbers import format_share, format_usd

__all__ = ["fit_finding", "fit_lines", "growth_finding", "growth_lines", "pilot_finding", "pilot_headline",
           "pilot_lines"]

VOLATILITY_KEY = "volume.volatility_per_month"
NOTHING_USD = 0.5
"""A value below half a currency unit is worth nothing: it cannot change the choice (as voi's ZERO_USD)."""


# --- the value of an eval of n items -------------------------------------------------------------


def _money(frame: pd.DataFrame, amount: float) -> str:
    return format_usd(amount, frame.attrs.get("currency", "USD"))


def _worth(frame: pd.DataFrame, row: pd.Series) -> str:
    """"worth $12.3k (95 % interval $9.1k-$15.0k)", or next to nothing within the noise."""
    if row["evsi_usd"] < NOTHING_USD:
        return "worth nothing (whatever it finds, the same strategy stays best)"
    if row["evsi_usd"] <= row["noise_p95_usd"]:
        return (f"worth next to nothing ({_money(frame, row['evsi_usd'])}, within the estimator's noise: "
                f"pure noise scores up to {_money(frame, row['noise_p95_usd'])})")
    return (f"worth {_money(frame, row['evsi_usd'])} (95 % interval {_money(frame, row['evsi_low_usd'])}-"
            f"{_money(frame, row['evsi_high_usd'])})")


def _nbsp(text: str) -> str:
    """A title wraps at spaces: "22 %" stays on one line."""
    return text.replace(" %", "\u00a0%")


def _items(n: float) -> str:
    return f"{int(round(n)):,} item{'s' if round(n) != 1 else ''}"


def _ceiling(frame: pd.DataFrame) -> str:
    row = frame.iloc[0]
    if row["evppi_usd"] < NOTHING_USD:
        return (f"even knowing {frame.attrs.get('description', 'the input')} exactly before deciding would not "
                "change the choice")
    return (f"knowing {frame.attrs.get('description', 'the input')} exactly before deciding would be worth "
            f"{_money(frame, row['evppi_usd'])} over {frame.attrs.get('horizon_months', '?')} months, the most "
            "any eval can be worth")


def _pays(frame: pd.DataFrame) -> str:
    up_to = frame.attrs.get("pays_up_to_n", math.nan)
    if frame.attrs.get("pays_at_every_size"):
        return f"it pays for itself at every size tried, up to {_items(up_to)}"
    return f"it pays for itself up to about {_items(up_to)}"


def pilot_headline(frame: pd.DataFrame) -> str:
    """What an EVSI study found (:func:`~ftrag_mc.analysis.pilot.compute_pilot_evsi`'s frame), in
    full: what an eval of the middle size tried is worth, with its interval and cost; the size up to
    which an eval pays for itself; the best size."""
    studies = frame[frame["n"] > 0]
    if frame["evppi_usd"].iloc[0] < NOTHING_USD:
        return f"No eval is worth anything here: {_ceiling(frame)}"
    row = studies.iloc[(len(studies) - 1) // 2]  # the middle size: 200 of 50, 100, 200, 400, 800
    text = f"An eval of {_items(row['n'])} is {_worth(frame, row)}"
    if "enbs_usd" not in frame.columns:
        return f"{text}, {format_share(row['share_of_evppi'])} of the ceiling: {_ceiling(frame)}"
    text += f" against its cost of {_money(frame, row['cost_usd'])}"
    best_n = int(frame.attrs.get("best_n", 0))
    if best_n == 0:
        return f"{text}; no size tried pays for itself, and {_ceiling(frame)}"
    best = frame[frame["n"] == best_n].iloc[0]
    return f"{text}; {_pays(frame)}; the best size is {_items(best_n)} (net {_money(frame, best['enbs_usd'])})"


def pilot_finding(frame: pd.DataFrame) -> str:
    """The EVSI chart's title: :func:`pilot_headline` in a line or two."""
    studies = frame[frame["n"] > 0]
    evppi = float(frame["evppi_usd"].iloc[0])
    if evppi < NOTHING_USD:
        return "No eval can change the choice: even perfect knowledge is worth nothing"
    if "enbs_usd" not in frame.columns:
        row = studies.iloc[-1]
        share = row["share_of_evppi"]
        part = ("about all" if share >= 0.95 else _nbsp(format_share(share)))
        return (f"An eval of {_items(row['n'])} is worth {_money(frame, row['evsi_usd'])}, {part} of what "
                f"perfect knowledge is worth ({_money(frame, evppi)})")
    best_n = int(frame.attrs.get("best_n", 0))
    if best_n == 0:
        cheapest = float(studies["cost_usd"].min())
        if evppi < cheapest:
            return (f"No eval pays for itself: even perfect knowledge is worth {_money(frame, evppi)}, "
                    f"less than the cheapest eval ({_money(frame, cheapest)})")
        return f"No eval size tried pays for itself (perfect knowledge would be worth {_money(frame, evppi)})"
    row = frame[frame["n"] == best_n].iloc[0]
    return (f"The best eval is {_items(best_n)}: worth {_money(frame, row['evsi_usd'])} against a cost of "
            f"{_money(frame, row['cost_usd'])}; {_pays(frame)}")


def pilot_lines(frame: pd.DataFrame) -> list[str]:
    """What ``sensitivity --evsi`` prints: the headline, then one line per size and the ceiling."""
    h = frame.attrs.get("horizon_months", "?")
    lines = [f"{pilot_headline(frame)}.",
             f"  Study: {frame.attrs.get('study', 'n items')} on {frame.attrs.get('description', 'the input')}, "
             f"valued over {h} months (every strategy, at your volume):"]
    costs = "enbs_usd" in frame.columns
    for row in frame[frame["n"] > 0].itertuples():
        text = (f"    {int(row.n):>9,} items: EVSI {_money(frame, row.evsi_usd)} "
                f"({_money(frame, row.evsi_low_usd)}-{_money(frame, row.evsi_high_usd)})")
        if costs:
            text += f", cost {_money(frame, row.cost_usd)}, net {_money(frame, row.enbs_usd)}"
            text += " <- best" if row.best else ""
        if row.evsi_usd <= row.noise_p95_usd:
            text += " (within noise)"
        lines.append(text)
    first = frame.iloc[0]
    lines.append(f"  Ceiling: {_ceiling(frame)} (EVPPI, 95 % interval {_money(frame, first['evppi_low_usd'])}-"
                 f"{_money(frame, first['evppi_high_usd'])}).")
    return lines


# --- a distribution fitted to data -----------------------------------------------------------------


def _number(x: float) -> str:
    return f"{x:.4g}"


def fit_finding(fit: FitResult, column: str) -> str:
    """The fit chart's title: the family that fits best, by how much, and its KS p-value."""
    ranked = fit.candidates or (fit,)
    head = f"A {fit.family} fits the {fit.n:,} values of {column} best"
    if len(ranked) == 1:
        return f"{head} (the only family tried); KS p = {fit.ks_pvalue:.2g}"
    runner = ranked[1]
    if runner.delta_aic < 2:
        return (f"A {fit.family} and a {runner.family} fit the {fit.n:,} values of {column} about equally well "
                f"(AIC within {runner.delta_aic:.1f}); KS p = {fit.ks_pvalue:.2g}")
    return f"{head} (AIC {runner.delta_aic:.1f} below the next, {runner.family}); KS p = {fit.ks_pvalue:.2g}"


def fit_lines(fit: FitResult, column: str, key: str | None = None, notes: Sequence[str] = ()) -> list[str]:
    """What ``fit`` prints: the finding and ``notes``, the ranking by AIC with goodness of fit, then
    the TOML line to paste."""
    lines = [f"{fit_finding(fit, column)}.", *notes,
             f"  {'family':<12} {'AIC':>10} {'dAIC':>8} {'KS D':>7} {'KS p':>7} {'mean':>11} {'sd':>11}  parameters"]
    for c in fit.candidates or (fit,):
        params = ", ".join(f"{k} {_number(v)}" for k, v in c.params.items())
        lines.append(f"  {c.family:<12} {c.aic:>10.1f} {c.delta_aic:>8.1f} {c.ks_statistic:>7.3f} {c.ks_pvalue:>7.3f} "
                     f"{_number(c.mean):>11} {_number(c.sd):>11}  {params}")
    if fit.gof_pvalue is not None:
        lines.append(f"  Monte Carlo KS p-value of the {fit.family} with refitting: {fit.gof_pvalue:.3f} "
                     "(the KS p-values above assume known parameters and are optimistic)")
    else:
        lines.append("  KS p-values assume the parameters were known, not fitted: they are optimistic (Lilliefors).")
    chosen = fit.scenario_fit
    if chosen is None:
        lines.append("  No family with a scenario table fits these values.")
        return lines
    if chosen is not fit:
        lines.append(f"  The {fit.family} has no scenario family; the best that has one is the {chosen.family}.")
    lines.append("Paste into the scenario:")
    lines.append(f"{key or column} = {chosen.toml}")
    return lines


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def growth_finding(growth: GrowthFit, column: str) -> str:
    """The growth chart's title: growth a month with its 90 % interval, and the volatility."""
    verb = "grows" if growth.growth_per_month >= 0 else "shrinks"
    return _nbsp(f"{column} {verb} {_pct(abs(growth.growth_per_month))} a month (90 % interval "
                 f"{_pct(growth.growth_low)} to {_pct(growth.growth_high)}) over {growth.months} months, with a "
                 f"volatility of {_pct(growth.volatility_per_month)} a month")


def growth_lines(growth: GrowthFit, column: str, notes: Sequence[str] = ()) -> list[str]:
    """What ``fit --growth`` prints: the finding and ``notes``, then the two TOML lines for ``[volume]``."""
    return [
        f"{growth_finding(growth, column)}.".replace("\u00a0", " "), *notes,
        f"  From {growth.months + 1} monthly volumes: mean log-return {growth.mean_log_return:.4g} a month, "
        f"growth g = exp(mean + sd^2 / 2) - 1, its standard error {growth.growth_sd:.3g}.",
        "Paste into [volume]:",
        f"growth_per_month = {growth.growth_toml}",
        f"volatility_per_month = {growth.volatility_per_month:.6g}",
        *([] if _scenario_has_volatility() else [
            f"  ({VOLATILITY_KEY} is the noisy volume of MODEL.md section 5b, added with staged strategies; "
            "this version does not take the key yet.)"]),
    ]


def _scenario_has_volatility() -> bool:
    """Whether ``[volume]`` takes ``volatility_per_month`` (MODEL.md §5b's noisy volume)."""
    from dataclasses import fields

    from ftrag_mc.scenario import Volume

    return any(f.name == "volatility_per_month" for f in fields(Volume))
