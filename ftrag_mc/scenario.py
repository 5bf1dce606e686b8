"""The scenario: what a user writes in a TOML file, parsed into frozen, validated records.

:func:`parse_scenario` is pure (a table in, a :class:`Scenario` out); :func:`load_scenario` is the one
place that reads a file. Every error is a :class:`~ftrag_mc.errors.ScenarioError` naming the file and
the key path. A scenario is data: it is parsed, never evaluated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ftrag_mc.distributions import Distribution
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import (
    MAX_CORPUS_TOKENS, MAX_GROWTH_FACTOR, MAX_HORIZON_MONTHS, MAX_SAMPLES, MAX_SEED, MAX_GROWTH_FACTOR_WITH_CEILING, MAX_QUERIES_PER_MONTH,
    MAX_TOKENS_PER_QUERY, MAX_USD, MAX_USD_PER_MTOK, MAX_WEEKS, STEP_LIMIT,
)
from ftrag_mc.model.staged import check_staged_links, staged_notes
from ftrag_mc.model.strategy import EndOfLife, Strategy, components_needing_team
from ftrag_mc.overrides import Override, annotate_error, apply_overrides, format_override, override_digest, parse_overrides
from ftrag_mc.sampling import SAMPLERS, RankCorrelation, parse_rank_correlation
from ftrag_mc.schema import (
    Quantity, Registry, check_table, describe_record, did_you_mean, drawable_range, field_words, integer, integers,
    number, number_matrix, parse_quantity, parse_record, quantity, section_record, text, texts,
)

DEFAULT_SEED = 2026


# A report folder is OUT/<name>: names are limited well below the 255 bytes file systems allow, so
# the writer's hidden staging folder (the name plus a suffix of about 40 bytes) fits too.
MAX_NAME_BYTES = 120


# --- scenario-level sections ----------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Meta:
    name: str | None = text("short name for report folders; default: the file name", default=None)
    title: str | None = text("human title for charts", default=None)
    description: str | None = text("what the scenario models", default=None)
    sources: tuple[str, ...] = texts("where the figures come from", default=())
    currency: str = text("currency of every amount", default="USD")
    horizon_months: int = integer("months simulated", unit="months", default=36, lo=1, hi=MAX_HORIZON_MONTHS, words="horizon")
    analysis_horizons_months: tuple[int, ...] | None = integers("horizons for P(win) curves; default 12/24/36 up to the horizon", unit="months", default=None, hi=MAX_HORIZON_MONTHS)
    discount_rate_per_year: Quantity = quantity("annual discount rate (finance: 0.08-0.12)", unit="fraction", default=0, lo=-0.5, hi=1, words="discount rate")
    baseline: str = text("the strategy every other is compared with")

    def validate(self, path: str, registry: Registry) -> None:
        if self.name is not None:
            problem = name_problem(self.name)
            if problem:
                raise ScenarioError(problem, path=f"{path}.name")


# The name becomes a report folder: it must not climb out of --out (no '/', no '..'), hide (no
# leading '.'), break a one-line message (no control characters) or exceed the file system's name
# length. Letters of any script are fine.
_NAME = re.compile(r"[^\W_][\w.-]*")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a report folder, or None if it can."""
    shown = name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
    if not name:
        return "the report name is empty"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return (f"the report name is {len(name.encode('utf-8'))} bytes long (UTF-8); "
                f"the limit is {MAX_NAME_BYTES}")
    if not _NAME.fullmatch(name) or ".." in name:
        return (f"'{shown}' is not a usable report name: use letters, digits, '.', '_' and '-' "
                "(no '..'), starting with a letter or digit")
    return None


