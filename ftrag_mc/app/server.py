"""Shiny's reactive glue: form -> state -> the engine's views -> the page. Nothing else.

Each edit reads the whole form into a :class:`~ftrag_mc.app.state.PageState` (bounded; problems
go beside their inputs) and asks the engine for the headline and main chart; when they arrive the
page shows them, writes the state into the URL, and asks for the rest. A newer edit cancels an older
one still waiting. The page keeps its last valid view while an edit is invalid or computing.
Everything a browser sends is treated as untrusted JSON; nothing it sends stops the server.
"""

from __future__ import annotations

import base64
import html
import traceback
from dataclasses import dataclass

from ftrag_mc.app.page import Model, challenger_choices, figures_table, page_ui
from ftrag_mc.app.state import EXTRA, PageState, read_form, state_from_query, state_to_query
from ftrag_mc.app.views import Chart, Headline, Invalid, Request, Rest, origin_of
from ftrag_mc.app.work import Engine

__all__ = ["build_app", "request_digest"]

#: Where a problem that belongs to no input is shown.
PAGE = "page"


@dataclass(frozen=True)
class _Shown:
    state: PageState
    request: Request
    headline: Headline
    chart: Chart
    seconds: float  # the edit's wait in the server: its run, then the headline and chart side by side


def request_digest(request: Request) -> str:
    """A short name of a request, on the page (``data-request``) so a client can tell which edits
    a headline answers."""
    import hashlib

    return hashlib.sha256(repr(request).encode()).hexdigest()[:16]


def _img(chart: Chart, alt: str, element_id: str):
    from shiny import ui

    src = "data:image/svg+xml;base64," + base64.b64encode(chart.svg).decode("ascii")
    return ui.div(ui.img(src=src, alt=alt, id=element_id), class_="ftrag-chart")


def _headline_ui(shown: _Shown, model: Model):
    from shiny import ui

    h = shown.headline
    took = (f"computed in {shown.seconds:.2f} s (headline {h.seconds:.2f} s and chart {shown.chart.seconds:.2f} s "
            "side by side after the runs)" if shown.seconds > 0.005 else "from the cache")
    which = "recommended vs runner-up" if h.view[0] == "decision" else "a challenger picked vs the baseline"
    meta = f"{h.pair} ({which}) · {h.samples:,} samples · seed {h.seed} · {took} · the same numbers: " \
           f"{shown.state.command(model.source.file)}"
    return ui.div(
        ui.p(h.text, id="headline-text", class_="ftrag-headline", **{"data-request": request_digest(shown.request)}),
        ui.HTML(figures_table(h.key_figures)),
        ui.p(meta, class_="ftrag-meta", id="headline-meta"),
    )


def _top_inputs_ui(shown: _Shown, currency: str):
    from shiny import ui

    from ftrag_mc.report.decision_words import amount_words
    from ftrag_mc.report.numbers import format_usd

    rows = shown.headline.top_inputs
    if not rows:
        return ui.p("Every input is a constant: nothing to rank.")
    # Savings, as the headline and the charts say them (the CSVs keep ΔNPC = -saving).
    cells = "".join(
        f"<tr><td>{r['rank']}</td><td>{html.escape(str(r['label']))}</td>"
        f"<td>{format_usd(-r['delta_low_usd'], currency)}</td><td>{format_usd(-r['delta_high_usd'], currency)}</td>"
        f"<td>{format_usd(r['swing_usd'], currency)}</td></tr>" for r in rows)
    return ui.div(
        ui.p(f"The saving of {html.escape(shown.headline.pair)} over {rows[0]['horizon_months']} months as each "
             f"input goes from its P10 to its P90, the others at their medians (where it "
             f"{amount_words(-rows[0]['base_delta_usd'], currency)}; a negative saving is an extra cost):"),
        ui.HTML('<table class="ftrag-figures" id="top-inputs"><thead><tr><th>#</th><th>input</th>'
                '<th>saving at its P10</th><th>saving at its P90</th><th>swing</th></tr></thead>'
                f"<tbody>{cells}</tbody></table>"))


def _read_form(input, model: Model):
    """The form's values, whatever the browser sent (missing inputs are None)."""
    def value(name: str):
        try:
            return input[name]()
        except Exception:  # not sent (yet), or not an input this page has
            return None

    return read_form(model.fields, {f.id: value(f.id) for f in model.fields}, extra=value(EXTRA),
                     samples=value("samples"), seed=value("seed"), baseline=value("baseline"),
                     challenger=value("challenger"), strategies=list(model.strategies),
                     default_samples=model.default_samples, default_seed=model.default_seed,
                     scenario_baseline=model.baseline)


