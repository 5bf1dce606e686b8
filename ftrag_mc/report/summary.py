"""``summary.md``: the headline, the key figures, the files of the report and the data dictionary
of its CSVs, in Markdown."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ftrag_mc._version import __version__
from ftrag_mc.report.dictionary import columns_of
from ftrag_mc.report.headline import MAIN_MARK_NOTE, headline, key_figures
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
    """``summary.md``: the headline, the key figures, the files of the report and a data dictionary
    of its CSV columns."""
    scenario = result.scenario
    files = sorted(set(items) | set(DOCUMENT_FILES))
    lines = [f"# {scenario.title}", "", headline(result, summary, items.get("top_inputs.csv")), "",
             f"## Key figures ({format_volume(result.scenario_volume)} queries/month, "
             f"{max(result.horizons)} months, baseline {scenario.label(result.baseline)})", ""]
    lines += _md_table(key_figures(result, summary))
    if len(result.challengers) > 1:
        lines += ["", MAIN_MARK_NOTE]
    lines += ["", f"{result.n_samples:,} samples ({result.sampler}, seed {result.seed}), ftrag-mc "
              f"{__version__}. ΔNPC = challenger's net present cost minus the baseline's; negative is a saving.",
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