def report_name_from_file(stem: str) -> str:
    """The default report name: the file stem, made safe where it must be.

    A stem is kept as it is (spaces and any script included) unless it holds characters a
    folder name must not: each run of control characters (a newline, NUL) becomes one '-',
    leading dots are dropped (a hidden folder), so are dashes and spaces at either end, and a stem over :data:`MAX_NAME_BYTES` bytes is cut
    there. A stem left empty is an error asking for ``[scenario] name``.
    """
    name = re.sub(r"[^\S ]+|[\x00-\x1f\x7f-\x9f]+", "-", stem)  # whitespace but spaces, controls
    name = "".join(c if c.isprintable() else "-" for c in name).lstrip(". ")
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    name = name.strip("- ")
    if not name or name.strip(".") == "" or "/" in name:
        raise ScenarioError(f"the file name '{stem.encode('unicode_escape').decode('ascii')}' gives no usable "
                            "report name; set [scenario] name = \"...\" (letters, digits, '.', '_', '-')",
                            path="scenario.name")
    return name


@dataclass(frozen=True, kw_only=True)
class Volume:
    queries_per_month: float = number("your volume at t = 1", unit="queries/month", lo=0, hi=MAX_QUERIES_PER_MONTH, positive=True, words="start volume")
    growth_per_month: Quantity = quantity("monthly growth of volume", unit="fraction", default=0, lo=-0.5, hi=2, words="monthly volume growth")
    volatility_per_month: Quantity = quantity("month-to-month noise of volume: month t's volume is multiplied by exp(σ W_t - σ² t / 2), W_t a random walk of standard normal steps (its mean stays Q0 (1 + g)^(t - 1)); 0 = a smooth path", unit="fraction", default=0, hi=0.5, words="monthly volume volatility")
    ceiling_queries_per_month: float | None = number("cap on monthly volume", unit="queries/month", default=None, lo=0, hi=MAX_QUERIES_PER_MONTH, positive=True, words="volume ceiling")
    sweep_min: float = number("lowest start volume of the P(win) sweep", unit="queries/month", default=1e3, lo=1, hi=MAX_QUERIES_PER_MONTH)
    sweep_max: float = number("highest start volume of the sweep", unit="queries/month", default=1e7, lo=1, hi=MAX_QUERIES_PER_MONTH)
    sweep_points: int = integer("log-spaced volumes in the sweep", default=41, lo=2, hi=1000)

    def validate(self, path: str, registry: Registry) -> None:
        if self.sweep_min >= self.sweep_max:
            raise ScenarioError(f"sweep_min ({self.sweep_min:g}) must be below sweep_max ({self.sweep_max:g})", path=f"{path}.sweep_min")

    @property
    def noisy(self) -> bool:  # month-to-month noise: a volatility that is not the constant 0
        return not (self.volatility_per_month.is_constant and self.volatility_per_month.distribution.median == 0)


@dataclass(frozen=True, kw_only=True)
class Team:
    engineer_week_usd: Quantity = quantity("loaded cost of an engineer-week (MODEL.md §7: ~$4.1-4.7k)", unit="USD/week", hi=MAX_USD, words="loaded cost of an engineer-week")
    hours_per_week: float = number("hours in an engineer-week", unit="hours", default=40, lo=1, hi=168, words="hours in an engineer-week")
    curation_usd_per_hour: Quantity | None = quantity("hourly rate for curation; default: engineer_week_usd / hours_per_week", unit="USD/hour", default=None, hi=MAX_USD, words="hourly curation rate")


@dataclass(frozen=True, kw_only=True)
class Simulation:
    samples: int = integer("Monte Carlo samples", default=20_000, lo=2, hi=MAX_SAMPLES)
    seed: int = integer("seed: the same seed reproduces the run bit for bit", default=DEFAULT_SEED, lo=0, hi=MAX_SEED)
    sampler: str = text("sampling scheme", default="lhs", choices=SAMPLERS)


@dataclass(frozen=True, kw_only=True)
class Correlation:
    inputs: tuple[str, ...] = texts("names of shared inputs (from [inputs] or team.engineer_week_usd)")
    matrix: tuple[tuple[float, ...], ...] = number_matrix("Spearman rank correlations, one row per input")


