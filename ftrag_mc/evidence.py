"""The scenario's ``[evidence.<name>]`` tables: a paired eval of two candidates, as two shared inputs.

A paired eval scores candidates A and B on the same items and counts the four outcomes. The table
names the two error rates it defines; strategies then use those names like any ``[inputs]`` name::

    [evidence.dsl_eval]
    error_rates = ["prompted_error_rate", "tuned_error_rate"]   # A's, then B's
    both_right = 138
    only_a_right = 4
    only_b_right = 48
    both_wrong = 10

    [strategies.tuned]
    quality = { error_rate = "tuned_error_rate", cost_per_error_usd = 12 }

The model (a Dirichlet posterior over the cells, each rate's exact Beta marginal, the joint draw) is
:mod:`ftrag_mc.distributions.evidence`'s. A rate from one candidate's counts alone needs no table:
``{ dist = "observed", events = 14, trials = 200 }`` anywhere a quantity goes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ftrag_mc.distributions.evidence import DEFAULT_CELL_PRIOR, MAX_COUNT, PairedEval
from ftrag_mc.errors import ScenarioError
from ftrag_mc.schema import Registry, check_table, describe_record, integer, number, parse_record, texts

__all__ = ["PairedEvalTable", "evidence_reference", "parse_evidence"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, kw_only=True)
class PairedEvalTable:
    error_rates: tuple[str, ...] = texts(
        "the two shared inputs it defines: candidate A's error rate, then B's; strategies name them like "
        "[inputs] names, e.g. quality.error_rate = \"tuned_error_rate\"")
    both_right: int = integer("items both candidates got right", unit="items", lo=0, hi=MAX_COUNT)
    only_a_right: int = integer("items A got right and B wrong", unit="items", lo=0, hi=MAX_COUNT)
    only_b_right: int = integer("items B got right and A wrong", unit="items", lo=0, hi=MAX_COUNT)
    both_wrong: int = integer("items both candidates got wrong", unit="items", lo=0, hi=MAX_COUNT)
    prior_per_cell: float = number(
        "Dirichlet prior added to each of the four counts; 0.5 makes each error rate's own prior uniform, "
        "Beta(1, 1), as observed's default", default=DEFAULT_CELL_PRIOR, lo=0, hi=MAX_COUNT)


def parse_evidence(scenario: Mapping[str, Any], registry: Registry) -> None:
    """Register each paired eval of a scenario's table as two shared inputs (``inputs.<name>``).

    Raises
    ------
    ScenarioError
        Naming the key: an unknown or missing key, a count that is not a whole number in
        [0, 1e9], no items, an improper posterior, error_rates that are not two new, distinct
        names (letters, digits and ``_``), or one of them named in ``[correlation]``.
    """
    named: dict[str, str] = {}
    for key, body in check_table(scenario.get("evidence", {}), "evidence").items():
        path = f"evidence.{key}"
        record = parse_record(PairedEvalTable, body, path, registry)
        names = _rate_names(record.error_rates, f"{path}.error_rates", registry)
        counts = (record.both_right, record.only_a_right, record.only_b_right, record.both_wrong)
        try:
            joint = PairedEval(path, tuple(f"inputs.{n}" for n in names), counts, record.prior_per_cell)
        except ScenarioError as error:
            raise ScenarioError(error.message, path=f"{path}.{error.path}") from None
        for name, rate in zip(names, joint.rates()):
            registry.shared[name] = registry.add(f"inputs.{name}", rate)
            named[name] = path
    _refuse_correlated(scenario.get("correlation"), named)


def _rate_names(names: tuple[str, ...], path: str, registry: Registry) -> tuple[str, str]:
    if len(names) != 2:
        raise ScenarioError(f"give two names, candidate A's error rate then B's (got {len(names)})", path=path)
    for i, name in enumerate(names):
        if not _NAME.fullmatch(name):
            raise ScenarioError(f"'{name}' is not a usable input name: use letters, digits and _", path=f"{path}[{i}]")
        if name in registry.shared:
            raise ScenarioError(f"'{name}' is already a shared input; give each error rate a new name",
                                path=f"{path}[{i}]")
    if names[0] == names[1]:
        raise ScenarioError(f"the two error rates need two names (got '{names[0]}' twice)", path=f"{path}[1]")
    return names[0], names[1]


def _refuse_correlated(correlation: Any, named: Mapping[str, str]) -> None:
    """A paired eval's rate named in ``[correlation]`` is an error: the eval fixes its joint draw.
    (A malformed ``[correlation]`` is left to its own parser.)"""
    names = correlation.get("inputs") if isinstance(correlation, dict) else None
    for i, name in enumerate(names if isinstance(names, list) else []):
        eval_path = named.get(name.removeprefix("inputs.")) if isinstance(name, str) else None
        if eval_path is not None:
            raise ScenarioError(f"'{name}' comes from [{eval_path}], which fixes its joint draw with the other "
                                "candidate's rate; inputs from a paired eval cannot be correlated",
                                path=f"correlation.inputs[{i}]")


def evidence_reference() -> list[str]:
    """The reference's words on evidence (``observed`` counts, the paired eval's model) and the
    ``[evidence.<name>]`` table's keys."""
    return [*evidence_notes(), *describe_record(PairedEvalTable, "[evidence.<name>]")]


def evidence_notes() -> list[str]:
    """The reference's words on evidence: ``observed`` counts and the paired eval's model."""
    return [
        "#### Inputs from evidence",
        "",
        "- **A rate from counts**: `{ dist = \"observed\", events = 14, trials = 200 }` (14 errors in 200 items) is",
        "  the posterior Beta(prior[0] + events, prior[1] + trials - events) of a Beta prior (`prior = [1, 1]`,",
        "  uniform, by default; Jeffreys' `[0.5, 0.5]` also fits). Counts are whole numbers, events at most trials,",
        "  at least one trial; a prior of 0 that leaves a shape at 0 is refused (an improper posterior).",
        "- **A paired eval** (both candidates scored on the same items, the article's design): an `[evidence.<name>]`",
        "  table counts the four outcomes and defines two shared inputs, A's and B's error rates. The cells are",
        "  multinomial with a Dirichlet prior (`prior_per_cell`, default 0.5); A's error rate is only B right + both",
        "  wrong, B's is only A right + both wrong, each exactly a Beta (the Dirichlet's aggregation property), with",
        "  prior_per_cell = 0.5 the same Beta as `observed` gives for that candidate's counts. The two are drawn",
        "  jointly and exactly, by stick-breaking: A's rate from its own uniform, then the share of A's errors that B",
        "  shares and the share of A's right answers that B gets wrong, independent Betas by the Dirichlet's",
        "  neutrality; their correlation is the expected table's phi coefficient, so what learning one reveals about",
        "  the other, and the difference between them, are exact. They cannot be named in `[correlation]`. Score",
        "  each item once per candidate (several runs of an item, like the article's three: their majority).",
        "",
    ]
