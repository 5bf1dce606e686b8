"""The page's state: the edits a person made, as the command line would take them.

A state is ``--set KEY=VALUE`` overrides in order, a baseline (``--baseline``), the challenger the
headline speaks of (default: the run's main question, the decision), samples and seed. It is read from the form
(:func:`read_form`) or from a URL (:func:`state_from_query`), and written as a URL
(:func:`state_to_query`) so that a colleague opens the same view. Everything that comes in is
bounded: the number of edits, their length, the samples; what breaks a bound is a one-line problem
beside the input it came from, never an exception.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ftrag_mc.app.fields import Field
from ftrag_mc.limits import MAX_SEED
from ftrag_mc.overrides import format_override, parse_value
from ftrag_mc.errors import ScenarioError

__all__ = [
    "DEFAULT_PAGE_SAMPLES", "EXTRA", "MAX_EDITS", "MAX_EDIT_CHARS", "MAX_EXTRA_CHARS", "MAX_PAGE_SAMPLES",
    "MAX_QUERY_CHARS", "MIN_PAGE_SAMPLES", "Edit", "Form", "PageState", "form_values", "read_form",
    "state_from_query", "state_to_query",
]

#: The most samples the page draws: a view stays live. ``ftrag-mc run`` takes more.
MAX_PAGE_SAMPLES = 200_000
MIN_PAGE_SAMPLES = 2
#: The page's samples when the scenario asks for more (or none): a view in about half a second.
DEFAULT_PAGE_SAMPLES = 20_000
#: Edits in one view (fields changed plus KEY=VALUE lines).
MAX_EDITS = 64
#: Characters in one edit (KEY=VALUE), and in the box of KEY=VALUE lines.
MAX_EDIT_CHARS = 1_000
MAX_EXTRA_CHARS = 16_000
#: Characters of a URL's query the page reads; a longer one is ignored, said on the page.
MAX_QUERY_CHARS = 32_000

#: Where an edit came from when it is not a field: the box of KEY=VALUE lines.
EXTRA = "extra"


@dataclass(frozen=True)
class Edit:
    """One override and where it was typed: a field's id, or :data:`EXTRA`."""

    text: str
    origin: str


@dataclass(frozen=True)
class PageState:
    """What the page shows: the command line's overrides, baseline, challenger, samples and seed.

    ``edits`` are in order (fields first, in the page's order, then the KEY=VALUE lines), so a
    later one wins as with repeated ``--set``. ``baseline`` None is the scenario's own;
    ``challenger`` None is the run's main question, the decision (the recommended strategy against
    the runner-up: the headline of ``ftrag-mc run``); a challenger is shown against the baseline.
    """

    edits: tuple[Edit, ...] = ()
    samples: int = DEFAULT_PAGE_SAMPLES
    seed: int = 2026
    baseline: str | None = None
    challenger: str | None = None

    @property
    def overrides(self) -> tuple[str, ...]:
        """The ``--set`` texts, the baseline last (as ``--baseline`` adds it)."""
        texts = tuple(e.text for e in self.edits)
        if self.baseline is not None:
            texts += (format_override((("scenario", "baseline"), self.baseline)),)
        return texts

    def command(self, scenario_file: str) -> str:
        """The ``ftrag-mc run`` command that gives the same numbers."""
        import shlex

        words = ["ftrag-mc", "run", shlex.quote(scenario_file), "--samples", str(self.samples), "--seed",
                 str(self.seed)]
        for edit in self.edits:
            words += ["--set", shlex.quote(edit.text)]
        if self.baseline is not None:
            words += ["--baseline", shlex.quote(self.baseline)]
        return " ".join(words)


@dataclass(frozen=True)
class Form:
    """The state read from the form, and the problems found on the way, by input id."""

    state: PageState
    problems: dict[str, str] = field(default_factory=dict)


def _text(value: object, limit: int) -> tuple[str, str | None]:
    """A form value as text, and a problem if it is not text or is too long."""
    if value is None:
        return "", None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "", "not a value the page understands"
    text = str(value)
    if len(text) > limit:
        return "", f"is {len(text):,} characters long; the page takes at most {limit:,}"
    return text.strip(), None


def _same_value(text: str, base: str) -> bool:
    """Whether a field's text means its scenario value (``0.010`` is ``0.01``)."""
    if text == base:
        return True
    try:
        return parse_value(text) == parse_value(base)
    except ScenarioError:
        return False


def _count(value: object, name: str, lo: int, hi: int, default: int) -> tuple[int, str | None]:
    """A whole number from the form, within ``lo..hi``; else the default and a problem."""
    if value is None or value == "":
        return default, None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        return default, f"{name} must be a whole number (got {str(value)[:40]!r})"
    if not math.isfinite(number) or number != int(number):
        return default, f"{name} must be a whole number (got {str(value)[:40]!r})"
    if not lo <= number <= hi:
        extra = "; ftrag-mc run takes more" if name == "samples" and number > hi else ""
        return default, f"{name} must be between {lo:,} and {hi:,} on the page (got {number:,.0f}){extra}"
    return int(number), None


def _extra_edits(text: str) -> tuple[list[Edit], str | None]:
    """The KEY=VALUE lines of the box (blank lines and ``#`` comments skipped)."""
    edits = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_EDIT_CHARS:
            return edits, f"a line is {len(line):,} characters long; the page takes at most {MAX_EDIT_CHARS:,}"
        edits.append(Edit(line, EXTRA))
    return edits, None