# --- the scenario ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``inputs`` maps every input name to its distribution."""

    name: str
    meta: Meta
    volume: Volume
    team: Team | None
    simulation: Simulation
    strategies: dict[str, Strategy]
    inputs: dict[str, Distribution]
    correlation: RankCorrelation | None
    source_hash: str
    analysis_horizons: tuple[int, ...]  # sorted, each <= the horizon; defaults filled in
    file: str | None = None
    overrides: tuple[str, ...] = ()  # the --set KEY=VALUE texts applied to the file, in order
    catalog: tuple[Any, ...] = ()  # ftrag_mc.catalog.CatalogUse: price keys the catalog filled, and from what

    @property
    def title(self) -> str:
        return self.meta.title or self.name

    @property
    def baseline(self) -> str:
        return self.meta.baseline

    @property
    def horizon_months(self) -> int:
        return self.meta.horizon_months

    @property
    def challengers(self) -> tuple[str, ...]:
        return tuple(s for s in self.strategies if s != self.baseline)

    def label(self, strategy: str) -> str:
        return self.strategies[strategy].label or strategy

    @property
    def uncertain_inputs(self) -> dict[str, Distribution]:
        return {k: d for k, d in self.inputs.items() if not d.is_constant}


#: The scenario's sections whose keys an input path can name (``volume.growth_per_month``).
_SECTIONS_BY_NAME = {"scenario": Meta, "volume": Volume, "team": Team}
_UNIT_WORDS = {"usd": "cost", "mtok": "million tokens", "pp": "percentage points"}


def _key_words(name: str) -> str:
    """``few_shot_error_rate -> "few shot error rate"``, ``misroute_usd -> "misroute cost"``."""
    return " ".join(_UNIT_WORDS.get(w, w) for w in name.split("_") if w)


def describe_input(scenario: Scenario, name: str) -> str:
    """An input's name in plain words, for a sentence or a label ("Knowing ... before deciding").

    The words are the schema's own (each key's ``words``), so a new key or component names its
    inputs where it is declared: ``strategies.fine_tuned.training.run_usd`` -> "the training run
    cost of Fine-tuned Haiku" (the scenario's label), ``inputs.few_shot_error_rate`` -> "the few
    shot error rate", ``team.engineer_week_usd`` -> "the loaded cost of an engineer-week".
    """
    parts = name.split(".")
    if len(parts) == 2 and parts[0] in _SECTIONS_BY_NAME:
        words = field_words(_SECTIONS_BY_NAME[parts[0]], parts[1])
        if words:
            return f"the {words}"
    if parts[0] == "inputs" and len(parts) == 2:
        return f"the {_key_words(parts[1])}"
    if parts[0] == "strategies" and len(parts) in (3, 4) and parts[1] in scenario.strategies:
        record, key = Strategy, parts[2]
        if len(parts) == 4:
            record, key = section_record(Strategy, parts[2]), parts[3]
        words = field_words(record, key) if record is not None else None
        if words is None:
            words = " ".join(w for w in (_key_words(parts[2]) if len(parts) == 4 else "", _key_words(key)) if w)
        return f"the {words} of {scenario.label(parts[1])}"
    return f"the {_key_words(parts[-1])}"


_TOP_LEVEL = {
    "scenario": "horizon, discounting, baseline, title",
    "volume": "start volume, growth, ceiling, sweep",
    "team": "loaded engineer cost",
    "simulation": "samples, seed, sampler",
    "inputs": "shared inputs, named once and used by several strategies",
    "correlation": "rank correlations between shared inputs",
    "strategies": "the strategies, one table each",
}


def parse_scenario(table: Mapping[str, Any], *, name: str = "scenario", file: str | None = None,
                   source_hash: str | None = None) -> Scenario:
    """Validate a parsed TOML table and build a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming the file (when given), the key path and what is wrong.
    """
    try:
        return _parse(table, name=name, file=file, source_hash=source_hash)
    except ScenarioError as error:
        raise error.with_file(file) if file else error


