"""The board pack as a PDF: a title page (the headline and key figures), one page per chart,
every input with its distribution and source, and the method.

Everything is built from what a run already has (the result, the report items of
:func:`ftrag_mc.report.items.build_report`, its run record); nothing is written here except by
:func:`write_pdf`, which the writers may call instead of taking the bytes of :func:`build_pdf`.
"""

from __future__ import annotations

import io
import math
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ftrag_mc._version import __version__
from ftrag_mc.report.assumptions import assumptions_frame
from ftrag_mc.report.headline import MAIN_MARK_NOTE, headline, key_figures
from ftrag_mc.report.items import scenario_texts
from ftrag_mc.report.numbers import format_usd, format_volume
from ftrag_mc.report.records import run_record
from ftrag_mc.report.findings import TEXT_MAX_CHARS, cut, shorten
from ftrag_mc.report.style import escape, font_family, fonts_for, quiet_glyph_warnings, wrap
from ftrag_mc.simulate import SimulationResult

__all__ = ["ASSUMPTION_ROWS_PER_PAGE", "build_pdf", "pdf_page_count", "write_pdf"]

#: Rows of the assumptions table on one PDF page.
ASSUMPTION_ROWS_PER_PAGE = 25

_HEADLINE_LINE = 11 * 1.5 / 72 / 11.69  # one line of the title page's headline, as a share of its height

_PORTRAIT = (8.27, 11.69)  # A4, inches
_LANDSCAPE = (11.69, 8.27)


def _text(fig: Figure, x: float, y: float, text: str, **kwargs: Any) -> None:
    fig.text(x, y, escape(text), **kwargs)