def _server(model: Model, engine: Engine):
    from shiny import reactive, render, req, ui

    def server(input, output, session):
        shown: reactive.Value[_Shown | None] = reactive.value(None)
        rest: reactive.Value[tuple[Request, Rest] | None] = reactive.value(None)

        async def problems(found: dict[str, str]) -> None:
            await session.send_custom_message("ftrag-problems", found)

        @reactive.extended_task
        async def first_task(state: PageState):
            request = Request.of(state)
            return state, request, await engine.first(request)

        @reactive.extended_task
        async def rest_task(request: Request):
            return request, await engine.rest(request)

        @reactive.calc
        def form():
            return _read_form(input, model)

        @reactive.effect
        async def _edit():
            current = form()
            if current.problems:
                await problems(current.problems)
                return
            first_task.cancel()
            first_task.invoke(current.state)

        @reactive.effect
        async def _first_done():
            status = first_task.status()
            if status == "error":
                await problems({PAGE: _internal(first_task.error.get())})
            if status != "success":
                return
            state, request, outcome = first_task.value.get()
            if isinstance(outcome, Invalid):
                await problems({origin_of(outcome, state) or PAGE: outcome.message})
                return
            await problems({})
            # The link carries the view shown (an invalid edit is not shared; the page keeps the last valid view).
            await session.bookmark.update_query_string("?" + state_to_query(state), mode="replace")
            shown.set(_Shown(state, request, *outcome))
            rest_task.cancel()
            rest_task.invoke(request)

        @reactive.effect
        def _rest_done():
            if rest_task.status() == "success":
                request, outcome = rest_task.value.get()
                if not isinstance(outcome, Invalid):
                    rest.set((request, outcome))

        @reactive.effect
        @reactive.event(input.baseline, ignore_init=True)
        def _challengers():
            # The challenger list is every strategy but the baseline; a choice still valid stays.
            baseline = input.baseline()
            choices = challenger_choices(model, baseline if baseline in model.strategies else model.baseline)
            with reactive.isolate():
                current = input.challenger()
            ui.update_select("challenger", choices=choices, selected=current if current in choices else "auto")

        session.on_ended(lambda: (first_task.cancel(), rest_task.cancel()))
        _outputs(model, engine, shown, rest, render, req)

    return server


def _internal(error: BaseException) -> str:
    traceback.print_exception(error)
    return f"internal error: {type(error).__name__}: {error} (a bug in ftrag-mc: please report it)"


def _outputs(model: Model, engine: Engine, shown, rest, render, req) -> None:
    """The page's outputs, in the session being set up."""
    from shiny import reactive, ui

    currency = model.currency

    @render.ui
    def headline():
        s = shown()
        req(s)
        return _headline_ui(s, model)

    @render.ui
    def main_chart():
        s = shown()
        req(s)
        return ui.div(_img(s.chart, s.chart.finding, "main-chart-img"), ui.p(s.chart.finding, id="main-finding"))

    @render.ui
    def top_inputs():
        s = shown()
        req(s)
        return _top_inputs_ui(s, currency)

    def _rest_chart(name: str, element_id: str):
        s, r = shown(), rest()
        req(s, r)
        chart = getattr(r[1], name)
        stale = "" if r[0] == s.request else " (updating for the latest edit…)"
        return ui.div(_img(chart, chart.finding, element_id), ui.p(chart.finding + stale))

    @render.ui
    def delta_chart():
        return _rest_chart("delta", "delta-chart-img")

    @render.ui
    def breakdown_chart():
        return _rest_chart("breakdown", "breakdown-chart-img")

    def _current() -> _Shown:
        with reactive.isolate():
            s = shown()
        if s is None:
            raise ValueError("no view yet: wait for the headline")
        return s

    @render.download_button(filename=lambda: f"{model.source.name}-edited.toml", media_type="application/toml")
    def download_toml():
        from ftrag_mc.app.exports import edited_toml

        yield edited_toml(model.source, _current().state)

    @render.download_button(filename=lambda: f"{model.source.name}-csv.zip", media_type="application/zip")
    async def download_csvs():
        yield await engine.csvs(_current().request)

    @render.download_button(filename=lambda: f"{model.source.name}-board-pack.zip", media_type="application/zip")
    async def download_pack():
        s = _current()
        yield await engine.board_pack(s.request, s.state.command(model.source.file))


def build_app(model: Model, engine: Engine):
    """The Shiny app of ``model``: its page (for the state a URL carries) and its server."""
    from shiny import App

    def page(request):
        form = state_from_query(request.url.query, model.fields, strategies=list(model.strategies),
                                default_samples=model.default_samples, default_seed=model.default_seed,
                     scenario_baseline=model.baseline)
        return page_ui(model, form)

    return App(page, _server(model, engine))
