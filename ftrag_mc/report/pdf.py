"""The board pack as a PDF that prints: every page one landscape sheet (A4, or US Letter), with
margins and a footer (the scenario, the date, the page number).

Pages: a title page (the headline, the decision table and the hero chart), one page per chart (each
scaled to fit the sheet), the inputs (in words, with units, grouped by strategy, with the scenario
file's comments as sources), and the method. Everything is built from what a run already has (the
result, the report items of :func:`ftrag_mc.report.items.build_report`, its run record); nothing is
written here except by :func:`write_pdf`. The title page reads the decision table from the items
(``decision.csv`` when the report has one, else the key figures of ``summary.csv``).
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ftrag_mc._version import __version__
from ftrag_mc.report.analyses import run_info
from ftrag_mc.report.assumptions import inputs_table
from ftrag_mc.report.charts import plot_pwin_vs_volume
from ftrag_mc.report.findings import TEXT_MAX_CHARS, cut
from ftrag_mc.report.decision_words import decision_display
from ftrag_mc.report.headline import headline, key_figures
from ftrag_mc.report.items import scenario_texts
from ftrag_mc.report.numbers import format_usd, format_volume
from ftrag_mc.report.pages import Page, Row, paginate, paper_size, table_rows
from ftrag_mc.report.records import run_record
from ftrag_mc.report.style import MUTED, escape, font_family, fonts_for, quiet_glyph_warnings
from ftrag_mc.simulate import SimulationResult

__all__ = ["DEFAULT_PAPER", "build_pdf", "decision_table", "pdf_page_count", "pdf_pages", "write_pdf"]

DEFAULT_PAPER = "a4"
HERO_CHART = "pwin_vs_volume.png"  # the title page's chart: the main question first
DECISION_ROWS = 8  # rows of the decision table on the title page; the rest are in its CSV
_MIN_HERO_IN = 2.4  # a hero chart shorter than this is left to its own page
_INPUT_WIDTHS = (2.75, 2.55, 1.55)  # input, value, distribution (inches); the source takes the rest
_INPUT_PT = 8.0
_DECISION_NOTE = ("▶ the recommended strategy (the headline's). The decision is among all strategies; each "
                  "challenger against the file's baseline is in summary.csv and the charts' other panels")
_TABLE_PT = 8.5


# --- the title page (the headline, the decision table, the hero chart) -----------------------------


def _title_page(result: SimulationResult, items: Mapping[str, Any], paper: str,
                hero: pd.DataFrame | None = None) -> Page:
    """The first page: the scenario's title, the headline (the recommended strategy against the
    runner-up), the decision table and the hero chart (the decision's pair: P(win) against volume)."""
    page = Page(paper)
    scenario = result.scenario
    decision = items["decision.csv"]
    y = page.paragraph(0.5, cut(scenario.title), 19, fontweight="bold")
    text = headline(result, decision, items.get("top_inputs.csv"), label_chars=TEXT_MAX_CHARS)
    y = page.paragraph(y + 0.15, text, 12, linespacing=1.45) + 0.2
    rec = decision[decision["role"] == "recommended"].iloc[0]
    rule = "lowest CVaR95 of net present cost" if rec["rule"] == "cvar" else "lowest expected net present cost"
    page.text(page.left, y, f"The decision at {format_volume(result.scenario_volume)} queries/month over "
              f"{int(rec['horizon_months'])} months ({rule})", fontsize=10, fontweight="bold")
    header, rows, note = decision_table(result, items)
    widths = _column_widths(header, rows, page.text_width, _TABLE_PT)
    y = page.table(y + 0.25, header, table_rows(rows, widths, _TABLE_PT), widths, _TABLE_PT)
    if note:
        y = page.paragraph(y + 0.06, note, 8, color=MUTED)
    if page.bottom - y - 0.15 >= _MIN_HERO_IN:
        chart, own = _hero_chart(result, items, hero)
        if chart is not None:
            page.image(chart, page.left, y + 0.15, page.text_width, page.bottom - y - 0.15)
        if own:
            plt.close(chart)
    return page


def _hero_chart(result: SimulationResult, items: Mapping[str, Any],
                hero: pd.DataFrame | None) -> tuple[Figure | None, bool]:
    """The title page's chart: P(win) against volume for the main question alone (a panel of its
    own, readable at the size of half a page): the first pair of ``hero`` (the P(win) chart's frame,
    :attr:`~ftrag_mc.report.analyses.RunAnalyses.hero`); without it, the report's P(win) chart as
    it is. Returns the figure and whether it was drawn here (to close)."""
    if not isinstance(hero, pd.DataFrame) or hero.empty:
        chart = items.get(HERO_CHART)
        return (chart if isinstance(chart, Figure) else None), False
    first = hero.iloc[0]
    pair = hero[(hero["strategy"] == first["strategy"]) & (hero["baseline"] == first["baseline"])]
    return plot_pwin_vs_volume(pair, run_info(result))[0], True


def decision_table(result: SimulationResult, items: Mapping[str, Any]) -> tuple[list[str], list[list[str]], str]:
    """The title page's table: (header, rows of text, a note under it).

    ``decision.csv`` among the items (the decision analysis: the recommended strategy and the
    runners-up) is shown as it is, its numbers in words; without it, the key figures of
    ``summary.csv`` (:func:`~ftrag_mc.report.headline.key_figures`). Beyond :data:`DECISION_ROWS`
    rows the note names the CSV that holds the rest.
    """
    currency = result.scenario.meta.currency
    decision = items.get("decision.csv")
    if isinstance(decision, pd.DataFrame) and not decision.empty:
        frame, where, note = decision_display(decision, currency), "strategies in decision.csv", _DECISION_NOTE
    else:
        frame, where = key_figures(result, items["summary.csv"]), "challengers in summary.csv"
        note = ""
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    if len(rows) > DECISION_ROWS:
        more = len(rows) - DECISION_ROWS + 1
        rows = rows[:DECISION_ROWS - 1]
        note = f"{more} more {where}. {note}".strip()
    return [str(c) for c in frame.columns], rows, note


def _column_widths(header: list[str], rows: list[list[str]], total: float, font_pt: float) -> list[float]:
    """Columns as wide as their longest line (header included), shrunk together to ``total``."""
    char_in = font_pt * 0.6 / 72
    longest = [max([len(h), *(len(r[k]) for r in rows)]) * char_in + 0.2 for k, h in enumerate(header)]
    scale = min(1.0, total / sum(longest))
    widths = [w * scale for w in longest]
    # The strategy's column (the first when none is named so) takes what is left.
    widths[header.index("Strategy") if "Strategy" in header else 0] += total - sum(widths)
    return widths


# --- the chart pages, the inputs, the method ------------------------------------------------------


def _chart_figures(items: Mapping[str, Any]) -> list[tuple[str, Figure | bytes]]:
    """The report's charts in order: Figures, or the PNG bytes a run rendered them to (a page
    prints a PNG's pixels either way)."""
    return [(name, item) for name, item in items.items()
            if isinstance(item, (Figure, bytes, bytearray)) and name.endswith(".png")]


def _chart_page(chart: Figure | bytes, paper: str) -> Page:
    """A chart scaled to fit the sheet inside its margins, centred."""
    page = Page(paper)
    page.image(chart, page.left, page.left, page.text_width, page.bottom - page.left)
    return page


def _input_rows(result: SimulationResult, paper: str) -> list[Row]:
    """The inputs table's rows, a group row before each group's inputs."""
    scenario = result.scenario
    table = inputs_table(result)
    names = {"inputs": "Shared inputs (named once, used by several strategies)",
             "settings": "Volume, team and discounting"}
    cells, groups = [], []
    for group, rows in table.groupby("group", sort=False):
        label = names.get(group) or f"{scenario.label(group)}{' (baseline)' if group == result.baseline else ''}"
        cells.append([label])
        groups.append(True)
        for row in rows.itertuples(index=False):
            cells.append([row.input, row.value, row.distribution, row.source])
            groups.append(False)
    return table_rows(cells, _input_widths(paper), _INPUT_PT, groups=groups)


def _input_widths(paper: str) -> list[float]:
    return [*_INPUT_WIDTHS, Page(paper).text_width - sum(_INPUT_WIDTHS)]


_INPUT_HEADER = ["Input", "Value (in its unit)", "Distribution (as written)", "Source (the scenario file's comment)"]
_INPUTS_TOP = 1.15  # where the table starts under the page's heading (inches from the top)


def _input_chunks(result: SimulationResult, paper: str) -> list[list[Row]]:
    page = Page(paper)
    room = page.bottom - _INPUTS_TOP
    header = table_rows([_INPUT_HEADER], _input_widths(paper), _INPUT_PT)[0].height_in
    return paginate(_input_rows(result, paper), room, room, header)


def _input_pages(result: SimulationResult, paper: str) -> list[Page]:
    chunks = _input_chunks(result, paper)
    pages = []
    for k, rows in enumerate(chunks):
        page = Page(paper)
        page.text(page.left, 0.5, f"Inputs ({k + 1} of {len(chunks)}): every input in words and units, its "
                  "distribution, and the scenario file's comment as source", fontsize=12, fontweight="bold")
        page.text(page.left, 0.82, "Left out: constants that are zero and not in the file (the defaults of keys not "
                  "used). \u201cdefault\u201d: not in the file, the schema's default. Values: the median and the range "
                  "of 90 % of futures.", fontsize=8, color=MUTED)
        page.table(_INPUTS_TOP, _INPUT_HEADER, rows, _input_widths(paper), _INPUT_PT)
        pages.append(page)
    return pages


def _method_lines(result: SimulationResult, summary: pd.DataFrame, record: Mapping[str, Any]) -> list[str]:
    n = result.n_samples
    p = summary.p_win.to_numpy(dtype=float)
    se_max = float(max((p * (1 - p) / n) ** 0.5)) if len(p) else float("nan")
    bounds = record.get("percentile_error_bounds", {})
    lines = [
        f"Samples: {n:,} ({result.sampler} sampler), seed {result.seed}; "
        f"{len(result.scenario.uncertain_inputs)} uncertain inputs of {len(result.scenario.inputs)}.",
        f"Horizons: {', '.join(str(h) for h in result.horizons)} months; baseline "
        f"{cut(result.scenario.label(result.baseline))}; starting volume "
        f"{format_volume(result.scenario_volume)} queries/month, sweep "
        f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])}.",
        f"Monte Carlo error: the largest standard error of a P(win) at the scenario's volume is "
        f"{100 * se_max:.2f} percentage points; intervals are 95 % Wilson (conservative under lhs/sobol).",
        f"Largest standard error of a mean saving: "
        f"{format_usd(float(summary.mean_delta_se_usd.max()), result.scenario.meta.currency)}.",
        "Percentile error bounds: breakeven volumes within "
        f"{100 * bounds.get('breakeven_relative', float('nan')):.2f} % (relative), payback within "
        f"{bounds.get('payback_months', float('nan')):.4f} months, ΔNPC percentiles within "
        f"{100 * bounds.get('delta_npc_relative', float('nan')):.2f} % (relative); exact for constant inputs.",
        "Signs: the charts and the title page show the saving (the baseline's net present cost minus the "
        "challenger's: positive = the challenger saves, a loss is called a loss). The CSVs keep ΔNPC, the "
        "challenger's net present cost minus the baseline's (negative = saving), as columns.csv says. "
        "P(win) is the share of sampled futures in which the challenger is strictly cheaper.",
        f"Engine {result.engine}; scenario SHA-256 {result.scenario.source_hash[:16]}…; ftrag-mc {__version__}.",
    ]
    if record.get("stopped"):
        lines.append(f"Sampling stopped: {record['stopped']}")
    if record.get("note"):
        lines.append(f"Note: {record['note']}")
    overrides = list(getattr(result.scenario, "overrides", ()))
    if overrides:
        lines.append("What-ifs (--set): " + "; ".join(overrides))
    return lines