def _draw_table(fig: Figure, rect: tuple[float, float, float, float], frame: pd.DataFrame,
                col_widths: list[float], *, font_pt: float = 8, wrap_chars: list[int] | None = None) -> None:
    ax = fig.add_axes(rect)
    ax.axis("off")
    if frame.empty:
        return
    cells = []
    for values in frame.astype(str).itertuples(index=False):
        row = []
        for i, v in enumerate(values):
            v = textwrap.shorten(v, wrap_chars[i], placeholder="…") if wrap_chars else v
            row.append(escape(v))
        cells.append(row)
    table = ax.table(cellText=cells, colLabels=[escape(c) for c in frame.columns], colWidths=col_widths,
                     cellLoc="left", colLoc="left", loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(font_pt)
    for (r, _), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if r == 0:
            cell.set_facecolor("#eeeeee")
            cell.get_text().set_fontweight("bold")


def _title_page(result: SimulationResult, summary: pd.DataFrame, date: str,
                top_inputs: pd.DataFrame | None = None) -> Figure:
    fig = Figure(figsize=_PORTRAIT)
    # The user's text is cut where it would run off the page (a 5,000-character title or label):
    # summary.md keeps it whole.
    _text(fig, 0.08, 0.93, wrap(cut(result.scenario.title), 55), fontsize=18, fontweight="bold", va="top")
    text = wrap(headline(result, summary, top_inputs, label_chars=TEXT_MAX_CHARS), 85)
    _text(fig, 0.08, 0.82, text, fontsize=11, va="top", linespacing=1.5)
    # The key figures under the headline, however many lines it takes (five fit above 0.70).
    top = min(0.70, 0.80 - (text.count("\n") + 1) * _HEADLINE_LINE)
    _text(fig, 0.08, top, f"Key figures at {format_volume(result.scenario_volume)} queries/month over "
          f"{max(result.horizons)} months, against {shorten(result.scenario.label(result.baseline))}",
          fontsize=10, fontweight="bold")
    _draw_table(fig, (0.08, top - 0.30, 0.84, 0.29), key_figures(result, summary),
                [0.32, 0.24, 0.17, 0.15, 0.12], font_pt=7.5, wrap_chars=[34, 26, 18, 16, 12])
    if len(result.challengers) > 1:
        _text(fig, 0.08, top - 0.32, wrap(MAIN_MARK_NOTE, 110), fontsize=8, color="#666666", va="top")
    _text(fig, 0.08, 0.08, f"{date} · ftrag-mc {__version__} · {result.n_samples:,} samples "
          f"({result.sampler}, seed {result.seed})", fontsize=8, color="#666666")
    return fig


def _assumption_pages(result: SimulationResult) -> list[Figure]:
    frame = assumptions_frame(result)
    n_pages = max(1, math.ceil(len(frame) / ASSUMPTION_ROWS_PER_PAGE))
    pages = []
    for page in range(n_pages):
        chunk = frame.iloc[page * ASSUMPTION_ROWS_PER_PAGE:(page + 1) * ASSUMPTION_ROWS_PER_PAGE]
        fig = Figure(figsize=_LANDSCAPE)
        _text(fig, 0.05, 0.95, f"Assumptions ({page + 1} of {n_pages}): every input, with its distribution "
              "and the scenario file's comment as source", fontsize=12, fontweight="bold", va="top")
        height = 0.03 * (len(chunk) + 1)
        _draw_table(fig, (0.05, 0.9 - height, 0.9, height), chunk, [0.36, 0.22, 0.42],
                    font_pt=7, wrap_chars=[70, 40, 85])
        _text(fig, 0.05, 0.03, f"{result.scenario.file or 'scenario built in code'} · "
              "inputs not in the file take their defaults", fontsize=7, color="#666666")
        pages.append(fig)
    return pages


def _method_page(result: SimulationResult, summary: pd.DataFrame, record: Mapping[str, Any]) -> Figure:
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
        f"Largest standard error of a mean ΔNPC: "
        f"{format_usd(float(summary.mean_delta_se_usd.max()), result.scenario.meta.currency)}.",
        "Percentile error bounds: breakeven volumes within "
        f"{100 * bounds.get('breakeven_relative', float('nan')):.2f} % (relative), payback within "
        f"{bounds.get('payback_months', float('nan')):.4f} months, ΔNPC percentiles within "
        f"{100 * bounds.get('delta_npc_relative', float('nan')):.2f} % (relative); exact for constant inputs.",
        "ΔNPC is the challenger's net present cost minus the baseline's: negative is a saving. "
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
    fig = Figure(figsize=_PORTRAIT)
    _text(fig, 0.08, 0.93, "Method", fontsize=16, fontweight="bold", va="top")
    _text(fig, 0.08, 0.87, "\n\n".join(wrap(line, 90) for line in lines), fontsize=9, va="top",
          linespacing=1.4)
    return fig


def _chart_figures(items: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    return [(name, item) for name, item in items.items()
            if isinstance(item, Figure) and name.endswith(".png")]


def _record(result: SimulationResult, items: Mapping[str, Any], record: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if record is not None:
        return record
    if isinstance(items.get("run.json"), Mapping):
        return items["run.json"]
    return run_record(result)


def _save_pdf(target: Any, items: Mapping[str, Any], result: SimulationResult,
              record: Mapping[str, Any] | None) -> int:
    summary = items["summary.csv"]
    record = _record(result, items, record)
    date = str(record.get("created_utc") or datetime.now(timezone.utc).isoformat(timespec="seconds"))[:10]
    # The pages take the charts' font fallback (CJK labels in the headline and tables).
    with fonts_for(scenario_texts(result.scenario)), \
            mpl.rc_context({"text.usetex": False, "font.family": font_family()}), quiet_glyph_warnings():
        with PdfPages(target, metadata={"Title": escape(result.scenario.title), "Creator": f"ftrag-mc {__version__}",
                                        "CreationDate": None}) as pdf:
            pdf.savefig(_title_page(result, summary, date, items.get("top_inputs.csv")))
            for name, fig in _chart_figures(items):
                footer = fig.text(0.995, 0.003, name, ha="right", va="bottom", fontsize=6, color="#888888")
                try:
                    pdf.savefig(fig)
                finally:
                    footer.remove()  # the Figure is also written as a PNG
            for page in _assumption_pages(result):
                pdf.savefig(page)
            pdf.savefig(_method_page(result, summary, record))
            return pdf.get_pagecount()


def build_pdf(items: Mapping[str, Any], result: SimulationResult, *,
              record: Mapping[str, Any] | None = None) -> bytes:
    """The board pack as PDF bytes.

    Pages: a title page (title, headline, key figures, date, version); one page per chart
    (each ``*.png`` Figure in ``items``, its own title the takeaway, its file name in the footer);
    the assumptions, 25 inputs a page; the method (samples, seed, Monte Carlo error, error bounds).

    Parameters
    ----------
    items
        The report items of :func:`ftrag_mc.report.items.build_report` (needs ``summary.csv``).
    result
        The run.
    record
        Its run record (:func:`~ftrag_mc.report.records.run_record`); default ``items["run.json"]``
        when present, else a fresh record.
    """
    buffer = io.BytesIO()
    _save_pdf(buffer, items, result, record)
    return buffer.getvalue()


def write_pdf(path: str | Path, items: Mapping[str, Any], result: SimulationResult, *,
              record: Mapping[str, Any] | None = None) -> int:
    """Write :func:`build_pdf`'s document to ``path``; returns the number of pages."""
    return _save_pdf(str(path), items, result, record)


def pdf_page_count(items: Mapping[str, Any], result: SimulationResult) -> int:
    """Pages :func:`build_pdf` makes: title, charts, assumptions, method."""
    n_inputs = len(result.scenario.inputs)
    return (1 + len(_chart_figures(items)) + max(1, math.ceil(n_inputs / ASSUMPTION_ROWS_PER_PAGE)) + 1)
