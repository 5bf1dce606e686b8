"""Starting a scenario from a template (``ftrag-mc new``): pure text, no file system.

A template is a commented scenario in ``ftrag_mc/templates/`` with ``{{name}}`` placeholders. They
are filled by plain string substitution, never evaluated: each value is rendered here as a TOML
literal (a number, a quoted string, or a PERT table around a figure), and the result is parsed and
validated before anyone writes it. :data:`TEMPLATES` is the registry; a new template is a file
there and an entry here.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ftrag_mc.errors import ScenarioError, did_you_mean

if TYPE_CHECKING:  # the parser (and numpy, scipy) load only when a file is checked, not for --help
    from ftrag_mc.scenario import Scenario

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


@dataclass(frozen=True)
class Figure:
    """A template's key figure: its default, and the PERT spread drawn around the value given.

    ``spread = (low, high)`` multiplies the value into the PERT's min and max (placeholders
    ``{{name_low}}`` and ``{{name_high}}``); ``None`` means the value is written as a constant.
    """

    name: str
    default: float
    doc: str
    spread: tuple[float, float] | None = None
    hi: float = math.inf


@dataclass(frozen=True)
class Template:
    """A scenario template: the package file, a one-line description and its key figures."""

    name: str
    doc: str
    figures: tuple[Figure, ...]

    @property
    def figure_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.figures)

    def text(self) -> str:
        return resources.files("ftrag_mc.templates").joinpath(f"{self.name}.toml").read_text(encoding="utf-8")


_RUN = Figure("training_run_usd", 5000, "the training run, USD (article: $50-$10,000; $5,000 in its rough math)", (0.4, 2.0))
_CONTEXT = Figure("context_tokens", 2000, "retrieved tokens per RAG call (article: ~2,000)", (0.75, 1.5))

TEMPLATES: dict[str, Template] = {t.name: t for t in (
    Template("rag-vs-hosted", "RAG on a hosted model vs a provider-hosted fine-tune of the same class", (
        Figure("input_usd_per_mtok", 3, "base input price, USD per million tokens (MODEL.md §7: Sonnet 4.x $3)"),
        Figure("output_usd_per_mtok", 15, "base output price, USD per million tokens (Sonnet 4.x $15)"),
        _RUN, _CONTEXT)),
    Template("rag-vs-self-hosted", "RAG on a hosted model vs an open model tuned and served on rented GPUs", (
        Figure("input_usd_per_mtok", 3, "RAG model's input price, USD per million tokens (Sonnet 4.x $3)"),
        Figure("output_usd_per_mtok", 15, "RAG model's output price, USD per million tokens (Sonnet 4.x $15)"),
        Figure("gpu_usd_per_hour", 1.0, "GPU replica, USD/hour (MODEL.md §7: L40S $0.80-1.17 reserved)", (0.8, 1.5)),
        Figure("throughput_tokens_per_second", 3000, "tokens/s one replica serves (MODEL.md §7: ~3k for 7-14B on an A100)", (0.5, 1.3)),
        Figure("ops_usd_per_month", 2000, "operations, USD/month (article: $2k+/month)", (0.5, 2.0)),
        Figure("training_run_usd", 1400, "the training run, USD (article: $1,400 for a 32B model)", (0.5, 2.0)),
        _CONTEXT)),
    Template("hybrid", "RAG on a frontier model vs a tuned small model + RAG escalating hard queries", (
        Figure("frontier_input_usd_per_mtok", 3, "frontier input price, USD per million tokens (Sonnet 4.x $3)"),
        Figure("frontier_output_usd_per_mtok", 15, "frontier output price (Sonnet 4.x $15)"),
        Figure("small_input_usd_per_mtok", 1, "tuned small model's base input price (Haiku 4.5 $1)"),
        Figure("small_output_usd_per_mtok", 5, "tuned small model's base output price (Haiku 4.5 $5)"),
        Figure("escalated_share", 0.1, "share of queries escalated to the frontier model (assumption)", (0.5, 2.0), hi=0.5),
        Figure("training_run_usd", 2500, "the training run, USD (article: $50-$10,000)", (0.2, 4.0)),
        _CONTEXT)),
)}

DEFAULT_TEMPLATE = "rag-vs-hosted"


@dataclass(frozen=True)
class NewScenario:
    """What ``ftrag-mc new`` was asked for; the defaults are the questions' defaults."""

    template: str = DEFAULT_TEMPLATE
    title: str | None = None
    queries_per_month: float = 100_000
    horizon_months: int = 36
    growth_per_month: float = 0.02
    engineer_week_usd: float = 4400  # MODEL.md §7: ~$4.1-4.7k
    figures: Mapping[str, float] | None = None


def parse_new_path(name: str) -> Path:
    """``NAME`` as the scenario file: ``.toml`` added when missing (``support`` -> ``support.toml``).

    Raises
    ------
    ValueError
        For an empty name, one that ends in a folder separator, or a file name that cannot name
        the report folder (the rule of ``[scenario] name``).
    """
    if not name.strip() or name.endswith(("/", "\\")):
        raise ValueError(f"'{name}' is not a file name")
    path = Path(name)
    path = path if path.suffix == ".toml" else path.with_name(path.name + ".toml")
    if not _REPORT_NAME.fullmatch(path.stem):
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in path.stem)
        raise ValueError(f"'{shown}' cannot name a scenario (it names the report folder): use letters, digits, "
                         "'.', '_' and '-', starting with a letter or digit")
    return path


