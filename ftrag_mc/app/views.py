"""A state's views, by the library's own functions: the numbers equal ``ftrag-mc run``'s.

:func:`compute_run` is the edit's run: the scenario loaded with the edits (``load_scenario``'s
validation and its one-line errors), one simulation at the page's samples and seed, the P(win)
curves and the summary, pickled. From it, side by side, what a person waits for:
:func:`compute_headline` (the first line ``ftrag-mc run`` prints, the key figures, the top inputs)
and :func:`compute_main_chart` (P(win) against volume); then :func:`compute_rest` (the ΔNPC
distribution and the cost breakdown). Charts are the
report's own (``plot_*(frame, info, ax=...)``), drawn on a figure of the page's size and sent as
SVG. Nothing here knows about the web.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftrag_mc.app.state import EXTRA, PageState
from ftrag_mc.errors import ScenarioError
from ftrag_mc.overrides import OverrideError, parse_key, parse_override
from ftrag_mc.scenario import Scenario, load_scenario_bytes, read_scenario_table

__all__ = [
    "CHART_DPI", "CHART_SIZE_IN", "Chart", "Headline", "Invalid", "Request", "Rest", "Run", "Source",
    "compute_first", "compute_headline", "compute_main_chart", "compute_quick_chart", "compute_rest", "compute_run",
    "origin_of",
    "simulate_request",
]

#: A chart on the page: the report's size (ftrag_mc.report.style.FIGSIZE_IN), 80 dots per inch
#: (800 x 480 pixels); the main chart's margins leave room for its two-line title and footnote.
CHART_SIZE_IN = (10.0, 6.0)
CHART_DPI = 80
CHART_MARGINS = {"left": 0.12, "right": 0.97, "top": 0.87, "bottom": 0.2}


@dataclass(frozen=True)
class Source:
    """The scenario file the page edits, read once: its bytes, and its path as given (messages
    name it as ``ftrag-mc run`` does)."""

    raw: bytes
    file: str
    name: str

    @classmethod
    def read(cls, path: str | Path) -> Source:
        """Read a scenario file (the reader's bounds: a regular file of at most 1 MiB).

        Raises
        ------
        ScenarioError
            As :func:`~ftrag_mc.scenario.load_scenario`.
        """
        _table, raw = read_scenario_table(path)
        return cls(raw, str(path), Path(path).stem)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def load(self, overrides: Sequence[str] = ()) -> Scenario:
        """The scenario with ``overrides`` (``--set`` texts), as ``load_scenario(file, overrides)``."""
        return load_scenario_bytes(self.raw, overrides, file=self.file, name=self.name)


@dataclass(frozen=True)
class Request:
    """What a view depends on, and so the cache's key: the overrides (baseline last), samples,
    seed and the challenger shown (None: the run's main question)."""

    overrides: tuple[str, ...]
    samples: int
    seed: int
    challenger: str | None = None

    @classmethod
    def of(cls, state: PageState) -> Request:
        return cls(state.overrides, state.samples, state.seed, state.challenger)

    @property
    def run_key(self) -> tuple:
        """The simulation's key: the same whichever challenger is shown."""
        return self.overrides, self.samples, self.seed


@dataclass(frozen=True)
class Invalid:
    """Why a state gives no view: the message ``ftrag-mc run`` would print (without ``Error:``),
    the key it names, and the index of the first override that does not parse, if one does not."""

    message: str
    key: str | None = None
    unparsed: int | None = None
    where: str | None = None  # an input of the page that is not an edit: "challenger"


@dataclass(frozen=True)
class Headline:
    """What an edit updates first, with the main chart: the headline, key figures, top inputs."""

    text: str
    key_figures: list[dict[str, str]]
    challenger: str
    pair: str  # "Fine-tuned Haiku vs Few-shot prompt (Haiku)"
    top_inputs: list[dict[str, Any]]
    samples: int
    seed: int
    seconds: float


@dataclass(frozen=True)
class Chart:
    """A chart as SVG bytes, its finding (the title sentence, as text), and the challenger shown."""

    svg: bytes
    finding: str
    seconds: float
    challenger: str = ""


@dataclass(frozen=True)
class Rest:
    """What follows the headline and main chart: the ΔNPC distribution and the cost breakdown."""

    delta: Chart
    breakdown: Chart
    seconds: float


@dataclass(frozen=True)
class Run:
    """A finished run and the tables every view reads: the P(win) curves and the summary."""

    result: Any  # SimulationResult
    curves: Any  # compute_pwin_vs_volume
    summary: Any  # compute_summary, as summary.csv holds it

    def shown(self, challenger: str | None) -> str:
        """The challenger a view shows: the one asked for, else the run's main question."""
        from ftrag_mc.analysis.decision import main_challenger

        return challenger if challenger is not None else main_challenger(self.summary)

    def problem(self, challenger: str | None) -> Invalid | None:
        """Why ``challenger`` cannot be shown against this run's baseline, or None."""
        result = self.result
        if challenger is None or challenger in result.challengers:
            return None
        return Invalid(f"'{challenger}' is not a challenger against {result.scenario.label(result.baseline)} "
                       f"(challengers: {', '.join(result.challengers)})", where="challenger")

    def info(self, challenger: str):
        """The charts' RunInfo, with ``challenger`` as the main question."""
        from ftrag_mc.report.analyses import run_info

        return dataclasses.replace(run_info(self.result, self.summary), main_challenger=challenger)


def _invalid(error: ScenarioError, overrides: Sequence[str]) -> Invalid:
    unparsed = None
    for i, text in enumerate(overrides):
        try:
            parse_override(text)
        except OverrideError:
            unparsed = i
            break
    return Invalid(str(error), error.path, unparsed)


def simulate_request(source: Source, request: Request):
    """The run of ``request``, in this process (the page's worker processes are its pool).

    Raises
    ------
    ScenarioError
        For an edit ``ftrag-mc run`` refuses, with its message.
    """
    from ftrag_mc.simulate import simulate

    scenario = source.load(request.overrides)
    return simulate(scenario, samples=request.samples, seed=request.seed, workers=1)


def compute_run(source: Source, request: Request) -> bytes | Invalid:
    """The run of ``request`` with its curves and summary, pickled for the views (a few MB of
    bounded statistics, not samples); an edit the command line refuses gives :class:`Invalid`."""
    from ftrag_mc import analysis

    try:
        result = simulate_request(source, request)
    except ScenarioError as error:
        return _invalid(error, request.overrides)
    except (ValueError, MemoryError) as error:  # settings out of range, a run too large
        return Invalid(f"{source.file}: {error}")
    curves = analysis.compute_pwin_vs_volume(result)
    run = Run(result, curves, analysis.compute_summary(result, curves))
    return pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL)


def _svg(draw: Callable[[Any], Any], *, fixed: bool = False) -> bytes:
    """A chart drawn by ``draw(ax)`` on a figure of the page's size, as SVG bytes.

    SVG, glyphs as paths: the browser draws it exactly as the report does, sharp at any zoom, and
    matplotlib writes it in two thirds of the time it takes to rasterise a PNG of it.

    ``fixed``: margins set once, with room for the chart's two-line title and its footnote
    (the main chart: a constrained layout would cost a third of the time an edit has), rather
    than laid out around its labels and legend.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    fig = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI, layout=None if fixed else "constrained")
    if fixed:
        fig.subplots_adjust(**CHART_MARGINS)
    draw(fig.add_subplot())
    out = io.BytesIO()
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "ftrag-mc"}):  # ids stable from run to run
        fig.savefig(out, format="svg", metadata={"Date": None})  # the same chart, the same bytes
    return out.getvalue()


def _rows(frame) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dict("records")


def _fonts(scenario: Scenario):
    """The fonts the scenario's words need (CJK labels), as the report draws them."""
    from ftrag_mc.report.items import scenario_texts
    from ftrag_mc.report.style import fonts_for

    return fonts_for(scenario_texts(scenario))


def compute_headline(run: Run, challenger: str | None) -> Headline | Invalid:
    """The headline ``ftrag-mc run`` prints first (for the main question; for another challenger
    the same sentence about it), the key figures and the inputs that move ΔNPC most."""
    from ftrag_mc.analysis.sensitivity import compute_top_inputs
    from ftrag_mc.report.headline import headline, key_figures

    if run.problem(challenger):
        return run.problem(challenger)
    started = time.perf_counter()
    result, summary, shown = run.result, run.summary, run.shown(challenger)
    scenario = result.scenario
    top = compute_top_inputs(scenario, challenger=shown) if scenario.uncertain_inputs else None
    main = shown == run.shown(None)
    text = headline(result, summary if main else summary[summary["strategy"] == shown], top)
    return Headline(text, _rows(key_figures(result, summary)), shown,
                    f"{scenario.label(shown)} vs {scenario.label(result.baseline)}", _rows(top),
                    result.n_samples, result.seed, time.perf_counter() - started)


def compute_main_chart(run: Run, challenger: str | None) -> Chart | Invalid:
    """P(win) against volume for the challenger shown: every horizon, its 95 % band, the 50 %
    crossings marked (the report's ``pwin_vs_volume`` chart, one panel)."""
    if run.problem(challenger):
        return run.problem(challenger)
    shown = run.shown(challenger)
    return _main_chart(run.result, run.curves, run.info(shown), shown)


def _main_chart(result, curves, info, shown: str) -> Chart:
    from ftrag_mc import analysis
    from ftrag_mc.analysis.marks import attach_marks
    from ftrag_mc.report.charts import plot_pwin_vs_volume, pwin_vs_volume_finding

    started = time.perf_counter()
    marked = attach_marks(curves, analysis.compute_crossings(curves, result))
    marked = marked[marked["strategy"] == shown]
    with _fonts(result.scenario):
        svg = _svg(lambda ax: plot_pwin_vs_volume(marked, info, ax=ax), fixed=True)
    return Chart(svg, pwin_vs_volume_finding(marked, info), time.perf_counter() - started, shown)


def compute_quick_chart(source: Source, request: Request, challenger: str) -> Chart | Invalid:
    """:func:`compute_main_chart` from a run of its own that counts only what the chart draws
    (``simulate(..., outputs="pwin")``: the same draws, so the same curves, in about half the
    time), for ``challenger``: the one asked for, or the main question as last seen. Side by side
    with :func:`compute_run`, whose summary says whether the guess was the main question."""
    import pandas as pd

    from ftrag_mc import analysis
    from ftrag_mc.report.analyses import run_info
    from ftrag_mc.simulate import simulate

    try:
        scenario = source.load(request.overrides)
        result = simulate(scenario, samples=request.samples, seed=request.seed, workers=1, outputs="pwin")
    except ScenarioError as error:
        return _invalid(error, request.overrides)
    except (ValueError, MemoryError) as error:
        return Invalid(f"{source.file}: {error}")
    if challenger not in result.challengers:
        challenger = result.challengers[0]  # a guess gone stale (the baseline changed): redrawn after
    # run_info reads the main question from a summary, which a P(win)-only run has not: a stand-in
    # row names the challenger drawn.
    stand_in = pd.DataFrame({"strategy": [challenger], "horizon_months": [max(result.horizons)],
                             "mean_delta_usd": [-1.0], "p_win": [1.0]})
    return _main_chart(result, analysis.compute_pwin_vs_volume(result), run_info(result, stand_in), challenger)


def compute_rest(run: Run, challenger: str | None) -> Rest | Invalid:
    """The ΔNPC distribution (P(loss), the expected saving and CVaR95 marked) and the cost
    breakdown (from its own run of up to 10,000 kept samples, as the report's)."""
    from ftrag_mc.analysis.delta_distribution import compute_delta_distribution, compute_delta_marks
    from ftrag_mc.analysis.marks import attach_marks
    from ftrag_mc.report.analyses import RunAnalyses
    from ftrag_mc.report.charts import breakdown_finding, delta_finding, plot_breakdown, plot_delta_distribution

    if run.problem(challenger):
        return run.problem(challenger)
    started = time.perf_counter()
    shown = run.shown(challenger)
    info = run.info(shown)
    delta = attach_marks(compute_delta_distribution(run.result), compute_delta_marks(run.result))
    delta = delta[delta["strategy"] == shown]
    breakdown = RunAnalyses(run.result).breakdown
    with _fonts(run.result.scenario):
        delta_svg = _svg(lambda ax: plot_delta_distribution(delta, info, ax=ax))
        breakdown_svg = _svg(lambda ax: plot_breakdown(breakdown, info, ax=ax))
    return Rest(Chart(delta_svg, delta_finding(delta, info), 0.0),
                Chart(breakdown_svg, breakdown_finding(breakdown, info), 0.0), time.perf_counter() - started)


def compute_first(source: Source, request: Request) -> tuple[Headline, Chart, Run] | Invalid:
    """The headline and main chart of ``request`` in one call, one after the other (the page's
    pool computes them side by side, from one run)."""
    blob = compute_run(source, request)
    if isinstance(blob, Invalid):
        return blob
    run = pickle.loads(blob)
    if run.problem(request.challenger):
        return run.problem(request.challenger)
    return compute_headline(run, request.challenger), compute_main_chart(run, request.challenger), run


def origin_of(invalid: Invalid, state: PageState) -> str:
    """The page's input an :class:`Invalid` belongs beside: the edit's field (or the box of
    KEY=VALUE lines), the baseline, or ``""`` (the page as a whole)."""
    if invalid.where is not None:
        return invalid.where
    edits = state.edits
    if invalid.unparsed is not None:
        return edits[invalid.unparsed].origin if invalid.unparsed < len(edits) else "baseline"
    if invalid.key is None:
        return ""
    keys = [(edit, ".".join(parse_key(edit.text.partition("=")[0]) or ())) for edit in reversed(edits)]
    for edit, key in keys:
        if key and (invalid.key == key or invalid.key.startswith((key + ".", key + "["))
                    or key.startswith(invalid.key + ".")):
            return edit.origin
    for edit, key in keys:  # a distribution's parameter makes another one wrong (min above mode)
        table = key.rpartition(".")[0]
        if table.count(".") >= 1 and invalid.key.startswith(table + "."):
            return edit.origin
    if invalid.key == "scenario.baseline" and state.baseline is not None:
        return "baseline"
    return EXTRA if any(e.origin == EXTRA for e in edits) and "(from --set)" in invalid.message else ""