def read_form(fields: Sequence[Field], values: Mapping[str, object], *, extra: object = "",
              samples: object = None, seed: object = None, baseline: object = None, challenger: object = None,
              strategies: Sequence[str] = (), default_samples: int = DEFAULT_PAGE_SAMPLES,
              default_seed: int = 2026, scenario_baseline: str | None = None) -> Form:
    """The page's state from the form's values (any JSON a browser may send), and its problems.

    A field whose text means its scenario value is no edit; any other is ``KEY=TEXT``, validated
    later exactly as ``--set KEY=TEXT`` would be; so is the scenario's own baseline. Bounds broken here (length, count, samples, an
    unknown strategy) are problems by input id; the input is then left out of the state.
    """
    problems: dict[str, str] = {}
    edits: list[Edit] = []
    for f in fields:
        text, problem = _text(values.get(f.id), MAX_EDIT_CHARS - len(f.key) - 1)
        if problem:
            problems[f.id] = problem
        elif text and not _same_value(text, f.value):
            edits.append(Edit(f"{f.key}={text}", f.id))
        elif not text and f.id in values and values.get(f.id) is not None:
            edits.append(Edit(f"{f.key}=", f.id))  # empty: the CLI's own message says so
    extra_text, problem = _text(extra, MAX_EXTRA_CHARS)
    lines, line_problem = _extra_edits(extra_text)
    if problem or line_problem:
        problems[EXTRA] = problem or line_problem or ""
    edits += lines
    if len(edits) > MAX_EDITS:
        problems[EXTRA] = f"{len(edits)} edits; the page takes at most {MAX_EDITS} at once"
        edits = edits[:MAX_EDITS]
    n, problem = _count(samples, "samples", MIN_PAGE_SAMPLES, MAX_PAGE_SAMPLES, default_samples)
    if problem:
        problems["samples"] = problem
    s, problem = _count(seed, "seed", 0, MAX_SEED, default_seed)
    if problem:
        problems["seed"] = problem
    chosen = _choice(baseline, strategies, "baseline", problems)
    state = PageState(tuple(edits), n, s, None if chosen == scenario_baseline else chosen,
                      _choice(challenger, strategies, "challenger", problems))
    return Form(state, problems)


def _choice(value: object, strategies: Sequence[str], name: str, problems: dict[str, str]) -> str | None:
    if value in (None, "", "auto"):
        return None
    if isinstance(value, str) and value in strategies:
        return value
    problems[name] = f"'{str(value)[:60]}' is not a strategy (strategies: {', '.join(strategies)})"
    return None


# --- the URL ---------------------------------------------------------------------------------------

def state_to_query(state: PageState) -> str:
    """The state as a URL query: ``set=KEY=VALUE`` per edit, as on the command line, then the
    settings (``samples``, ``seed``, ``baseline``, ``challenger``)."""
    pairs = [("set", e.text) for e in state.edits]
    pairs += [("samples", str(state.samples)), ("seed", str(state.seed))]
    if state.baseline is not None:
        pairs.append(("baseline", state.baseline))
    if state.challenger is not None:
        pairs.append(("challenger", state.challenger))
    return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)


def state_from_query(query: str, fields: Sequence[Field], *, strategies: Sequence[str] = (),
                     default_samples: int = DEFAULT_PAGE_SAMPLES, default_seed: int = 2026,
                     scenario_baseline: str | None = None) -> Form:
    """The state a URL carries, read as the form would read it (the same bounds and problems).

    An edit whose key is a field's goes back into that field; any other into the box of KEY=VALUE
    lines. Unknown parameters are ignored; a query longer than :data:`MAX_QUERY_CHARS` is ignored
    whole, said as a problem.
    """
    query = query.lstrip("?")
    if len(query) > MAX_QUERY_CHARS:
        return Form(PageState(samples=default_samples, seed=default_seed),
                    {EXTRA: f"the link's edits are {len(query):,} characters long; the page reads at most "
                            f"{MAX_QUERY_CHARS:,}, so it shows the scenario as written"})
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, max_num_fields=4 * MAX_EDITS + 16) \
        if query.count("&") < 4 * MAX_EDITS + 16 else []
    values, extra = form_values(fields, [v for k, v in pairs if k == "set"])
    settings = {k: v for k, v in pairs if k in ("samples", "seed", "baseline", "challenger")}
    return read_form(fields, values, extra=extra, samples=settings.get("samples"), seed=settings.get("seed"),
                     baseline=settings.get("baseline"), challenger=settings.get("challenger"),
                     strategies=strategies, default_samples=default_samples, default_seed=default_seed,
                     scenario_baseline=scenario_baseline)


def form_values(fields: Sequence[Field], overrides: Sequence[str]) -> tuple[dict[str, str], str]:
    """The form that gives ``overrides``: each field's text (its scenario value unless an edit
    sets its key) and the KEY=VALUE lines left for the box.

    The form puts fields before the box, so an edit goes into its field only when moving it ahead
    of the box's earlier lines changes nothing: no earlier line sets its key, a table holding it,
    or a key inside it.
    """
    by_key = {f.key: f for f in fields}
    values = {f.id: f.value for f in fields}
    taken: set[str] = set()
    extra: list[str] = []
    for text in overrides[:MAX_EDITS + 1]:
        key, _, value = text.partition("=")
        key = key.strip()
        f = by_key.get(key)
        clash = any(key == k or key.startswith(k + ".") or k.startswith(key + ".")
                    for k in (line.partition("=")[0].strip() for line in extra))
        if f is not None and f.id not in taken and not clash:
            values[f.id] = value.strip()
            taken.add(f.id)
        else:
            extra.append(text)
    return values, "\n".join(extra)
