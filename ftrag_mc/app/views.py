"""A state's views, by the library's own functions: the numbers equal ``ftrag-mc run``'s.

:func:`compute_run` is the edit's run: the scenario loaded with the edits (``load_scenario``'s
validation and its one-line errors), one simulation at the page's samples and seed, the P(win)
curves, the summary and the decision's ranking, pickled. The main question is the decision's, as
``ftrag-mc run``'s headline: the recommended strategy against the runner-up. When the runner-up is
not the file's baseline, the decision also needs the pair run (:func:`compute_pair_run`: the same
futures with the runner-up as the baseline, as
:func:`~ftrag_mc.analysis.decision.decision_pair_run`). From them, side by side, what a person
waits for: :func:`compute_headline` (the first line ``ftrag-mc run`` prints, the decision table,
the top inputs) and :func:`compute_main_chart` (P(win) against volume, the first panel of
``run``'s chart), guessed ahead from the pair run alone (:func:`compute_pair_headline`) and a
P(win)-only run (:func:`compute_quick_chart`); then :func:`compute_delta` (the ΔNPC
distribution) and :func:`compute_breakdown` (the cost breakdown), together :func:`compute_rest`. A
challenger picked on the page is shown against the baseline instead, pairwise. Charts are the
report's own (``plot_*(frame, info, ax=...)``), drawn on a figure of the page's size and sent as
SVG, but for the main chart, which an edit waits for: it is written as SVG directly from the same
frame and finding (:mod:`ftrag_mc.app.live_chart`). Nothing here knows about the web.
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
    "CHART_DPI", "CHART_SIZE_IN", "Chart", "Headline", "Invalid", "Packed", "PairRun", "Request", "Rest", "Run",
    "Source", "View", "compute_breakdown", "compute_delta", "compute_first", "compute_headline", "compute_main_chart",
    "compute_pair_headline", "compute_pair_run", "compute_quick_chart", "compute_rest", "compute_run", "origin_of",
    "simulate_request", "unpack",
]

#: A chart on the page: the report's size (ftrag_mc.report.style.FIGSIZE_IN), 80 dots per inch
#: (800 x 480 pixels; the main chart's own: ftrag_mc.app.live_chart.LIVE_SIZE_PX).
CHART_SIZE_IN = (10.0, 6.0)
CHART_DPI = 80


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


#: A view of the page: the decision's pair, ``("decision", recommended, runner-up)``, or a
#: challenger picked on the page against the baseline, ``("pair", challenger, baseline)``.
View = tuple[str, str, str]


@dataclass(frozen=True)
class Headline:
    """What an edit updates first, with the main chart: the headline, the table under it (the
    decision among all strategies; for a challenger picked, the key figures against the baseline),
    and the top inputs of the pair shown."""

    text: str
    key_figures: list[dict[str, str]]
    view: View
    pair: str  # "Fine-tuned Haiku vs Few-shot prompt, cached"
    top_inputs: list[dict[str, Any]]
    samples: int
    seed: int
    seconds: float

    @property
    def challenger(self) -> str:
        """The strategy the headline is about (the recommended one, for the main question)."""
        return self.view[1]


@dataclass(frozen=True)
class Chart:
    """A chart as SVG bytes, its finding (the title sentence, as text), and the view it shows."""

    svg: bytes
    finding: str
    seconds: float
    view: View | tuple[()] = ()


@dataclass(frozen=True)
class Rest:
    """What follows the headline and main chart: the ΔNPC distribution and the cost breakdown."""

    delta: Chart
    breakdown: Chart
    seconds: float


@dataclass(frozen=True)
class Run:
    """A finished run and the tables every view reads: the P(win) curves, the summary, and the
    decision's ranking (:func:`~ftrag_mc.analysis.decision.rank_strategies`: no pair figures)."""

    result: Any  # SimulationResult
    curves: Any  # compute_pwin_vs_volume
    summary: Any  # compute_summary, as summary.csv holds it
    ranking: Any  # rank_strategies

    def view(self, challenger: str | None) -> View:
        """The view of ``challenger`` (None: the decision's pair, the run's main question)."""
        if challenger is None:
            return "decision", self.ranking.recommended, self.ranking.runner_up
        return "pair", challenger, self.result.baseline

    def problem(self, challenger: str | None) -> Invalid | None:
        """Why ``challenger`` cannot be shown against this run's baseline, or None."""
        result = self.result
        if challenger is None or challenger in result.challengers:
            return None
        return Invalid(f"'{challenger}' is not a challenger against {result.scenario.label(result.baseline)} "
                       f"(challengers: {', '.join(result.challengers)})", where="challenger")

    def info(self, challenger: str | None):
        """The charts' RunInfo: ``run``'s (the decision's pair first), or with a challenger
        picked, that challenger against the baseline as the main question."""
        from ftrag_mc.report.analyses import run_info

        info = run_info(self.result, decision=self.ranking)
        if challenger is None:
            return info
        return dataclasses.replace(info, main_challenger=challenger, decision_pair=None)