def _parse(table: Mapping[str, Any], *, name: str, file: str | None, source_hash: str | None) -> Scenario:
    table = check_table(dict(table), "", "a table")
    for key in table:
        if key not in _TOP_LEVEL:
            raise ScenarioError(f"unknown section [{key}]{did_you_mean(key, _TOP_LEVEL)} "
                                f"(expected: {', '.join(_TOP_LEVEL)})", path=key)
    for required in ("scenario", "volume", "strategies"):
        if required not in table:
            raise ScenarioError(f"missing section [{required}] ({_TOP_LEVEL[required]})")

    registry = Registry()
    for input_name, value in check_table(table.get("inputs", {}), "inputs").items():
        path = f"inputs.{input_name}"
        any_value = {"kind": "quantity", "lo": -math.inf, "hi": math.inf, "positive": False}
        if isinstance(value, str):
            raise ScenarioError("a shared input must be a number or a distribution table, not a reference", path=path)
        registry.shared[input_name] = parse_quantity(value, path, any_value, registry)

    team = parse_record(Team, table["team"], "team", registry) if "team" in table else None
    if team is not None:
        registry.shared.setdefault("team.engineer_week_usd", team.engineer_week_usd)
    meta = parse_record(Meta, table["scenario"], "scenario", registry)
    volume = parse_record(Volume, table["volume"], "volume", registry)
    _check_growth(volume, meta.horizon_months)
    if meta.name is None:
        name = report_name_from_file(name)
    simulation = parse_record(Simulation, table.get("simulation", {}), "simulation", registry)

    strategy_tables = check_table(table["strategies"], "strategies")
    if len(strategy_tables) < 2:
        raise ScenarioError("define at least two strategies (a baseline and a challenger)", path="strategies")
    strategies = {}
    catalog_uses: list[Any] = []
    for key, strategy_table in strategy_tables.items():
        if not key.strip() or not key.isprintable():
            shown = key.encode("unicode_escape").decode("ascii")
            raise ScenarioError("a strategy key must be a non-empty name without control characters "
                                f"(got \"{shown}\")", path=f'strategies."{shown}"')
        strategy_table, uses = _resolve_models(strategy_table, f"strategies.{key}")
        catalog_uses.extend(uses)
        strategies[key] = parse_record(Strategy, strategy_table, f"strategies.{key}", registry)

    _check_references(meta, strategies, team)

    correlation = None
    if "correlation" in table:
        spec = parse_record(Correlation, table["correlation"], "correlation", registry)
        correlation = _parse_correlation(spec, registry)

    if source_hash is None:
        source_hash = hashlib.sha256(json.dumps(table, sort_keys=True, default=str).encode()).hexdigest()
    if catalog_uses:
        # The file names a model, the catalog supplies the price: a new catalog price is a new scenario.
        from ftrag_mc.catalog import catalog_digest
        source_hash = hashlib.sha256(source_hash.encode() + b"\0catalog\0" + catalog_digest(catalog_uses)).hexdigest()
    return Scenario(name=meta.name or name, meta=meta, volume=volume, team=team, simulation=simulation,
                    strategies=strategies, inputs=dict(registry.inputs), correlation=correlation,
                    source_hash=source_hash, analysis_horizons=_analysis_horizons(meta), file=file,
                    catalog=tuple(catalog_uses))



_CATALOG_KEYS = frozenset({"model", "gpu", "tuned"})


def _resolve_models(table: Any, path: str) -> tuple[Any, tuple[Any, ...]]:
    """Fill price keys from the price catalog where a component names a model (the catalog loads only then)."""
    if not isinstance(table, dict) or not any(isinstance(v, dict) and _CATALOG_KEYS & v.keys() for v in table.values()):
        return table, ()
    from ftrag_mc.catalog import resolve_strategy

    return resolve_strategy(table, path)


def _check_growth(volume: Volume, horizon_months: int) -> None:
    """Volume grows by (1 + g)^(H - 1) over the horizon; at the largest g drawable it must stay
    below :data:`MAX_GROWTH_FACTOR` (see the magnitude limits)."""
    g_high = drawable_range(volume.growth_per_month.distribution)[1]
    capped = volume.ceiling_queries_per_month is not None
    limit = MAX_GROWTH_FACTOR_WITH_CEILING if capped else MAX_GROWTH_FACTOR
    log_factor = (horizon_months - 1) * math.log1p(g_high)
    if log_factor > math.log(limit):
        hint = "narrow it or shorten the horizon" if capped else "give ceiling_queries_per_month, narrow it or shorten the horizon"
        raise ScenarioError(
            f"growth of up to {g_high:.4g} a month compounds to {math.exp(min(log_factor, 700)):.3g}x over "
            f"{horizon_months} months, above the {_power_text(limit)}x limit; {hint}", path="volume.growth_per_month")
    # Noise multiplies month t by at most exp(σ STEP_LIMIT sqrt(t)) (the walk is kept that close to 0).
    log_factor += drawable_range(volume.volatility_per_month.distribution)[1] * STEP_LIMIT * math.sqrt(horizon_months)
    if log_factor > math.log(limit):
        raise ScenarioError(f"growth and noise can multiply volume by {math.exp(min(log_factor, 700)):.3g}x over the "
                            f"horizon, above the {_power_text(limit)}x limit; narrow them", path="volume.volatility_per_month")


