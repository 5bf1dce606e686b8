"""A scenario comparison (``compare.png``): P(win) against volume, one line per variant and
challenger, each variant's own volume dotted.

It draws the frames of :func:`ftrag_mc.analysis.compare.compute_compare`. Text from the scenarios
(variant names, labels) is escaped, so a ``$`` in it is a dollar sign, not mathtext.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc._version import __version__
from ftrag_mc.analysis.decision import main_challenger
from ftrag_mc.report.charts.canvas import finish, make_figure, require_columns, settle
from ftrag_mc.report.charts.inputs import wrap_label
from ftrag_mc.report.charts.placement import Clearance, draw_legend, fifty_line
from ftrag_mc.report.findings import band_note, cut, shorten
from ftrag_mc.report.numbers import format_usd
from ftrag_mc.report.style import (
    OKABE_ITO, RunInfo, escape, format_share, format_volume, house_style, set_probability_axis, set_volume_axis,
)

__all__ = ["LABEL_CHARS", "compare_finding", "compare_run_info", "plot_compare", "variant_names"]

LABEL_CHARS = 44  # legend entries wrap at this many characters, on two lines at most

_CURVE_COLUMNS = ("variant", "strategy", "label", "queries_per_month", "p_win", "p_win_low", "p_win_high")
_HEADLINE_COLUMNS = ("variant", "strategy", "label", "baseline_label", "queries_per_month", "horizon_months",
                     "p_win", "samples", "seed")
_DASHES: list[object] = ["-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (5, 2, 1.5, 2)), (0, (8, 3))]
_BAND_ALPHA = 0.15
Y_LABEL = "P(cheaper than the baseline) (%)"
X_LABEL = "Start volume (queries/month, log scale)"
CRN_NOTE = "same seed for every variant: shared inputs get the same draws"
DOT_NOTE = "dot: each variant's own volume"


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


def _read(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The curves, the headline rows and the notes attached to them."""
    if "headline" not in frame.attrs:
        raise ValueError("the frame has no headline attached: draw attach_headline(curves, headline)")
    headline = pd.DataFrame(frame.attrs["headline"], columns=frame.attrs.get("headline_columns"))
    require_columns(frame, _CURVE_COLUMNS, "curves")
    require_columns(headline, _HEADLINE_COLUMNS, "headline")
    return frame, headline, list(frame.attrs.get("notes", []))


def variant_names(headline: pd.DataFrame, titles: dict[str, str]) -> dict[str, str]:
    """Each variant as a reader names it: by its what-ifs when every variant is one scenario ("as
    written", "with volume.queries_per_month=40000"), else by its scenario's title."""
    scenarios = dict(zip(headline["variant"], headline["scenario"]))
    if len(set(scenarios.values())) > 1:
        return {v: _short_title(titles.get(v) or str(scenarios[v])) for v in scenarios}
    names = {}
    for v, scenario in scenarios.items():
        rest = v.removeprefix(str(scenario)).strip()
        names[v] = "as written" if not rest else f"with {rest.strip('[]')}" if rest.startswith("[") else v
    return names


def _short_title(title: str) -> str:
    """A scenario's title as a name: the part before its first ":" (the subject, not the question
    that follows), cut at a word."""
    head = title.split(":")[0].strip()
    return shorten(head if len(head) >= 8 else title, 44)