@dataclass(frozen=True)
class Packed:
    """A run pickled for the views (a few MB of bounded statistics, not samples), and the
    decision's pair it holds, which the engine reads without unpickling it."""

    data: bytes
    recommended: str
    runner_up: str
    baseline: str

    @property
    def needs_pair_run(self) -> bool:
        """Whether the decision needs a pair run: its runner-up is not the file's baseline."""
        return self.runner_up != self.baseline


@dataclass(frozen=True)
class PairRun:
    """The decision's pair run (the runner-up as the baseline) and the file's baseline."""

    result: Any  # SimulationResult
    baseline: str


def _invalid(error: ScenarioError, overrides: Sequence[str]) -> Invalid:
    unparsed = None
    for i, text in enumerate(overrides):
        try:
            parse_override(text)
        except OverrideError:
            unparsed = i
            break
    return Invalid(str(error), error.path, unparsed)


def simulate_request(source: Source, request: Request, *, outputs: str = "all", baseline: str | None = None):
    """The run of ``request``, in this process (the page's worker processes are its pool); with
    ``baseline``, the same futures against that strategy (the decision's pair run).

    Raises
    ------
    ScenarioError
        For an edit ``ftrag-mc run`` refuses, with its message.
    """
    return _simulate(source.load(request.overrides), request, outputs=outputs, baseline=baseline)


def _simulate(scenario: Scenario, request: Request, *, outputs: str = "all", baseline: str | None = None):
    """:func:`simulate_request` of a scenario already loaded with the request's edits."""
    from ftrag_mc.analysis.decision import with_baseline
    from ftrag_mc.simulate import simulate

    if baseline is not None:
        scenario = with_baseline(scenario, baseline)
    return simulate(scenario, samples=request.samples, seed=request.seed, workers=1, outputs=outputs)


def compute_run(source: Source, request: Request) -> Packed | Invalid:
    """The run of ``request`` with its curves, summary and ranking, pickled; an edit the command
    line refuses gives :class:`Invalid`."""
    from ftrag_mc import analysis
    from ftrag_mc.analysis.decision import rank_strategies

    try:
        result = simulate_request(source, request)
    except ScenarioError as error:
        return _invalid(error, request.overrides)
    except (ValueError, MemoryError) as error:  # settings out of range, a run too large
        return Invalid(f"{source.file}: {error}")
    curves = analysis.compute_pwin_vs_volume(result)
    ranking = rank_strategies(result)
    run = Run(result, curves, analysis.compute_summary(result, curves), ranking)
    return Packed(pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL), ranking.recommended, ranking.runner_up,
                  result.baseline)


def compute_pair_run(source: Source, request: Request, runner_up: str) -> bytes | None | Invalid:
    """The decision's pair run of ``request`` with ``runner_up`` as the baseline (the same seed,
    samples and sampler: the same futures, as ``ftrag-mc run``'s), a pickled :class:`PairRun`;
    None when ``runner_up`` is the file's baseline (the run is its own pair) or no strategy."""
    try:
        scenario = source.load(request.overrides)
        if runner_up == scenario.baseline or runner_up not in scenario.strategies:
            return None
        result = _simulate(scenario, request, baseline=runner_up)
    except ScenarioError as error:
        return _invalid(error, request.overrides)
    except (ValueError, MemoryError) as error:
        return Invalid(f"{source.file}: {error}")
    return pickle.dumps(PairRun(result, scenario.baseline), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: Packed, pair: bytes | None) -> tuple[Run, Any]:
    """The run and the decision's pair run: the run itself when its runner-up is its baseline;
    None when it is not and ``pair`` is None (a challenger picked needs none)."""
    run = pickle.loads(packed.data)
    if not packed.needs_pair_run:
        return run, run.result
    if pair is None:
        return run, None
    pair_run = pickle.loads(pair)
    if not isinstance(pair_run, PairRun) or pair_run.result.baseline != packed.runner_up:
        raise ValueError(f"the decision's pair run is against {packed.runner_up!r}")
    return run, pair_run.result


def _pair_result(run: Run, pair_result: Any):
    """The decision's pair run given, or run here when none is (as ``ftrag-mc run`` runs it)."""
    if pair_result is not None:
        return pair_result
    from ftrag_mc.analysis.decision import decision_pair_run

    return decision_pair_run(run.result, run.ranking, workers=1)