# The rule for [scenario] name (ftrag_mc.scenario.Meta): the file's stem is the report folder's name.
_REPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def default_title(template: str, path: Path) -> str:
    return f"{path.stem}: {TEMPLATES[template].doc}"


def parse_figures(texts: tuple[str, ...], template: str) -> dict[str, float]:
    """``NAME=NUMBER`` texts (``--figure``) checked against the template's figures.

    Raises
    ------
    ValueError
        For a malformed text, an unknown figure (with the known ones), or a value out of range.
    """
    known = {f.name: f for f in TEMPLATES[template].figures}
    out = {}
    for text_ in texts:
        name, sep, value = text_.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--figure {text_}: expected NAME=NUMBER")
        if name not in known:
            raise ValueError(f"--figure {text_}: template {template} has no figure '{name}'"
                             f"{did_you_mean(name, known)} (figures: {', '.join(known)})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--figure {text_}: '{value.strip()}' is not a number") from None
        figure = known[name]
        if not (math.isfinite(number) and number >= 0 and number <= figure.hi) or (figure.spread and number == 0):
            bound = f"> 0 and <= {figure.hi:g}" if figure.spread else f">= 0 and <= {figure.hi:g}"
            raise ValueError(f"--figure {text_}: must be {bound.replace(' and <= inf', '')}")
        out[name] = number
    return out


def _number(x: float) -> str:
    """A TOML number as a person writes it: ``100000 -> 100_000``, ``4400 -> 4400``, ``0.02 -> 0.02``."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):_d}" if abs(x) >= 10_000 else f"{int(x)}"
    return repr(x)


def _pert(value: float, low: float, high: float) -> str:
    return f'{{ dist = "pert", min = {_number(low)}, mode = {_number(value)}, max = {_number(high)} }}'


def _toml_string(text_: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and DEL, which JSON leaves raw, is escaped.

    Raises
    ------
    ValueError
        For text that is not valid Unicode (lone surrogates from undecodable command-line bytes).
    """
    try:
        text_.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("--title: not valid UTF-8 text") from None
    return json.dumps(text_, ensure_ascii=False).replace("\x7f", "\\u007f")


def _one_line(text_: str) -> str:
    """Text for a comment: one line, control characters and undecodable bytes replaced."""
    text_ = text_.encode("utf-8", "replace").decode("utf-8")
    return " ".join("".join(c if c.isprintable() else " " for c in text_).split())


def placeholder_values(request: NewScenario, path: Path) -> dict[str, str]:
    """Every placeholder of ``request.template`` rendered as TOML text."""
    template = TEMPLATES[request.template]
    title = request.title if request.title is not None else default_title(request.template, path)
    week = request.engineer_week_usd
    values = {
        "title": _toml_string(title),
        "title_comment": _one_line(title),
        "file": _one_line(str(path)),
        "volume": _number(request.queries_per_month),
        "horizon": str(int(request.horizon_months)),
        "growth": _number(request.growth_per_month),
        # MODEL.md §7's $4.1-4.7k around $4.4k: -15 % / +10 % around the value given.
        "engineer_week_usd": _pert(week, round(0.85 * week), round(1.1 * week)) if week > 0 else "0",
    }
    given = dict(request.figures or {})
    for figure in template.figures:
        value = given.get(figure.name, figure.default)
        values[figure.name] = _number(value)
        if figure.spread is not None:
            low, high = figure.spread
            values[f"{figure.name}_low"] = _number(_round(low * value))
            values[f"{figure.name}_high"] = _number(_round(min(high * value, figure.hi)))
    return values


def _round(x: float) -> float:
    """Four significant figures: a PERT bound written by hand, not 0.30000000000000004."""
    return float(f"{x:.4g}")


def render_template(request: NewScenario, path: Path) -> str:
    """The scenario text for ``request``, to be written at ``path`` (named in its comments).

    Raises
    ------
    KeyError
        If the template holds a placeholder with no value (a bug in the template).
    """
    values = placeholder_values(request, path)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATES[request.template].text())


def check_rendered(text_: str, path: Path) -> Scenario:
    """Parse and validate a rendered scenario: ``new`` never writes a file ``validate`` refuses.

    Raises
    ------
    ScenarioError
        If it does not validate (a value given to ``new`` outside what the schema allows).
    """
    import tomllib

    try:
        table = tomllib.loads(text_)
    except tomllib.TOMLDecodeError as error:  # a value rendered wrongly: never write it
        raise ScenarioError(f"the template rendered invalid TOML: {error}", file=str(path)) from None
    from ftrag_mc.scenario import parse_scenario

    return parse_scenario(table, name=path.stem, file=str(path))


__all__ = ["DEFAULT_TEMPLATE", "Figure", "NewScenario", "TEMPLATES", "Template", "check_rendered",
           "default_title", "parse_figures", "parse_new_path", "placeholder_values", "render_template"]
