"""The uncertain inputs as analyses name and group them: a row label in the schema's words, and
the partners ``[correlation]`` or a paired eval gives an input (named in the sensitivity tables'
``assumption_note``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

from ftrag_mc.distributions.evidence import joint_partner
from ftrag_mc.schema import Quantity
from ftrag_mc.scenario import Scenario, describe_input

__all__ = ["correlated_partners", "correlated_with", "input_label", "input_unit", "is_paired", "quantity_users"]


def input_label(scenario: Scenario, name: str) -> str:
    """An input's name in plain words, capitalised for a chart row or a list: ``strategies.ft.
    training.run_usd`` -> "Training run cost of <ft's label>" (the same words as the value-of-
    information sentences, :func:`ftrag_mc.scenario.describe_input`)."""
    words = describe_input(scenario, name)
    words = words[4:] if words.startswith("the ") else words
    return words[:1].upper() + words[1:]


def is_paired(scenario: Scenario, name: str) -> bool:
    """Whether ``name`` is one of a paired eval's two error rates (drawn jointly with the other)."""
    return getattr(scenario.inputs.get(name), "joint", None) is not None


def input_unit(scenario: Scenario, name: str) -> str:
    """An input's unit, as the schema declares it for its key (``"USD"``, ``"fraction"``,
    ``"tokens"``...): a key's own, or for a shared input (``inputs.x``) that of the first key that
    names it; "" when none says.

    >>> input_unit(scenario, "inputs.misroute_usd")  # doctest: +SKIP
    'USD'   # quality.cost_per_error_usd = "misroute_usd"
    """
    roots = [scenario.meta, scenario.volume, scenario.team, *scenario.strategies.values()]
    for root in (r for r in roots if r is not None):
        for quantity, unit in _quantities(root):
            if quantity.name == name and unit:
                return unit
    return ""


def quantity_users(scenario: Scenario, name: str) -> list[str]:
    """The strategies (scenario order) one of whose keys names the input ``name`` (a shared input)."""
    return [s for s, strategy in scenario.strategies.items()
            if any(quantity.name == name for quantity, _unit in _quantities(strategy))]


def _quantities(record: Any) -> Iterator[tuple[Quantity, str]]:
    """Every input of a scenario record (its sections too) with its field's unit."""
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, Quantity):
            yield value, str(f.metadata.get("unit", ""))
        elif is_dataclass(value) and not isinstance(value, type):
            yield from _quantities(value)


def correlated_partners(scenario: Scenario, members: Sequence[str]) -> list[tuple[str, float]]:
    """The inputs ``[correlation]`` correlates with any of ``members`` (outside them), each once,
    and the other rate of a paired eval a member comes from (with their Pearson correlation under
    the eval's posterior, :attr:`~ftrag_mc.distributions.PairedEval.correlation`).

    Parameters
    ----------
    scenario
        The scenario.
    members
        Input names (keys of ``scenario.inputs``): one input, or a group learnt together.

    Returns
    -------
    list of (input name, target rank correlation)
        In the order of the correlation matrix, member by member, then paired partners; empty
        without either.
    """
    partners: dict[str, float] = {}
    for m in members:
        paired = joint_partner(scenario.inputs, m)
        if paired is not None and paired[0] not in members:
            partners[paired[0]] = paired[1]
    corr = scenario.correlation
    if corr is None:
        return list(partners.items())
    for m in members:
        if m not in corr.names:
            continue
        i = corr.names.index(m)
        for j, other in enumerate(corr.names):
            rho = float(corr.matrix[i, j])
            if other not in members and rho != 0 and other not in partners:
                partners[other] = rho
    return list(partners.items())


def correlated_with(scenario: Scenario, partners: Sequence[tuple[str, float]]) -> str:
    """Partners as a table cell names them: ``"Tuned error rate (rank ρ = +0.60), ..."``; a paired
    eval's other rate ``"(paired eval, ρ = +0.25)"``."""
    return ", ".join(f"{input_label(scenario, p)} ({'paired eval, ρ' if is_paired(scenario, p) else 'rank ρ'} "
                     f"= {rho:+.2f})" for p, rho in partners)
