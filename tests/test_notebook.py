"""docs/quickstart.ipynb runs top to bottom from the repository root and shows its key outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "quickstart.ipynb"


@pytest.fixture(scope="module")
def executed():
    """The notebook after running every cell in a fresh python3 kernel, cwd = repository root."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,  # per cell
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def _cell(nb, needle: str):
    """The one code cell whose source contains ``needle``."""
    found = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
    assert len(found) == 1, f"expected one code cell containing {needle!r}, found {len(found)}"
    return found[0]


def _mimetypes(cell) -> set[str]:
    return {m for out in cell.outputs for m in out.get("data", {})}


def test_committed_without_outputs_and_with_python3_kernel():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"committed with outputs: {cell.source[:60]!r}"
            assert cell.execution_count is None


def test_runs_without_errors(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:60]


@pytest.mark.parametrize(
    "needle",
    [
        "fm.compute_summary(result)",
        "curves.head()",
        "fm.load_scenario(path, [\"volume.queries_per_month=40000\"])",
        "ev.to_frame()",
        "compute_tornado(scenario",
    ],
)
def test_dataframe_cells_show_a_table(executed, needle):
    cell = _cell(executed, needle)
    assert {"text/html", "text/plain"} <= _mimetypes(cell), cell.outputs


def test_plot_cell_shows_an_image(executed):
    cell = _cell(executed, "fm.plot_pwin_vs_volume(")
    assert "image/png" in _mimetypes(cell), cell.outputs


def test_summary_has_the_fine_tuned_challenger(executed):
    cell = _cell(executed, "fm.compute_summary(result)")
    html = "".join(o["data"].get("text/html", "") for o in cell.outputs if "data" in o)
    assert "fine_tuned" in html and "p_win" in html