def _power_text(value: float) -> str:
    return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


def _analysis_horizons(meta: Meta) -> tuple[int, ...]:
    horizon = meta.horizon_months
    if meta.analysis_horizons_months is None:
        return tuple(sorted({h for h in (12, 24, 36) if h < horizon} | {horizon}))
    for i, h in enumerate(meta.analysis_horizons_months):
        if h > horizon:
            raise ScenarioError(f"{h} months is beyond horizon_months ({horizon})", path=f"scenario.analysis_horizons_months[{i}]")
    return tuple(sorted(set(meta.analysis_horizons_months)))


def _check_references(meta: Meta, strategies: dict[str, Strategy], team: Team | None) -> None:
    if meta.baseline not in strategies:
        raise ScenarioError(f"'{meta.baseline}' is not a strategy (strategies: {', '.join(strategies)})", path="scenario.baseline")
    for key, strategy in strategies.items():
        path = f"strategies.{key}"
        if strategy.interim is not None:
            _check_link(strategy.interim, key, strategies, f"{path}.interim", "interim",
                        chained=strategies.get(strategy.interim, strategy).interim is not None)
        if strategy.end_of_life is not None:
            successor = strategy.end_of_life.successor
            _check_link(successor, key, strategies, f"{path}.end_of_life.successor", "successor",
                        chained=strategies.get(successor, strategy).end_of_life is not None)
        needing = components_needing_team(strategy)
        if needing and team is None:
            raise ScenarioError("engineering time is priced by [team] engineer_week_usd; add a [team] section",
                                path=f"{path}.{needing[0]}")
    check_staged_links(strategies)


def _check_link(target: str, key: str, strategies: dict[str, Strategy], path: str, role: str, *, chained: bool) -> None:
    """An interim or a successor must be another strategy, and not one that links on again."""
    if target not in strategies or target == key:
        raise ScenarioError(f"{role} '{target}' must be another strategy (strategies: {', '.join(strategies)})", path=path)
    if chained:
        kind = "an interim" if role == "interim" else "an end_of_life"
        raise ScenarioError(f"{role} '{target}' has {kind} of its own; chains are not supported", path=path)


def _parse_correlation(spec: Correlation, registry: Registry) -> RankCorrelation:
    names = []
    for i, input_name in enumerate(spec.inputs):
        name = input_name.removeprefix("inputs.")
        if name not in registry.shared:
            raise ScenarioError(f"'{input_name}' is not a shared input (known: {', '.join(registry.shared)})",
                                path=f"correlation.inputs[{i}]")
        quantity_ = registry.shared[name]
        if quantity_.is_constant:
            raise ScenarioError(f"'{input_name}' is a constant; only uncertain inputs can be correlated",
                                path=f"correlation.inputs[{i}]")
        names.append(quantity_.name)
    return parse_rank_correlation(names, [list(row) for row in spec.matrix], "correlation.matrix",
                                  names_path="correlation.inputs")


#: A scenario is a page of TOML; the largest shipped one is ~7 KB. Larger files are refused before
#: they are read (at most this many bytes plus one are ever read).
MAX_FILE_BYTES = 2**20
#: Tables and arrays nested deeper than this are refused: a scenario nests four levels (strategies,
#: a strategy, a component, a distribution), and deep nesting exhausts Python's recursion.
MAX_NESTING = 16


