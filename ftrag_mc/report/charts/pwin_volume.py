"""P(challenger cheaper than baseline) against starting volume, one curve per horizon, one panel
per challenger (``pwin_vs_volume.png``): the main question's panel first, the 50 % crossings
dotted and labelled, "your volume" marked."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase

from ftrag_mc.report.charts.canvas import (
    BAND_ALPHA, MAX_PANELS, chart_footnote, chart_subtitle, finish, keep_most, make_figure, nothing_to_show,
    one_panel_only, panels_drawn, require_columns, returned, settle, shrink_to_sentence, strategies_in,
)
from ftrag_mc.report.charts.labels import horizon_styles, look_of, strategy_label
from ftrag_mc.report.charts.placement import Clearance, annotate, dot, draw_legend, fifty_line, volume_label, volume_line
from ftrag_mc.report.findings import MAX_TITLE_SENTENCES, at_volume, band_note, rough
from ftrag_mc.report.numbers import format_share, format_volume
from ftrag_mc.report.style import RunInfo, house_style, set_probability_axis, set_volume_axis

__all__ = ["plot_pwin_vs_volume", "pwin_vs_volume_finding"]

_CURVE_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low", "p_win_high",
)

NARROW_WIN = 0.6  # a P(win) that never exceeds this where the challenger "wins" wins only just


@dataclass(frozen=True)
class _Curves:
    """The frame as drawn: its curves (marks apart), crossings, and the panels shown."""

    curves: pd.DataFrame
    crossings: pd.DataFrame
    challengers: list[tuple[str, str]]  # panels (strategy, the one it is against), the main question's first
    hidden: int
    horizons: list[int]
    qmin: float
    qmax: float
    flat: dict[tuple[str, str], str]  # panel -> why it has no curve worth drawing (flat at 0 % or 100 %), or ""

    def _of(self, frame: pd.DataFrame, panel: tuple[str, str], horizon: int) -> pd.DataFrame:
        return frame[(frame["strategy"] == panel[0]) & (frame["baseline"] == panel[1])
                     & (frame["horizon_months"] == horizon)]

    def curve(self, panel: tuple[str, str], horizon: int) -> pd.DataFrame:
        return self._of(self.curves, panel, horizon).sort_values("queries_per_month")

    def crossing(self, panel: tuple[str, str], horizon: int, q: np.ndarray, p: np.ndarray) -> float:
        """The frame's 50 % crossing (``volume_at_50pct``), else interpolated on the grid."""
        row = self._of(self.crossings, panel, horizon)
        return float(row["volume_at_50pct"].iloc[0]) if len(row) else crossing_50(q, p)


def _panels(info: RunInfo, curves: pd.DataFrame) -> list[tuple[str, str]]:
    """The frame's pairs (strategy, the strategy it is against): those against another strategy
    than the baseline (the decision's pair) first, then the challengers against the baseline in
    scenario order."""
    pairs = [p for p in dict.fromkeys(zip(curves["strategy"], curves["baseline"])) if p[0] != p[1]]
    strategies_in(info, {x for p in pairs for x in p} | set(curves["strategy"]), baseline=True)  # names known
    against = [s for s, b in pairs if b == info.baseline]
    own = [(s, info.baseline) for s in strategies_in(info, against)] if against else []
    others = [p for p in pairs if p[1] != info.baseline]
    if not own and not others:
        strategies_in(info, curves["strategy"].unique())  # nothing to plot: says so
    return others + own


def _read(curves: pd.DataFrame, info: RunInfo) -> _Curves:
    require_columns(curves, _CURVE_COLUMNS, "curves")
    if "baseline" not in curves.columns:  # every row against the run's baseline
        curves = curves.assign(baseline=info.baseline)
    crossings = (curves.drop_duplicates(["strategy", "baseline", "horizon_months"])
                 if "volume_at_50pct" in curves.columns else curves.iloc[0:0].assign(volume_at_50pct=np.nan))
    curves = curves.dropna(subset=["p_win"])
    challengers = _panels(info, curves)
    horizons = sorted(int(h) for h in curves["horizon_months"].unique())
    q_all = curves["queries_per_month"].to_numpy(float)
    qmin, qmax = float(q_all.min()), float(q_all.max())
    longest = curves[curves["horizon_months"] == horizons[-1]]
    at = info.queries_per_month if info.queries_per_month is not None else math.sqrt(qmin * qmax)

    def p_at_volume(panel: tuple[str, str]) -> float:
        c = longest[(longest["strategy"] == panel[0]) & (longest["baseline"] == panel[1])]
        return at_volume(c.sort_values("queries_per_month"), at, "p_win")[0] if len(c) else -1.0

    # The scenario's main question (the recommended strategy against the runner-up) is the first
    # panel and the title's first sentence, not whichever pair the file lists first.
    main = [info.main_pair()] if info.main_pair() in challengers else []
    shown, hidden = keep_most(challengers, p_at_volume, MAX_PANELS, always=main)
    flat = {panel: flat_pwin_sentence(strategy_label(info, curves, panel[0]), strategy_label(info, None, panel[1]),
                                      curves[(curves["strategy"] == panel[0]) & (curves["baseline"] == panel[1])],
                                      qmin, qmax) for panel in shown}
    return _Curves(curves, crossings, main + [p for p in shown if p not in main], hidden, horizons, qmin, qmax, flat)


