"""The chart of a scenario comparison: P(win) against volume, one line per variant and challenger.

It draws the frames of :func:`ftrag_mc.analysis.compare.compute_compare` and returns ``(fig, ax)``
without saving, in the house style of :mod:`ftrag_mc.report.plots`: a title that states the
finding, axes with units, a grey footnote. Every number shown comes from the frames. Text from the
scenarios (variant names, labels) is escaped, so a ``$`` in it is a dollar sign, not mathtext.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.report.layout import (
    WILSON_NOTE, Clearance, make_figure, finish, fifty_line, draw_legend, require_columns, settle,
)
from ftrag_mc._version import __version__
from ftrag_mc.report.style import (
    OKABE_ITO, RunInfo, escape, format_share, format_volume, house_style, set_probability_axis, set_volume_axis,
)

__all__ = ["compare_run_info", "plot_compare", "LABEL_CHARS"]

LABEL_CHARS = 44  # legend entries longer than this end in "…"

_CURVE_COLUMNS = ("variant", "strategy", "label", "queries_per_month", "p_win", "p_win_low", "p_win_high")
_HEADLINE_COLUMNS = ("variant", "strategy", "label", "baseline_label", "queries_per_month", "horizon_months",
                     "p_win", "samples", "seed")
_DASHES: list[object] = ["-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (5, 2, 1.5, 2)), (0, (8, 3))]
_BAND_ALPHA = 0.15
Y_LABEL = "P(cheaper than the baseline) (%)"
X_LABEL = "Start volume (queries/month, log scale)"
CRN_NOTE = "same seed for every variant: shared inputs get the same draws"
DOT_NOTE = "dot: each variant's own volume"


def _shorten(text: str, width: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _styles(variants: list[str], challengers: list[str]) -> dict[tuple[str, str], tuple[str, object]]:
    """(variant, challenger) -> (colour, dash): a colour per variant, a dash per challenger; beyond
    the palette's size, variants that share a colour take the next dashes."""
    cycles = -(-len(variants) // len(OKABE_ITO))
    out = {}
    for vi, v in enumerate(variants):
        for ci, s in enumerate(challengers):
            dash = _DASHES[(ci * cycles + vi // len(OKABE_ITO)) % len(_DASHES)]
            out[(v, s)] = (OKABE_ITO[vi % len(OKABE_ITO)], dash)
    return out


def _finding(headline: pd.DataFrame, several_challengers: bool) -> str:
    """The finding for the main challenger (the one best on average over the variants, as a run's
    main question): how likely it wins at each variant's own volume, from the least to the most."""
    rows = headline
    if headline["strategy"].nunique() > 1 and "mean_delta_usd" in headline.columns:
        main = headline.groupby("strategy", sort=False)["mean_delta_usd"].mean().idxmin()
        rows = headline[headline["strategy"] == main]
    best, worst = rows.loc[rows["p_win"].idxmax()], rows.loc[rows["p_win"].idxmin()]
    who = f"{best['label']} beats {best['baseline_label']}" if several_challengers else f"{best['label']} wins"
    horizons = sorted({int(h) for h in rows["horizon_months"]})
    over = f"over {horizons[0]} months" if len(horizons) == 1 else "over each variant's horizon"

    def at(row) -> str:
        return f"{format_share(row['p_win'])} at {format_volume(row['queries_per_month'])} queries/month"

    if rows["variant"].nunique() == 1:
        return f"{who} in {at(best)} {over}"
    if best["p_win"] == worst["p_win"]:
        return f"{who} as often in every variant: {at(best)} {over}"
    return (f"{who} in {format_share(worst['p_win'])} to {format_share(best['p_win'])} of futures {over}: "
            f"most often in {best['variant']} ({at(best)}), least in {worst['variant']} ({at(worst)})")


def compare_run_info(headline: pd.DataFrame) -> RunInfo:
    """The :class:`RunInfo` of a comparison: samples, seed and sampler (one for every variant), the
    first variant's baseline and the challengers, from :func:`~ftrag_mc.analysis.compare.compute_compare`'s
    headline."""
    require_columns(headline, _HEADLINE_COLUMNS, "headline")
    first = headline.iloc[0]
    baseline = str(first.get("baseline", "baseline"))
    challengers = [s for s in dict.fromkeys(headline["strategy"]) if s != baseline]
    labels = {**dict(zip(headline["strategy"], headline["label"])), baseline: str(first["baseline_label"])}
    return RunInfo(scenario="compare", title="compare", strategies=(baseline, *challengers), labels=labels,
                   baseline=baseline, samples=int(first["samples"]), seed=int(first["seed"]),
                   sampler=str(first["sampler"]) if "sampler" in headline.columns else "lhs", version=__version__)


def plot_compare(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """P(challenger cheaper than its variant's baseline) against start volume, for every variant.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.compare.attach_headline` of the comparison: the curves
        (``variant``, ``strategy``, ``label``, ``queries_per_month`` (queries/month), ``p_win``
        (0..1) and its 95 % band ``p_win_low``/``p_win_high``; variants drawn in the order they
        first appear) with the headline rows attached (each variant's own volume, a dot at its
        ``p_win``) and the comparison's notes (added to the footnote). The title states the
        finding: the variant that makes a challenger most likely to win at its own volume.
    info
        :func:`compare_run_info` of the headline: samples, seed and sampler for the footnote.
    ax
        Draw onto this axes (its title gets the finding); default a new ~10 x 6 in figure.

    Returns
    -------
    fig : Figure
    ax : Axes

    Raises
    ------
    ValueError
        A column is missing or a frame is empty.

    Notes
    -----
    A colour per variant (Okabe-Ito; beyond seven variants the dashes differ too) and a dash per
    challenger; legend entries longer than :data:`LABEL_CHARS` characters end in "…".
    """
    if "headline" not in frame.attrs:
        raise ValueError("the frame has no headline attached: draw attach_headline(curves, headline)")
    curves = frame
    headline = pd.DataFrame(frame.attrs["headline"], columns=frame.attrs.get("headline_columns"))
    notes = list(frame.attrs.get("notes", []))
    require_columns(curves, _CURVE_COLUMNS, "curves")
    require_columns(headline, _HEADLINE_COLUMNS, "headline")
    variants = list(dict.fromkeys(curves["variant"]))
    challengers = list(dict.fromkeys(curves["strategy"]))
    several = len(challengers) > 1
    styles = _styles(variants, challengers)
    q_all = curves["queries_per_month"].to_numpy(float)
    qmin, qmax = float(q_all.min()), float(q_all.max())
    horizons = sorted({int(h) for h in headline["horizon_months"]})

    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        set_volume_axis(a, X_LABEL)
        a.set_xlim(qmin / 1.15, qmax * 1.15)
        set_probability_axis(a, Y_LABEL)
        room = Clearance(a)
        for variant in variants:
            for strategy in challengers:
                c = curves[(curves["variant"] == variant) & (curves["strategy"] == strategy)]
                if c.empty:
                    continue
                c = c.sort_values("queries_per_month")
                q = c["queries_per_month"].to_numpy(float)
                p = c["p_win"].to_numpy(float)
                colour, dash = styles[(variant, strategy)]
                name = f"{variant}: {c['label'].iloc[0]}" if several else variant
                a.fill_between(q, c["p_win_low"], c["p_win_high"], color=colour, alpha=_BAND_ALPHA, lw=0)
                a.plot(q, p, color=colour, ls=dash, lw=2.4, label=escape(_shorten(name)), zorder=3)
                room.add_line(q, p)
                own = headline[(headline["variant"] == variant) & (headline["strategy"] == strategy)]
                for row in own.itertuples():
                    a.plot([row.queries_per_month], [row.p_win], marker="o", ms=9, mfc=colour, mec="white",
                           mew=1.5, zorder=6, clip_on=False, ls="none")
                    room.add_line([row.queries_per_month] * 2, [row.p_win - 0.015, row.p_win + 0.015], weight=50)
        fifty_line(a, room)

        parts = [f"{info.samples:,} samples ({info.sampler})", f"seed {info.seed}", CRN_NOTE, WILSON_NOTE,
                 DOT_NOTE, *notes]
        horizon_text = (f"{horizons[0]} months" if len(horizons) == 1 else
                        "each variant's longest horizon")
        subtitle = f"Each variant's challenger{'s' if several else ''} against its own baseline · {horizon_text}"
        finding = _finding(headline, several)
        finish(fig, axes, created=created, finding=escape(finding), subtitles=[escape(subtitle)],
                footnote=escape(" · ".join(parts)))
        settle(fig)
        room.measure()
        draw_legend(a, room, title="Variant" + (": challenger" if several else ""))
    return fig, a