def compare_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, in the scenarios' own words: for variants of one scenario, how likely its
    main challenger (the one best on average over the variants, as a run's main question) wins at
    each variant's own volume, from the least to the most; for several scenarios, each one's main
    challenger against its own baseline, named by the scenario's title and labels.

    Parameters
    ----------
    frame, info
        As :func:`plot_compare`.
    """
    curves, headline, _notes = _read(frame)
    names = variant_names(headline, frame.attrs.get("titles", {}))
    horizons = sorted({int(h) for h in headline["horizon_months"]})
    over = f"over {horizons[0]} months" if len(horizons) == 1 else "over each variant's horizon"
    if frame.attrs.get("decision"):
        return _decision_finding(frame.attrs["decision"], names, over)
    if headline["scenario"].nunique() > 1:
        parts = []
        for variant, rows in headline.groupby("variant", sort=False):
            row = _main_row(rows)
            parts.append(f"{names[variant]}: {cut(row['label'])} beats {cut(row['baseline_label'])} in "
                         f"{_at(row)}")
        return f"At each scenario's own volume {over}, " + "; ".join(parts)
    rows = headline
    if headline["strategy"].nunique() > 1 and "mean_delta_usd" in headline.columns:
        main = headline.groupby("strategy", sort=False)["mean_delta_usd"].mean().idxmin()
        rows = headline[headline["strategy"] == main]
    best, worst = rows.loc[rows["p_win"].idxmax()], rows.loc[rows["p_win"].idxmin()]
    who = f"{cut(best['label'])} beats {cut(best['baseline_label'])}"
    if rows["variant"].nunique() == 1:
        return f"{who} in {_at(best)} {over}"
    if best["p_win"] == worst["p_win"]:
        return f"{who} as often in every variant: {_at(best)} {over}"
    return (f"{who} in {format_share(worst['p_win'])} to {format_share(best['p_win'])} of futures {over}: "
            f"most often {names[best['variant']]} ({_at(best)}), least {names[worst['variant']]} ({_at(worst)})")


def _decision_finding(decisions: list[dict], names: dict[str, str], over: str) -> str:
    """Each variant's decision, as its run's headline: the recommended strategy and what it saves
    against the runner-up (issue 15: the choice among all strategies, not a challenger against a
    baseline another strategy beats)."""
    parts = []
    for row in decisions:
        saving = float(row["saving_usd"])
        amount = format_usd(abs(saving), str(row.get("currency") or "USD"))
        words = f"saves {amount}" if saving >= 0 else f"costs {amount} more"
        parts.append(f"{names.get(row['variant'], row['variant'])}: {cut(row['recommended_label'])} "
                     f"({words} on average against {cut(row['runner_up_label'])})")
    lead = "The choice " + over + (", " if len(parts) > 1 else ": ")
    return lead + "; ".join(parts)


def _main_row(rows: pd.DataFrame) -> pd.Series:
    """A variant's main question, as its run's headline: :func:`~ftrag_mc.analysis.decision.main_challenger`."""
    if "mean_delta_usd" not in rows.columns:
        return rows.loc[rows["p_win"].idxmax()]
    return rows[rows["strategy"] == main_challenger(rows)].iloc[0]


def _at(row: pd.Series) -> str:
    p = float(row["p_win"])
    share = "no future" if p == 0 else "every future" if p == 1 else f"{format_share(p)} of futures"
    return f"{share} at {format_volume(row['queries_per_month'])} queries/month"


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
    curves, headline, notes = _read(frame)
    variants = list(dict.fromkeys(curves["variant"]))
    challengers = list(dict.fromkeys(curves["strategy"]))
    several = len(challengers) > 1
    horizons = sorted({int(h) for h in headline["horizon_months"]})
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        set_volume_axis(a, X_LABEL)
        q_all = curves["queries_per_month"].to_numpy(float)
        a.set_xlim(float(q_all.min()) / 1.15, float(q_all.max()) * 1.15)
        set_probability_axis(a, Y_LABEL)
        room = Clearance(a)
        styles = _styles(variants, challengers)
        names = variant_names(headline, frame.attrs.get("titles", {}))
        for variant in variants:
            for strategy in challengers:
                _draw_curve(a, room, curves, headline, variant, strategy, styles[(variant, strategy)], names,
                            several=several)
        fifty_line(a, room)
        parts = [f"{info.samples:,} samples ({info.sampler})", f"seed {info.seed}", CRN_NOTE,
                 band_note(curves["p_win_low"], curves["p_win_high"]), DOT_NOTE, *notes]
        horizon_text = (f"{horizons[0]} months" if len(horizons) == 1 else
                        "each variant's longest horizon")
        subtitle = f"Each variant's challenger{'s' if several else ''} against its own baseline · {horizon_text}"
        finish(fig, axes, created=created, finding=escape(compare_finding(frame, info)),
               subtitles=[escape(subtitle)], footnote=escape(" · ".join(parts)))
        settle(fig)
        room.measure()
        kind = "Scenario" if headline["scenario"].nunique() > 1 else "Variant"
        draw_legend(a, room, title=kind + (": challenger" if several else ""), outside=True)
    return fig, a


def _draw_curve(a: Axes, room: Clearance, curves: pd.DataFrame, headline: pd.DataFrame, variant: str,
                strategy: str, style: tuple[str, object], names: dict[str, str], *, several: bool) -> None:
    """One variant's challenger: its P(win) curve and band, and a dot at the variant's own volume."""
    c = curves[(curves["variant"] == variant) & (curves["strategy"] == strategy)]
    if c.empty:
        return
    c = c.sort_values("queries_per_month")
    q = c["queries_per_month"].to_numpy(float)
    p = c["p_win"].to_numpy(float)
    colour, dash = style
    name = f"{names[variant]}: {c['label'].iloc[0]}" if several else names[variant]
    a.fill_between(q, c["p_win_low"], c["p_win_high"], color=colour, alpha=_BAND_ALPHA, lw=0)
    a.plot(q, p, color=colour, ls=dash, lw=2.4, label=escape(wrap_label(name, LABEL_CHARS, 2)), zorder=3)
    room.add_line(q, p)
    own = headline[(headline["variant"] == variant) & (headline["strategy"] == strategy)]
    for row in own.itertuples():
        a.plot([row.queries_per_month], [row.p_win], marker="o", ms=9, mfc=colour, mec="white",
               mew=1.5, zorder=6, clip_on=False, ls="none")
        room.add_line([row.queries_per_month] * 2, [row.p_win - 0.015, row.p_win + 0.015], weight=50)