# --- the finding --------------------------------------------------------------------------------


def pwin_vs_volume_finding(curves: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, read at the longest horizon: "<challenger> beats <baseline> in most
    futures above <volume>" (or below, at every volume, never), per panel shown.

    Parameters
    ----------
    curves, info
        As :func:`plot_pwin_vs_volume`.
    """
    return _finding(_read(curves, info), info)


def _finding(data: _Curves, info: RunInfo) -> str:
    sentences = [text for panel, s in enumerate(data.challengers)
                 if (text := _sentence(data, info, s, first=panel == 0))]
    # Past three panels a title naming every one is unreadable: the main question's
    # finding, and where the others are.
    if len(sentences) > MAX_TITLE_SENTENCES:
        others = len(sentences) - 1 + data.hidden
        sentences = [sentences[0], f"{others} other challengers: see each panel"
                     + (" and pwin_crossings.csv" if data.hidden else "")]
    return rough(info, "; ".join(sentences))


def _sentence(data: _Curves, info: RunInfo, panel: tuple[str, str], *, first: bool) -> str:
    """One panel's finding at the longest horizon ("" when it has no curve there)."""
    h = data.horizons[-1]
    c = data.curve(panel, h)
    if c.empty:
        return ""
    q, p = c["queries_per_month"].to_numpy(float), c["p_win"].to_numpy(float)
    kind, x = volume_kind(q, p, data.crossing(panel, h, q, p))
    label = strategy_label(info, data.curves, panel[0])
    base = strategy_label(info, None, panel[1])
    # a short sentence names its other side when it is not the first sentence's
    sentence = volume_finding(kind, x, label, base, h, data.qmin, data.qmax, first=first,
                              name_base=panel[1] != data.challengers[0][1])
    sentence += narrow_win(kind, x, q, p, c["p_win_low"].to_numpy(float), first=first)
    if info.queries_per_month is not None:
        sentence += coin_flip(c, info.queries_per_month, "p_win", first=first)
    return sentence


def crossings_50(q: np.ndarray, p: np.ndarray) -> list[float]:
    """Every volume where ``p`` crosses 0.5, interpolated in log volume, lowest first."""
    above = p >= 0.5
    out = []
    for i in np.flatnonzero(above[1:] != above[:-1]):
        t = (0.5 - p[i]) / (p[i + 1] - p[i])
        out.append(float(np.exp(np.log(q[i]) + t * (np.log(q[i + 1]) - np.log(q[i])))))
    return out


def crossing_50(q: np.ndarray, p: np.ndarray) -> float:
    """First volume where ``p`` crosses 0.5; NaN if it does not."""
    found = crossings_50(q, p)
    return found[0] if found else math.nan


def volume_kind(q: np.ndarray, p: np.ndarray, crossing: float) -> tuple[str, float]:
    """Where the curve sits against 50 %: ("above"|"below", volume) or ("always"|"never", nan)."""
    if np.all(p >= 0.5):
        return "always", math.nan
    if np.all(p < 0.5):
        return "never", math.nan
    found = crossings_50(q, p)
    # A curve that crosses more than once (self-hosting's GPU steps): from its last crossing
    # on it stays on one side, which is what the title can say.
    if len(found) > 1 or not math.isfinite(crossing):
        crossing = found[-1]
    return ("above" if p[-1] >= 0.5 else "below"), crossing


def volume_finding(kind: str, x: float, label: str, base: str, horizon: int,
                   vmin: float, vmax: float, *, first: bool, name_base: bool = False) -> str:
    """One challenger's P(win)-vs-volume finding; ``first`` gives the full sentence, ``name_base``
    a short one that names the other side ("X beats Y above 69k")."""
    if kind in ("above", "below"):
        full = f"beats {base} in most futures {kind} {format_volume(x)} queries/month"
        short = f"{kind} {format_volume(x)}"
    elif kind == "always":
        full = (f"beats {base} in most futures at every volume from {format_volume(vmin)} to "
                f"{format_volume(vmax)} queries/month")
        short = "at every volume"
    else:
        full = f"never beats {base} in most futures below {format_volume(vmax)} queries/month"
        short = f"never below {format_volume(vmax)}"
    if first:
        return f"{label} {full} over {horizon} months"
    if name_base:
        return f"{label} never beats {base} {short[6:]}" if kind not in ("above", "below", "always") \
            else f"{label} beats {base} {short}"
    return f"{label} {short}"


def narrow_win(kind: str, x: float, q: np.ndarray, p: np.ndarray, p_low: np.ndarray, *,
               first: bool) -> str:
    """", but only just (at most 53 %)" when, where the curve says the challenger wins (above or
    below ``x``, or everywhere), P(win) stays under :data:`NARROW_WIN`; a coin flip when even its
    highest point's 95 % band holds 50 %. "" otherwise."""
    side = {"above": q >= x, "below": q <= x, "always": np.ones_like(q, bool)}.get(kind)
    if side is None or not side.any():
        return ""
    i = int(np.flatnonzero(side)[np.argmax(p[side])])
    if p[i] >= NARROW_WIN:
        return ""
    if p_low[i] <= 0.5:
        return (f", but even there it is a coin flip (at most {format_share(p[i])})" if first
                else " (a coin flip)")
    return f", but only just (at most {format_share(p[i])})" if first else " (only just)"


def coin_flip(c: pd.DataFrame, volume: float, column: str, *, first: bool) -> str:
    """", a coin flip at your volume (...)" when the 95 % band at ``volume`` holds 50 %."""
    p, lo, hi = at_volume(c.sort_values("queries_per_month"), volume, column)
    if not lo <= 0.5 <= hi:
        return ""
    if first:
        return (f", but at your {format_volume(volume)} queries/month it is a coin flip "
                f"({format_share(p)}, 95 % band {format_share(lo)}–{format_share(hi)})")
    return f" (a coin flip at {format_volume(volume)})"


def flat_pwin_sentence(label: str, base: str, band: pd.DataFrame, vmin: float, vmax: float) -> str:
    """Why a P(win) panel has no curve worth drawing (flat at 0 % or 100 % at every volume and
    horizon, 95 % bands included), or ""; ``band`` is the panel's rows."""
    sweep = f"at every volume from {format_volume(vmin)} to {format_volume(vmax)} queries/month and every horizon"
    if float(band["p_win_high"].max()) < 0.01:
        share = "no future" if float(band["p_win"].max()) == 0 else "fewer than 1 % of futures"
        return f"{label} is cheaper than {base} in {share} {sweep}"
    if float(band["p_win_low"].min()) > 0.99:
        share = "every future" if float(band["p_win"].min()) == 1 else "more than 99 % of futures"
        return f"{label} is cheaper than {base} in {share} {sweep}"
    return ""


# --- the drawing --------------------------------------------------------------------------------


def plot_pwin_vs_volume(
    curves: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
    fig: FigureBase | None = None,
) -> tuple[FigureBase, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) against starting volume, one curve per horizon.

    Parameters
    ----------
    curves
        One row per (strategy, horizon, volume): ``strategy``, ``label``, ``horizon_months``
        (int, months), ``queries_per_month`` (log grid, queries/month), ``p_win`` (0..1) with its
        95 % Wilson band ``p_win_low``/``p_win_high``, ``wins`` and ``samples`` (counts).
        With the crossings attached (:func:`~ftrag_mc.analysis.marks.attach_marks` of
        :func:`ftrag_mc.analysis.compute_crossings`), ``volume_at_50pct`` (queries/month; NaN
        where P(win) does not cross 50 %) is the dot on the 50 % line; without it, the crossing
        is interpolated on the grid. An optional ``baseline`` column names the strategy each
        row's P(win) is against (default ``info.baseline``): one panel per (strategy, baseline)
        pair, e.g. the recommended strategy against the runner-up beside each challenger against
        the baseline.
    info
        The run: strategies, labels, colours, the footnote, and ``queries_per_month`` (marked
        "your volume"). The main pair (:meth:`RunInfo.main_pair`: the decision's, else the main
        challenger against the baseline) is drawn first.
    ax
        Draw onto this axes; ``curves`` must then hold exactly one challenger.
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes or ndarray of Axes
        One Axes for one challenger; else one panel per challenger (at most 12) sharing the y
        axis. The title is :func:`pwin_vs_volume_finding`.

    Raises
    ------
    ValueError
        A column is missing, a strategy is not in the scenario, or ``ax`` is given while
        ``curves`` holds more than one challenger.
    """
    data = _read(curves, info)
    one_panel_only(ax, fig, data.challengers, "curves must hold")
    # A flat line at 0 % or 100 % is no curve: its sentence goes in the footnote and the figure
    # shrinks to the panels that have one (or, with none, to a band holding the sentence).
    drawn = panels_drawn(ax, data.challengers, data.flat)
    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(drawn), sharey=True, fig=fig)
        if not drawn:
            shrink_to_sentence(fig, created)
        panels = [_draw_panel(a, data, info, panel) for a, panel in zip(axes, drawn)]
        finish(fig, axes, created=created, finding=_finding(data, info), subtitles=_subtitles(data, info, drawn),
               footnote=chart_footnote(info, _notes(data, drawn), data.hidden, "pwin_vs_volume.csv"))
        settle(fig)
        if not drawn or data.flat.get(drawn[0]):
            nothing_to_show(axes[0], "; ".join(data.flat[p] for p in data.challengers) + ": no curve to draw")
            return returned(fig, axes)
        for a, (room, marks) in zip(axes, panels):
            room.measure()
            draw_legend(a, room, title="Horizon")
            if info.queries_per_month is not None:
                volume_label(a, room, info.queries_per_month)
            for h, x in sorted(marks, reverse=True):  # the longest horizon first
                annotate(a, room, x, 0.5, f"{h} mo: {format_volume(x)}/month",
                         arrowprops=dict(arrowstyle="-", color="#9A9A9A", lw=0.8, shrinkA=0, shrinkB=5))
    return returned(fig, axes)


def _subtitles(data: _Curves, info: RunInfo, drawn: list[tuple[str, str]]) -> list[str]:
    """One subtitle per panel: the pair it compares ("Main question: " on the first)."""
    def pair(panel: tuple[str, str]) -> str:
        return f"{strategy_label(info, data.curves, panel[0])} vs {strategy_label(info, None, panel[1])}"

    if len(drawn) <= 1:
        lead = f"{pair(drawn[0])}, " if drawn and len(data.challengers) > 1 else ""
        return [chart_subtitle(info, f"{lead}total cost over each horizon")]
    return [f"{'Main question: ' if panel == info.main_pair() else ''}{pair(panel)}" for panel in drawn]


def _notes(data: _Curves, drawn: list[tuple[str, str]]) -> str:
    """The footnote's notes: the bands of the curves drawn, and the pairs with no panel."""
    if not drawn:  # the sentences are the chart
        return ""
    rows = pd.concat([data.curves[(data.curves["strategy"] == s) & (data.curves["baseline"] == b)] for s, b in drawn])
    notes = [band_note(rows["p_win_low"], rows["p_win_high"])]
    notes += [f"{data.flat[p]} (no panel)" for p in data.challengers if p not in drawn]
    return " · ".join(notes)


def _draw_panel(a: Axes, data: _Curves, info: RunInfo, panel: tuple[str, str]) -> tuple[Clearance, list]:
    """One pair's curves, bands and crossing dots; the room left and the crossings to label."""
    s, base = panel[0], strategy_label(info, None, panel[1])
    label = strategy_label(info, data.curves, s)
    look = look_of(info, s)
    styles = horizon_styles(info.colour(s), data.horizons)
    set_volume_axis(a)
    a.set_xlim(data.qmin / 1.15, data.qmax * 1.15)
    set_probability_axis(a, f"P({label} cheaper than {base})")
    a.tick_params(labelleft=True)
    room = Clearance(a)
    marks = []
    for h in data.horizons:
        c = data.curve(panel, h)
        if c.empty:
            continue
        q, p = c["queries_per_month"].to_numpy(float), c["p_win"].to_numpy(float)
        st = styles[h]
        a.fill_between(q, c["p_win_low"], c["p_win_high"], color=st.colour, alpha=BAND_ALPHA, lw=0)
        markers = {} if look.marker is None else dict(
            marker=look.marker, ms=6, mfc="white", mec=st.colour, mew=1.6, markevery=max(len(q) // 6, 1))
        a.plot(q, p, color=st.colour, ls=st.linestyle, lw=st.linewidth, label=f"{h} months",
               zorder=3 + h / 1000, **markers)
        room.add_line(q, p)
        x50 = data.crossing(panel, h, q, p)
        if math.isfinite(x50):
            dot(a, room, x50, 0.5, st.colour)
            marks.append((h, x50))
    fifty_line(a, room)
    if info.queries_per_month is not None:
        volume_line(a, room, info.queries_per_month)
    return room, marks
