"""``summary.md``: the headline, the decision among all strategies, each challenger against the
baseline, the files of the report and the data dictionary of its CSVs, in Markdown."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ftrag_mc._version import __version__
from ftrag_mc.report.dictionary import columns_of
from ftrag_mc.report.decision_words import decision_display, pair_facts
from ftrag_mc.report.headline import DECISION_MARK_NOTE, headline, key_figures
from ftrag_mc.report.items import DOCUMENT_FILES
from ftrag_mc.report.numbers import format_volume
from ftrag_mc.simulate import SimulationResult

__all__ = ["build_summary_md"]


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines


def build_summary_md(result: SimulationResult, summary: pd.DataFrame, items: Mapping[str, Any]) -> str:
    """``summary.md``: the headline, the decision among all strategies (``decision.csv``), the
    recommended strategy against the runner-up with every figure's Monte Carlo error, each
    challenger against the baseline, the files of the report and a data dictionary of its CSV
    columns."""
    scenario = result.scenario
    currency = scenario.meta.currency
    decision = items["decision.csv"]
    rec = decision[decision["role"] == "recommended"].iloc[0]
    ru = decision[decision["role"] == "runner-up"].iloc[0]
    files = sorted(set(items) | set(DOCUMENT_FILES))
    lines = [f"# {scenario.title}", "", headline(result, decision, items.get("top_inputs.csv")), "",
             f"## The decision ({format_volume(result.scenario_volume)} queries/month, "
             f"{int(rec['horizon_months'])} months, "
             f"{'lowest CVaR95 of net present cost' if rec['rule'] == 'cvar' else 'lowest expected net present cost'})",
             ""]
    lines += _md_table(decision_display(decision, currency))
    lines += ["", DECISION_MARK_NOTE, "", f"### {rec['label']} against {ru['label']}", ""]
    lines += [f"- {name}: {value}" for name, value in pair_facts(decision, currency)]
    lines += ["", f"## Against the baseline, {scenario.label(result.baseline)} "
              f"({max(result.horizons)} months)", ""]
    lines += _md_table(key_figures(result, summary))
    lines += ["", f"{result.n_samples:,} samples ({result.sampler}, seed {result.seed}), ftrag-mc "
              f"{__version__}. ΔNPC = challenger's net present cost minus the baseline's; negative is a saving. "
              "± is a standard error; intervals are 95 %: Wilson for probabilities, order statistics for "
              "medians (read from the run's histograms), tail spread for CVaR95.",
              "", "## Files", ""]
    lines += [f"- `{name}`" for name in files]
    lines += ["", "## Data dictionary", ""]
    for name in files:
        columns = columns_of(name)
        if not columns:
            continue
        lines += [f"### {name}", ""]
        lines += _md_table(pd.DataFrame([(c, m, u) for c, (m, u) in columns.items()],
                                        columns=["column", "meaning", "unit"]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
