"""The page's main chart (ftrag_mc.app.live_chart): P(win) against volume written as SVG directly.

Positions are checked against the axes' own arithmetic written out here (a log x axis over the
sweep widened by 15 % each side, a linear 0-100 % y axis), the words against the report's finding
and the crossings the frame carries."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from ftrag_mc.app.live_chart import LIVE_SIZE_PX, pwin_svg
from ftrag_mc.report.charts import pwin_vs_volume_finding
from ftrag_mc.report.style import RunInfo

SVG = "{http://www.w3.org/2000/svg}"
LEFT, RIGHT, TOP, BOTTOM = 112, 780, 84, 396  # the plot area the module draws in


def _info(labels: dict[str, str] | None = None, volume: float | None = 50_000.0) -> RunInfo:
    labels = labels or {"rag": "RAG", "ft": "Fine-tune"}
    return RunInfo(scenario="toy", title="Toy", strategies=tuple(labels), labels=labels, baseline="rag",
                   samples=4000, seed=3, sampler="lhs", version="test", currency="USD", overrides=(),
                   queries_per_month=volume, sweep_queries_per_month=(1e3, 1e6), horizon_months=24,
                   main_challenger="ft", decision_pair=None, interims={})


def _frame(crossings: dict[int, float]) -> pd.DataFrame:
    """Logistic P(win) curves rising through 50 % at each horizon's crossing, with its marks."""
    q = np.logspace(3, 6, 13)
    rows = []
    for h, at in crossings.items():
        p = 1 / (1 + (at / q) ** 3)
        rows.append(pd.DataFrame({"strategy": "ft", "label": "Fine-tune", "horizon_months": h, "queries_per_month": q,
                                  "p_win": p, "p_win_low": p * 0.9, "p_win_high": np.minimum(p * 1.1, 1.0),
                                  "wins": (p * 4000).round(), "samples": 4000, "volume_at_50pct": at}))
    return pd.concat(rows, ignore_index=True)


def _x(volume: float) -> float:
    lo, hi = math.log10(1e3 / 1.15), math.log10(1e6 * 1.15)
    return LEFT + (math.log10(volume) - lo) / (hi - lo) * (RIGHT - LEFT)


def _y(p: float) -> float:
    return BOTTOM - p * (BOTTOM - TOP)


def _texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _y_label(root) -> str:
    """The rotated text (the y axis's label, wrapped at spaces), its lines joined."""
    return " ".join(t.text for t in root.iter(f"{SVG}text") if t.get("transform"))


@pytest.fixture
def drawn():
    frame = _frame({12: 200_000.0, 24: 60_000.0})
    info = _info()
    return frame, info, ET.fromstring(pwin_svg(frame, info))


def test_it_is_an_svg_of_the_page_size_titled_with_the_report_s_finding(drawn):
    frame, info, root = drawn
    assert (root.get("width"), root.get("height")) == tuple(str(v) for v in LIVE_SIZE_PX) == ("800", "480")
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold" and t.text != "Horizon"]
    assert " ".join(bold) == pwin_vs_volume_finding(frame, info)
    assert _y_label(root) == "P(Fine-tune cheaper than RAG)"


def test_each_horizon_is_a_line_through_its_p_win_values(drawn):
    frame, _info_, root = drawn
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2  # one per horizon, the shorter first
    for line, h in zip(lines, (12, 24)):
        rows = frame[frame["horizon_months"] == h]
        points = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
        expected = [(_x(v), _y(p)) for v, p in zip(rows["queries_per_month"], rows["p_win"])]
        assert np.allclose(points, expected, atol=0.06)  # written to 0.1 px
    assert lines[1].get("stroke-dasharray") is None and lines[0].get("stroke-dasharray")  # longest solid


def test_the_crossings_are_dotted_on_the_50_percent_line_and_labelled(drawn):
    _frame_, _info_, root = drawn
    dots = sorted((float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle"))
    assert np.allclose(dots, [(_x(60_000), _y(0.5)), (_x(200_000), _y(0.5))], atol=0.06)
    texts = _texts(root)
    assert "24 mo: 60k/month" in texts and "12 mo: 200k/month" in texts
    assert "your volume" in texts and "50k/month" in texts


def test_the_decades_are_the_ticks():
    root = ET.fromstring(pwin_svg(_frame({24: 60_000.0}), _info(volume=None)))
    texts = _texts(root)
    assert [t for t in texts if re.fullmatch(r"\d+[kM]?", t)] == ["1k", "10k", "100k", "1M"]
    assert "your volume" not in texts and [t for t in texts if t.endswith(" %")] == ["0 %", "25 %", "50 %", "75 %", "100 %"]


def test_labels_are_written_as_text_whatever_they_hold():
    labels = {"rag": "RAG <v2> & co", "ft": "微调 ($5k run)"}
    frame = _frame({24: 60_000.0}).assign(label=labels["ft"])
    root = ET.fromstring(pwin_svg(frame, _info(labels)))  # parses: &, < and > are escaped
    assert _y_label(root) == "P(微调 ($5k run) cheaper than RAG <v2> & co)"
    assert not any("\\$" in t for t in _texts(root))


def test_a_curve_that_never_crosses_has_no_dot():
    q = np.logspace(3, 6, 13)
    frame = pd.DataFrame({"strategy": "ft", "label": "Fine-tune", "horizon_months": 24, "queries_per_month": q,
                          "p_win": 0.9, "p_win_low": 0.85, "p_win_high": 0.95, "wins": 3600, "samples": 4000,
                          "volume_at_50pct": np.nan})
    root = ET.fromstring(pwin_svg(frame, _info()))
    assert not list(root.iter(f"{SVG}circle")) and len(list(root.iter(f"{SVG}polyline"))) == 1


def test_a_frame_without_a_counted_p_win_says_so():
    frame = _frame({24: 60_000.0}).assign(p_win=np.nan)
    root = ET.fromstring(pwin_svg(frame, _info()))
    assert _texts(root) == ["No P(win) to draw: no futures counted"]


def test_a_long_pair_keeps_every_word_of_its_axis_label():
    labels = {"rag": "RAG (Sonnet 4.5, uncached)", "ft": "Fine-tune (hosted, +25 %)"}
    root = ET.fromstring(pwin_svg(_frame({24: 60_000.0}).assign(label=labels["ft"]), _info(labels)))
    assert _y_label(root) == "P(Fine-tune (hosted, +25 %) cheaper than RAG (Sonnet 4.5, uncached))"