def read_scenario_table(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read a scenario file: its TOML table and its bytes (for the hash), not yet validated.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read: a folder, a device
    (/dev/zero), a FIFO or a socket is refused without blocking (it is opened non-blocking and
    checked before any read), and TOML nested deeper than :data:`MAX_NESTING` is refused.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not a regular file, is too large, or is not valid UTF-8 TOML.
    """
    path = Path(path)
    raw = _read_limited(path)
    return decode_scenario_bytes(raw, str(path)), raw


def decode_scenario_bytes(raw: bytes, file: str) -> dict[str, Any]:
    """The TOML table in ``raw`` (a file's bytes, or stdin's), not yet validated.

    Raises
    ------
    ScenarioError
        If ``raw`` is larger than :data:`MAX_FILE_BYTES`, not valid UTF-8 TOML, or nested too deep;
        the message names ``file``.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for a scenario file", file=file)
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=file) from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"invalid TOML: {error}", file=file) from None
    except RecursionError:
        raise ScenarioError(f"invalid scenario: tables or arrays nested deeper than {MAX_NESTING} levels",
                            file=file) from None
    except ValueError as error:  # an integer of more digits than Python converts (4,300)
        raise ScenarioError(f"invalid TOML: {str(error).split(';')[0]}", file=file) from None
    where = _too_deep(table, MAX_NESTING)
    if where is not None:
        raise ScenarioError(f"tables or arrays nested deeper than {MAX_NESTING} levels", path=where or None,
                            file=file)
    return table