def _svg(draw: Callable[[Any], Any]) -> bytes:
    """A chart drawn by ``draw(ax)`` on a figure of the page's size, as SVG bytes.

    SVG, glyphs as paths: the browser draws it exactly as the report does, sharp at any zoom, and
    matplotlib writes it in two thirds of the time it takes to rasterise a PNG of it.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    fig = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI, layout="constrained")
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


def compute_headline(run: Run, pair_result: Any, challenger: str | None) -> Headline | Invalid:
    """The headline ``ftrag-mc run`` prints first (the decision: the recommended strategy against
    the runner-up, read with ``pair_result``, the decision's pair run) and the decision table under
    it; for a challenger picked, that challenger against the baseline in the same words
    (:func:`~ftrag_mc.report.headline.pair_headline`) and the key figures of every challenger. With
    the inputs that move the pair's ΔNPC most."""
    from ftrag_mc.analysis.decision import compute_decision
    from ftrag_mc.analysis.sensitivity import compute_top_inputs
    from ftrag_mc.report.decision_words import decision_display
    from ftrag_mc.report.headline import headline, key_figures, pair_headline

    if run.problem(challenger):
        return run.problem(challenger)
    started = time.perf_counter()
    result, view = run.result, run.view(challenger)
    scenario = result.scenario
    top = (compute_top_inputs(scenario, challenger=view[1], baseline=view[2])
           if scenario.uncertain_inputs else None)
    if challenger is None:
        table = compute_decision(result, pair_result=_pair_result(run, pair_result)).table
        text, figures = headline(result, table, top), decision_display(table, scenario.meta.currency)
    else:
        text, figures = pair_headline(result, run.summary, challenger, top), key_figures(result, run.summary)
    return Headline(text, _rows(figures), view, f"{scenario.label(view[1])} vs {scenario.label(view[2])}",
                    _rows(top), result.n_samples, result.seed, time.perf_counter() - started)


def compute_main_chart(run: Run, pair_result: Any, challenger: str | None) -> Chart | Invalid:
    """P(win) against volume for the view: every horizon, its 95 % band, the 50 % crossings
    marked. For the main question the first panel of ``run``'s ``pwin_vs_volume.png`` (the
    decision's pair, read from ``pair_result``); for a challenger picked, its panel against the
    baseline."""
    from ftrag_mc.analysis.marks import attach_marks
    from ftrag_mc.report.analyses import decision_panel

    if run.problem(challenger):
        return run.problem(challenger)
    view, result = run.view(challenger), run.result
    if challenger is None:
        pair_result = _pair_result(run, pair_result)
        frame = decision_panel(pair_result, view[1], run.curves if pair_result is result else None)
    else:
        from ftrag_mc import analysis

        curves = run.curves[run.curves["strategy"] == challenger]
        frame = attach_marks(curves, analysis.compute_crossings(curves, result))
    return _draw_main(result.scenario, frame, run.info(challenger), view)


def _draw_main(scenario: Scenario, frame, info, view: View) -> Chart:
    """The main chart as the page draws it (:func:`~ftrag_mc.app.live_chart.pwin_svg`: the report's
    chart written as SVG directly, in a millisecond rather than matplotlib's ~0.2 s)."""
    from ftrag_mc.app.live_chart import pwin_svg
    from ftrag_mc.report.charts import pwin_vs_volume_finding

    started = time.perf_counter()
    finding = pwin_vs_volume_finding(frame, info)
    return Chart(pwin_svg(frame, info, finding), finding, time.perf_counter() - started, view)


def compute_quick_chart(source: Source, request: Request, view: View) -> Chart | Invalid | None:
    """:func:`compute_main_chart` of ``view`` (a guess: the main question as last seen, or the
    challenger picked) from a run of its own that counts only what the chart draws
    (``simulate(..., outputs="pwin")``: the same draws, so the same chart, in less time), side by
    side with :func:`compute_run`. A decision's view is run against its runner-up (the futures of
    :func:`compute_pair_run`); None when the guess does not fit the run (a strategy gone)."""
    import pandas as pd

    from ftrag_mc import analysis
    from ftrag_mc.analysis.marks import attach_marks
    from ftrag_mc.report.analyses import decision_panel, run_info

    kind, shown, against = view
    try:
        scenario = source.load(request.overrides)
        file_baseline = scenario.baseline
        baseline = against if kind == "decision" and against != file_baseline else None
        result = _simulate(scenario, request, outputs="pwin", baseline=baseline)
    except ScenarioError as error:
        return _invalid(error, request.overrides)
    except (ValueError, MemoryError) as error:
        return Invalid(f"{source.file}: {error}")
    if shown not in result.challengers or kind == "decision" and against != result.baseline:
        return None
    curves = analysis.compute_pwin_vs_volume(result)
    # run_info reads the main question from a summary, which a P(win)-only run has not: a stand-in
    # row names the strategy drawn; then the view's main question, as compute_main_chart's (its
    # baseline the file's, when this run's is the runner-up).
    stand_in = pd.DataFrame({"strategy": [shown], "horizon_months": [max(result.horizons)],
                             "mean_delta_usd": [-1.0], "p_win": [1.0]})
    info = dataclasses.replace(run_info(result, stand_in), baseline=file_baseline)
    if kind == "decision":
        frame, info = decision_panel(result, shown, curves), dataclasses.replace(info, decision_pair=(shown, against))
    else:
        curves = curves[curves["strategy"] == shown]
        frame = attach_marks(curves, analysis.compute_crossings(curves, result))
    return _draw_main(result.scenario, frame, info, (kind, shown, against if kind == "decision" else result.baseline))


def compute_pair_headline(pair: bytes) -> Headline | None:
    """The main question's headline from the decision's pair run alone (:func:`compute_pair_run`),
    as :func:`compute_headline` words it from the run: the decision's ranking and its table do not
    depend on which strategy is the baseline, and the pair run's baseline is the runner-up. None
    when its ranking says the runner-up is another strategy (a guess gone stale): then the run and
    its pair decide."""
    from ftrag_mc.analysis.decision import rank_strategies

    pair_run: PairRun = pickle.loads(pair)
    result = pair_run.result
    ranking = rank_strategies(result)
    if ranking.runner_up != result.baseline:
        return None
    return compute_headline(Run(result, None, None, ranking), result, None)


def compute_delta(run: Run, pair_result: Any, challenger: str | None) -> Chart | Invalid:
    """The ΔNPC distribution of the view's pair, P(loss), the expected saving and CVaR95 marked
    (for the main question the recommended strategy against the runner-up, from ``pair_result``)."""
    from ftrag_mc.analysis.delta_distribution import compute_delta_distribution, compute_delta_marks
    from ftrag_mc.analysis.marks import attach_marks
    from ftrag_mc.report.analyses import run_info
    from ftrag_mc.report.charts import delta_finding, plot_delta_distribution

    if run.problem(challenger):
        return run.problem(challenger)
    started = time.perf_counter()
    view, info = run.view(challenger), run.info(challenger)
    against = run.result if challenger is not None else _pair_result(run, pair_result)
    delta_info = info if challenger is not None else run_info(against, decision=run.ranking)
    delta = attach_marks(compute_delta_distribution(against), compute_delta_marks(against))
    delta = delta[delta["strategy"] == view[1]]
    with _fonts(run.result.scenario):
        svg = _svg(lambda ax: plot_delta_distribution(delta, delta_info, ax=ax))
    return Chart(svg, delta_finding(delta, delta_info), time.perf_counter() - started, view)


def compute_breakdown(run: Run, challenger: str | None) -> Chart | Invalid:
    """Each strategy's cost by component, from its own run of up to 10,000 kept samples, as the
    report's breakdown."""
    from ftrag_mc.report.analyses import RunAnalyses
    from ftrag_mc.report.charts import breakdown_finding, plot_breakdown

    if run.problem(challenger):
        return run.problem(challenger)
    started = time.perf_counter()
    view, info = run.view(challenger), run.info(challenger)
    breakdown = RunAnalyses(run.result).breakdown
    with _fonts(run.result.scenario):
        svg = _svg(lambda ax: plot_breakdown(breakdown, info, ax=ax))
    return Chart(svg, breakdown_finding(breakdown, info), time.perf_counter() - started, view)


def compute_rest(run: Run, pair_result: Any, challenger: str | None) -> Rest | Invalid:
    """What follows the headline and main chart, one after the other (the page's pool draws the two
    side by side): :func:`compute_delta` and :func:`compute_breakdown`."""
    started = time.perf_counter()
    delta = compute_delta(run, pair_result, challenger)
    if isinstance(delta, Invalid):
        return delta
    return Rest(delta, compute_breakdown(run, challenger), time.perf_counter() - started)


def compute_first(source: Source, request: Request) -> tuple[Headline, Chart, Run] | Invalid:
    """The headline and main chart of ``request`` in one call, one after the other (the page's
    pool computes them side by side, from the run and the decision's pair run)."""
    packed = compute_run(source, request)
    if isinstance(packed, Invalid):
        return packed
    pair = None
    if request.challenger is None and packed.needs_pair_run:
        pair = compute_pair_run(source, request, packed.runner_up)
        if isinstance(pair, Invalid):
            return pair
    run, pair_result = unpack(packed, pair)
    if run.problem(request.challenger):
        return run.problem(request.challenger)
    return (compute_headline(run, pair_result, request.challenger),
            compute_main_chart(run, pair_result, request.challenger), run)


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