def _method_page(result: SimulationResult, summary: pd.DataFrame, record: Mapping[str, Any], paper: str) -> Page:
    page = Page(paper)
    page.text(page.left, 0.5, "Method", fontsize=16, fontweight="bold")
    y = 1.0
    for line in _method_lines(result, summary, record):
        y = page.paragraph(y, line, 10) + 0.12
    return page


# --- the document ---------------------------------------------------------------------------------


def _record(result: SimulationResult, items: Mapping[str, Any], record: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if record is not None:
        return record
    if isinstance(items.get("run.json"), Mapping):
        return items["run.json"]
    return run_record(result)


def pdf_pages(items: Mapping[str, Any], result: SimulationResult, *, paper: str = DEFAULT_PAPER) -> list[str]:
    """What each page of :func:`build_pdf`'s document holds, in order: "title", each chart's file
    name, "inputs" (once per page of them), "method"."""
    paper_size(paper)
    return ["title", *(name for name, _fig in _chart_figures(items)),
            *(["inputs"] * len(_input_chunks(result, paper))), "method"]


def _save_pdf(target: Any, items: Mapping[str, Any], result: SimulationResult,
              record: Mapping[str, Any] | None, paper: str, hero: pd.DataFrame | None = None,
              png: Callable[[str], bytes] | None = None) -> int:
    summary = items["summary.csv"]
    record = _record(result, items, record)
    date = str(record.get("created_utc") or datetime.now(timezone.utc).isoformat(timespec="seconds"))[:10]
    contents = pdf_pages(items, result, paper=paper)
    charts = dict(_chart_figures(items))
    footer = f"{cut(result.scenario.title, 90)} · {date} · ftrag-mc {__version__}"
    inputs = iter(())
    # The pages take the charts' font fallback (CJK labels in the headline and tables). Each page is
    # made, saved and dropped in turn: a chart's print image is large.
    with fonts_for(scenario_texts(result.scenario)), \
            mpl.rc_context({"text.usetex": False, "font.family": font_family()}), quiet_glyph_warnings():
        with PdfPages(target, metadata={"Title": escape(result.scenario.title), "Creator": f"ftrag-mc {__version__}",
                                        "CreationDate": None}) as pdf:
            for number, what in enumerate(contents, start=1):
                if what == "title":
                    page = _title_page(result, items, paper, hero)
                elif what == "inputs":
                    if number == contents.index("inputs") + 1:
                        inputs = iter(_input_pages(result, paper))
                    page = next(inputs)
                elif what == "method":
                    page = _method_page(result, summary, record, paper)
                else:
                    page = _chart_page(charts[what] if png is None else png(what), paper)
                page.footer(footer + ("" if what in ("title", "inputs", "method") else f" · {what}"),
                            f"page {number} of {len(contents)}")
                pdf.savefig(page.fig)
            return pdf.get_pagecount()


def build_pdf(items: Mapping[str, Any], result: SimulationResult, *, record: Mapping[str, Any] | None = None,
              paper: str = DEFAULT_PAPER, hero: pd.DataFrame | None = None,
              png: Callable[[str], bytes] | None = None) -> bytes:
    """The board pack as PDF bytes: every page one landscape sheet of ``paper`` (see :func:`pdf_pages`).

    Parameters
    ----------
    items
        The report items of :func:`ftrag_mc.report.items.build_report` (needs ``summary.csv``;
        ``decision.csv``, when present, is the title page's table).
    result
        The run.
    record
        Its run record (:func:`~ftrag_mc.report.records.run_record`); default ``items["run.json"]``
        when present, else a fresh record.
    paper
        ``"a4"`` (default) or ``"letter"``, landscape.
    hero
        The P(win) chart's frame (:attr:`~ftrag_mc.report.analyses.RunAnalyses.hero`): its first
        pair, the recommended strategy against the runner-up, is the title page's chart; without
        it, the report's ``pwin_vs_volume.png`` as it is.
    png
        ``png(name)``: a chart's PNG bytes, when the caller renders them anyway (the run's builder
        writes the same bytes as its PNG files); default each chart rendered here
        (:func:`~ftrag_mc.report.render.png_bytes`). Either way a page prints the PNG's pixels.
    """
    buffer = io.BytesIO()
    _save_pdf(buffer, items, result, record, paper, hero, png)
    return buffer.getvalue()


def write_pdf(path: str | Path, items: Mapping[str, Any], result: SimulationResult, *,
              record: Mapping[str, Any] | None = None, paper: str = DEFAULT_PAPER,
              hero: pd.DataFrame | None = None) -> int:
    """Write :func:`build_pdf`'s document to ``path``; returns the number of pages."""
    return _save_pdf(str(path), items, result, record, paper, hero)


def pdf_page_count(items: Mapping[str, Any], result: SimulationResult, *, paper: str = DEFAULT_PAPER) -> int:
    """Pages :func:`build_pdf` makes: title, charts, inputs, method."""
    return len(pdf_pages(items, result, paper=paper))