def _read_limited(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; never blocks on a FIFO or a device."""
    def refuse(message: str) -> ScenarioError:
        return ScenarioError(message, file=str(path))

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        raise refuse("is a folder, not a scenario file") from None
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a folder, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a device, a FIFO or a socket); give a .toml file")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(f"is {info.st_size:,} bytes; a scenario file may hold at most {MAX_FILE_BYTES:,} (1 MiB)")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            raw = f.read(MAX_FILE_BYTES + 1)  # the size can change between fstat and read
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(f"is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for a scenario file")
    return raw


def _too_deep(value: Any, limit: int) -> str | None:
    """The key path of the first table or array nested deeper than ``limit``, or None (iterative)."""
    stack = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            children = ((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            children = ((f"{path}[{i}]", v) for i, v in enumerate(item))
        else:
            continue
        if depth >= limit:
            return path
        stack.extend((child, child_path, depth + 1) for child_path, child in children)
    return None


def load_scenario(path: str | Path, overrides: Iterable[str | Override] = ()) -> Scenario:
    """Read and validate a scenario file, with what-if overrides applied before validation.

    Parameters
    ----------
    path
        The TOML file.
    overrides
        ``KEY=VALUE`` texts (``--set``), e.g. ``strategies.ft.training.run_usd=8000``, applied in
        order; see :mod:`ftrag_mc.overrides`. Each is validated like the file, and an error about
        one says ``(from --set)``. ``source_hash`` covers the file's bytes and the overrides, and
        ``Scenario.overrides`` keeps the texts.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid TOML, an override is malformed, or validation fails.
    """
    table, raw = read_scenario_table(path)
    return parse_scenario_with_overrides(table, overrides, name=Path(path).stem, file=str(path), source_bytes=raw)


def load_scenario_bytes(raw: bytes, overrides: Iterable[str | Override] = (), *, file: str = "<stdin>",
                        name: str = "stdin") -> Scenario:
    """:func:`load_scenario` of bytes read elsewhere (``validate -`` reads stdin); errors name ``file``."""
    return parse_scenario_with_overrides(decode_scenario_bytes(raw, file), overrides, name=name, file=file,
                                         source_bytes=raw)


def parse_scenario_with_overrides(table: Mapping[str, Any], overrides: Iterable[str | Override] = (), *,
                                  name: str = "scenario", file: str | None = None,
                                  source_bytes: bytes | None = None) -> Scenario:
    """:func:`parse_scenario` of ``table`` with ``overrides`` set first (``table`` is not changed).

    ``source_bytes`` are what the scenario was read from (the file's bytes); without them the
    table's canonical JSON stands in. With no overrides the result equals ``parse_scenario``'s.
    """
    overrides = list(overrides)
    if source_bytes is None:
        source_bytes = json.dumps(table, sort_keys=True, default=str).encode()
    if not overrides:
        return parse_scenario(table, name=name, file=file, source_hash=hashlib.sha256(source_bytes).hexdigest())
    try:
        parsed = parse_overrides(overrides)
        changed = apply_overrides(table, parsed)
    except ScenarioError as error:
        raise (error.with_file(file) if file else error) from None
    source_hash = hashlib.sha256(source_bytes + b"\0overrides\0" + override_digest(parsed)).hexdigest()
    try:
        scenario = parse_scenario(changed, name=name, file=file, source_hash=source_hash)
    except ScenarioError as error:
        raise annotate_error(error, overrides, table) from None
    return dataclasses.replace(scenario, overrides=tuple(format_override(o) for o in overrides))


def describe_format() -> str:
    """The scenario file reference, in Markdown, generated from the schema and the distribution registry."""
    from ftrag_mc.catalog import catalog_reference
    from ftrag_mc.distributions import FAMILIES
    from ftrag_mc.model.costs import model_notes

    lines = ["#### Distributions", "",
             "Any quantity may be a distribution: an inline table whose `dist` names the family. Continuous",
             "families also take `truncate = [low, high]`.", "",
             "| `dist` | parameters |", "| --- | --- |"]
    lines += [f"| `{name}` | {family.params_doc.replace(' | ', ' *or* ')} |" for name, family in FAMILIES.items()]
    lines += ["", "A quantity is a number, a distribution table, or the name of a shared input in `[inputs]`",
              "(written `\"name\"` or `\"inputs.name\"`). `[inputs]` holds `name = number or distribution` lines.", ""]
    for cls, header in ((Meta, "[scenario]"), (Volume, "[volume]"), (Team, "[team]"), (Simulation, "[simulation]"),
                        (Correlation, "[correlation]"), (Strategy, "[strategies.<name>]")):
        lines.extend(describe_record(cls, header))
    lines.extend(model_notes() + staged_notes())
    lines.extend(_limits_notes())
    lines += ["", *catalog_reference()]
    return "\n".join(lines)


def _limits_notes() -> list[str]:
    """The limits of every key and of the file, from the constants the parser checks."""
    return [
        "#### Limits",
        "",
        "Every bounded key above states its range; a distribution must keep the values the sampler can draw",
        "(u between 2^-53 and 1 - 2^-53, so a lognormal's tail counts) inside it. The magnitude limits keep every",
        "cost the model forms finite with a wide margin (the largest product of inputs is about 3e40 USD a month,",
        f"against float64's 1.8e308): volumes up to {_power_text(MAX_QUERIES_PER_MONTH)} queries/month, tokens per query up to",
        f"{_power_text(MAX_TOKENS_PER_QUERY)}, corpus and training tokens up to {_power_text(MAX_CORPUS_TOKENS)}, prices up to",
        f"{_power_text(MAX_USD_PER_MTOK)} USD per million tokens, amounts up to {_power_text(MAX_USD)} USD, weeks up to {_power_text(MAX_WEEKS)}.",
        f"Volume growth over the horizon, (1 + g)^(H - 1) at the largest g drawable, is at most {_power_text(MAX_GROWTH_FACTOR)}x",
        f"({_power_text(MAX_GROWTH_FACTOR_WITH_CEILING)}x with `ceiling_queries_per_month`). A scenario file is a regular file",
        f"of at most {MAX_FILE_BYTES:,} bytes (1 MiB) with tables nested at most {MAX_NESTING} deep. The report folder",
        f"is `OUT/<name>`: `[scenario] name` (letters of any script, digits, `.`, `_`, `-`; no `..`; at most",
        f"{MAX_NAME_BYTES} bytes in UTF-8), or by default the file name without `.toml`, kept as it is except that",
        "control characters (a newline, NUL) become `-`, leading dots are dropped and it is cut at the byte limit.",
        "A strategy key must be non-empty, without control characters; its `label` may be any text.",
    ]
