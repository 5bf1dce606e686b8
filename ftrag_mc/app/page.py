"""The page's layout and its help text: what each chart means, as the board pack says it.

The page is built for the state its URL carries (:func:`page_ui`), so a shared link opens with
the same edits in the same fields. Inputs are text fields that send their value on Enter or when
left (a half-typed number is never simulated); each has a line beside it for the one-line error
``ftrag-mc run`` would print. Everything the browser needs ships in the web library's wheel; the
few lines of script here are inline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from ftrag_mc.app.fields import Field, scenario_fields
from ftrag_mc.app.state import DEFAULT_PAGE_SAMPLES, EXTRA, MAX_PAGE_SAMPLES, Form, PageState, form_values
from ftrag_mc.app.views import Source

__all__ = ["HELP", "Model", "build_model", "challenger_choices", "figures_table", "page_ui"]

#: What each part of the page shows, in the report's words (README and the report manifest).
HELP = {
    "headline": (
        "The recommendation, as ftrag-mc run prints it first: among all strategies, the one with the lowest "
        "expected net present cost over the horizon, and the chance that it is the cheapest of all (95 % Monte "
        "Carlo interval); against the runner-up (the best alternative), the expected saving ± its standard "
        "error, the range of 90 % of futures (P5–P95), P(loss) and the average loss in the worst 5 % of "
        "futures; the volume where the choice flips; dominated strategies, named once. Below it, the decision "
        "table (▶ marks the recommended strategy). A challenger picked above is shown against the baseline "
        "instead, in the same words, with the key figures of every challenger against the baseline."),
    "main_chart": (
        "P(the recommended strategy is cheaper than the runner-up) against the start volume (the first panel of "
        "ftrag-mc run's chart; a challenger picked: against the baseline), one curve per analysis horizon, with "
        "its 95 % Wilson band. Where a curve crosses 50 % (the dots) the choice flips: a rising curve's strategy "
        "wins in most futures above that volume, a falling one's below it; "
        "the dashed line is your volume. A curve near 50 % over a wide range means the answer is a coin flip "
        "there, whatever the point estimate says."),
    "delta_chart": (
        "What the recommended strategy saves against the runner-up (a challenger picked: against the baseline) "
        "at your volume and the longest horizon, as a distribution over futures: right of zero is a saving. "
        "Bars left of zero (shaded) are the futures in which it costs more: their share is P(loss). The marks "
        "are the expected saving and CVaR95, the average loss over the worst 5 % of futures (the extra cost "
        "to expect in a bad case)."),
    "top_inputs": (
        "The uncertain inputs that move the pair's saving most (the recommended strategy against the runner-up, "
        "or the challenger picked against the baseline) when each alone swings from its P10 to its P90, the "
        "others at their medians (no Monte Carlo error). The first is the headline's \"what matters "
        "most\": narrowing it is worth most."),
    "breakdown": (
        "Each strategy's mean net present cost by component (LLM calls, training, labour, quality, ...), with "
        "each component's share, from a separate run of up to 10,000 samples that keeps every future. It says "
        "where the money goes, and so which inputs can change the answer."),
    "edits": (
        "Every field is a scenario key, set as ftrag-mc run --set KEY=VALUE would set it: a number, or a "
        "distribution's parameter. Press Enter or leave the field to update the page. A value the command line "
        "would refuse shows its one-line error beside the field, and the page keeps the last valid view. Any "
        "other key: one KEY=VALUE per line below, e.g. "
        "strategies.fine_tuned.training.run_usd={dist=\"pert\",min=2000,mode=3000,max=8000}."),
    "share": (
        "The address bar holds every edit (as --set KEY=VALUE), the samples, seed, baseline and challenger: "
        "copy it to share this view. Opened where ftrag-mc app runs the same scenario file, it shows the same "
        "numbers. The TOML download is the scenario with the edits written in (comments kept): ftrag-mc run on "
        "it reproduces the page's numbers."),
}

_SCRIPT = """
(function () {
  function show(problems) {
    document.querySelectorAll('.ftrag-error').forEach(function (el) { el.textContent = ''; });
    document.querySelectorAll('.ftrag-invalid').forEach(function (el) { el.classList.remove('ftrag-invalid'); });
    Object.keys(problems).forEach(function (id) {
      var box = document.getElementById(id + '-error') || document.getElementById('page-error');
      box.textContent = problems[id];
      var input = document.getElementById(id);
      if (input) { input.classList.add('ftrag-invalid'); }
    });
  }
  Shiny.addCustomMessageHandler('ftrag-problems', show);
  window.ftragCopyLink = function () {
    navigator.clipboard.writeText(window.location.href).then(function () {
      document.getElementById('share-note').textContent = 'Link copied.';
    });
  };
})();
"""

_STYLE = """
.ftrag-error { color: #b3261e; font-size: 0.85em; min-height: 0; white-space: pre-wrap; }
.ftrag-invalid { border-color: #b3261e !important; }
#page-error { color: #b3261e; }
.ftrag-help { color: #555; font-size: 0.9em; }
.ftrag-headline { font-size: 1.2em; font-weight: 600; }
.ftrag-chart img { width: 100%; max-width: 900px; height: auto; }
.ftrag-figures td, .ftrag-figures th { padding: 2px 10px 2px 0; font-size: 0.9em; }
.ftrag-meta { color: #666; font-size: 0.85em; }
.shiny-input-container { margin-bottom: 0.4rem; }
"""


@dataclass(frozen=True)
class Model:
    """What the page is about: the scenario file, its fields, strategies, and defaults."""

    source: Source
    title: str
    fields: tuple[Field, ...]
    strategies: dict[str, str]  # key -> label
    baseline: str
    currency: str
    default_samples: int
    default_seed: int
    scenario_samples: int  # what the file asks for (the page starts at most at DEFAULT_PAGE_SAMPLES)


def build_model(source: Source) -> Model:
    """The page's model of a scenario file: its fields and strategies, its samples and seed.

    Raises
    ------
    ScenarioError
        If the file itself is not valid (as ``ftrag-mc validate`` says).
    """
    from ftrag_mc.scenario import decode_scenario_bytes

    scenario = source.load()
    table = decode_scenario_bytes(source.raw, source.file)
    return Model(source=source, title=scenario.title, fields=scenario_fields(scenario, table),
                 strategies={s: scenario.label(s) for s in scenario.strategies}, baseline=scenario.baseline,
                 currency=scenario.meta.currency,
                 default_samples=min(scenario.simulation.samples, DEFAULT_PAGE_SAMPLES),
                 default_seed=scenario.simulation.seed, scenario_samples=scenario.simulation.samples)


def _field(f: Field, value: str):
    from shiny import ui

    return ui.div(
        ui.input_text(f.id, f.label, value, update_on="blur", spellcheck="false"),
        ui.div(id=f"{f.id}-error", class_="ftrag-error"),
        **{"data-key": f.key},
    )


def _inputs_panel(model: Model, values: dict[str, str], extra: str):
    from shiny import ui

    panels = []
    for group, fields in groupby(model.fields, key=lambda f: f.group):
        panels.append(ui.accordion_panel(group, *[_field(f, values[f.id]) for f in fields]))
    panels.append(ui.accordion_panel(
        "Any key (KEY=VALUE, as --set)",
        ui.input_text_area(EXTRA, "One KEY=VALUE per line", extra, rows=4, update_on="blur",
                           placeholder="strategies.fine_tuned.training.run_usd=8000", spellcheck="false"),
        ui.div(id=f"{EXTRA}-error", class_="ftrag-error")))
    return ui.accordion(*panels, id="groups", open=[model.fields[0].group] if model.fields else True)


def _settings(model: Model, state: PageState):
    from shiny import ui

    challengers = challenger_choices(model, state.baseline or model.baseline)
    return ui.div(
        ui.input_select("challenger", "Challenger", challengers, selected=state.challenger or "auto"),
        ui.div(id="challenger-error", class_="ftrag-error"),
        ui.input_select("baseline", "Baseline", model.strategies, selected=state.baseline or model.baseline),
        ui.div(id="baseline-error", class_="ftrag-error"),
        ui.input_text("samples", f"Samples (at most {MAX_PAGE_SAMPLES:,} on the page; the scenario asks for "
                                 f"{model.scenario_samples:,})", str(state.samples), update_on="blur"),
        ui.div(id="samples-error", class_="ftrag-error"),
        ui.input_text("seed", "Seed", str(state.seed), update_on="blur"),
        ui.div(id="seed-error", class_="ftrag-error"),
    )


def challenger_choices(model: Model, baseline: str) -> dict[str, str]:
    """The challenger picker: the main question (the decision, as ``ftrag-mc run``), then every
    strategy but the baseline, to see against it."""
    return {"auto": "The decision: recommended vs runner-up",
            **{k: f"{v} vs the baseline" for k, v in model.strategies.items() if k != baseline}}


def _downloads():
    from shiny import ui

    return ui.div(
        ui.h6("Take it with you"),
        ui.download_button("download_toml", "Scenario with these edits (TOML)", class_="btn-sm w-100 mb-1"),
        ui.download_button("download_csvs", "The run's tables (CSV, zip)", class_="btn-sm w-100 mb-1"),
        ui.download_button("download_pack", "Board pack: the run's report (zip)", class_="btn-sm w-100 mb-1"),
        ui.tags.button("Copy the link to this view", class_="btn btn-outline-secondary btn-sm w-100",
                       onclick="ftragCopyLink()", type="button"),
        ui.div(id="share-note", class_="ftrag-meta"),
        ui.p(HELP["share"], class_="ftrag-help mt-2"),
    )


def _card(title: str, output_id: str, help_key: str):
    from shiny import ui

    return ui.card(ui.card_header(title), ui.p(HELP[help_key], class_="ftrag-help"), ui.output_ui(output_id))


def page_ui(model: Model, form: Form):
    """The page for the state ``form`` holds (read from the URL), its problems shown on load."""
    from shiny import ui

    state = form.state
    values, extra = form_values(model.fields, [e.text for e in state.edits])
    sidebar = ui.sidebar(
        _settings(model, state),
        ui.p(HELP["edits"], class_="ftrag-help"),
        _inputs_panel(model, values, extra),
        _downloads(),
        width=420, open="always",
    )
    main = [
        ui.div(id="page-error", class_="ftrag-error"),
        ui.card(ui.card_header("The answer"), ui.output_ui("headline"), ui.p(HELP["headline"], class_="ftrag-help")),
        _card("Which is cheaper, and from what volume? P(win) against volume", "main_chart", "main_chart"),
        _card("How much, and how bad can it get? The ΔNPC distribution", "delta_chart", "delta_chart"),
        _card("What matters most: the top inputs", "top_inputs", "top_inputs"),
        _card("Where the money goes: the cost breakdown", "breakdown_chart", "breakdown"),
        ui.tags.style(_STYLE),
        ui.tags.script(_SCRIPT),
    ]
    return ui.page_sidebar(sidebar, *main, title=f"ftrag-mc app: {model.title}",
                           window_title=f"{model.title} - ftrag-mc", fillable=False)


def figures_table(rows: Sequence[dict[str, str]]) -> str:
    """The key figures (display text) as an HTML table."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f'<table class="ftrag-figures"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
