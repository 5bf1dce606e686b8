"""The value of information in words: each EVPPI row's sentence and note, and the lines
``ftrag-mc sensitivity`` prints about EVPI and the inputs most worth learning.

The numbers are :mod:`ftrag_mc.analysis.evpi`'s and :mod:`ftrag_mc.analysis.evppi`'s; every
amount goes through :func:`ftrag_mc.formats.format_usd`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ftrag_mc.analysis.evppi import ZERO_USD
from ftrag_mc.analysis.inputs import correlated_partners, is_paired
from ftrag_mc.formats import format_share, format_usd
from ftrag_mc.report.findings import join_and
from ftrag_mc.scenario import Scenario, describe_input

__all__ = ["add_evppi_words", "describe_voi", "evppi_note", "evppi_sentence"]


def _money(amount: float, currency: str = "USD") -> str:
    return format_usd(amount, currency) if math.isfinite(float(amount)) else "n/a"


def evppi_sentence(row, currency: str = "USD") -> str:
    """One EVPPI row in words: worth nothing (below :data:`~ftrag_mc.analysis.evppi.ZERO_USD`),
    next to nothing (within the noise floor's 95th percentile), or worth up to the estimate with its
    interval.

    Parameters
    ----------
    row
        A row of :func:`~ftrag_mc.analysis.evppi.compute_evppi` (``description``, ``evppi_usd``,
        ``evppi_low_usd``, ``evppi_high_usd``, ``noise_p95_usd``, ``horizon_months``).
    currency
        ISO code for the amounts.
    """
    subject = f"Knowing {row['description']} before deciding"
    evppi, h, noise_p95 = row["evppi_usd"], int(row["horizon_months"]), row["noise_p95_usd"]
    if evppi < ZERO_USD:
        return (f"{subject} is worth nothing over {h} months: whatever it turns out to be, the same "
                f"strategy stays best on average")
    if evppi <= noise_p95:
        return (f"{subject} is worth next to nothing over {h} months ({_money(evppi, currency)}, "
                f"within the estimator's noise: pure noise scores up to {_money(noise_p95, currency)})")
    return (f"{subject} is worth up to {_money(evppi, currency)} over {h} months "
            f"(95 % interval {_money(row['evppi_low_usd'], currency)}-{_money(row['evppi_high_usd'], currency)})")


def evppi_note(scenario: Scenario, members: Sequence[str]) -> str:
    """What an EVPPI of correlated ``members`` includes: what learning them reveals about their
    partners (:func:`~ftrag_mc.analysis.inputs.correlated_partners`); "" without partners."""
    partners = correlated_partners(scenario, members)
    if not partners:
        return ""
    said = join_and([f"{describe_input(scenario, p)} ({'paired eval, correlation' if is_paired(scenario, p) else 'rank correlation'}"
                     f" {rho:+.2f})" for p, rho in partners])
    return (f"correlated with {said}: this value includes what learning it reveals about "
            f"{'that input' if len(partners) == 1 else 'those inputs'}")


def add_evppi_words(evppi: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """:func:`~ftrag_mc.analysis.evppi.compute_evppi`'s frame with each row in words, as
    ``evppi.csv`` has it: ``sentence`` (:func:`evppi_sentence`) and ``note`` (:func:`evppi_note`)
    after ``evpi_usd``."""
    currency = scenario.meta.currency
    frame = evppi.copy()
    at = frame.columns.get_loc("evpi_usd") + 1
    frame.insert(at, "sentence", [evppi_sentence(row, currency) for _, row in evppi.iterrows()])
    frame.insert(at + 1, "note", [evppi_note(scenario, members) for members in evppi["members"]])
    return frame


def describe_voi(evpi_frame: pd.DataFrame, evppi_frame: pd.DataFrame | None = None, *, top: int = 3,
                 currency: str = "USD") -> list[str]:
    """Plain sentences for the terminal and the report: EVPI, then the inputs most worth learning.

    Parameters
    ----------
    evpi_frame
        From :func:`~ftrag_mc.analysis.evpi.compute_evpi`.
    evppi_frame
        From :func:`add_evppi_words` (the EVPPI rows with their ``sentence`` and ``note``), or None.
    top
        How many inputs to name.
    currency
        ISO code for the amounts (``scenario.meta.currency``).
    """
    optimal = evpi_frame[evpi_frame["is_optimal"]].iloc[0]
    h = int(optimal["horizon_months"])
    evpi, se = float(optimal["evpi_usd"]), float(optimal["evpi_se_usd"])
    lines = [
        f"Deciding now, {optimal['label']} is the best choice on average (cheapest in "
        f"{format_share(optimal['p_best'])} of futures, over {h} months).",
        f"Perfect information before deciding would be worth {_money(evpi, currency)} "
        f"(± {_money(se, currency)}): the expected regret of that choice against hindsight; in the "
        f"worst 5 % of futures the regret averages {_money(optimal['cvar95_regret_usd'], currency)}.",
    ]
    if evppi_frame is None or not len(evppi_frame) or top <= 0:
        return lines
    informative = evppi_frame[(evppi_frame["evppi_usd"] >= ZERO_USD)
                              & (evppi_frame["evppi_usd"] > evppi_frame["noise_p95_usd"])]
    shown = informative.head(top)
    for row in shown.itertuples():
        lines.append(f"{row.sentence}{'; ' + row.note if row.note else ''}.")
    rest = evppi_frame.drop(index=shown.index)
    if not len(rest):
        return lines
    what = "input or group" if len(rest) == 1 else "inputs and groups"
    if not (rest["members"].map(len) > 1).any():
        what = "input" if len(rest) == 1 else "inputs"
    if float(rest["evppi_usd"].max()) < ZERO_USD:
        lines.append(f"Learning any one of the {'other ' if len(shown) else ''}{len(rest)} {what} "
                     f"before deciding would not change the choice.")
    else:
        lines.append(f"Each of the {'other ' if len(shown) else ''}{len(rest)} {what} is worth at most "
                     f"{_money(float(rest['evppi_usd'].max()), currency)} to learn first (pure noise "
                     f"scores up to {_money(float(rest['noise_p95_usd'].max()), currency)}).")
    return lines
