"""Shared fixtures: the test scenarios, a CLI runner, and a byte snapshot of a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# No per-example deadline: an example's first call may build what later calls reuse (a PINV
# table, a scipy import), so on a loaded 2-core machine one slow first call and a fast re-run
# made Hypothesis report "Flaky" (test_pert_ppf_monotone_and_bounded failed so once).
settings.register_profile("ftrag-mc", deadline=None)
settings.load_profile("ftrag-mc")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def minimal_path() -> Path:
    """A small valid two-strategy scenario (RAG baseline, fine-tune), sharing one input."""
    return FIXTURES / "good" / "minimal.toml"


@pytest.fixture
def full_path() -> Path:
    """A valid scenario using every section, every component and [correlation]."""
    return FIXTURES / "good" / "full.toml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Everything under ``folder``, hidden entries included: relative path -> bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.fixture(name="snapshot")
def snapshot_fixture():
    return snapshot


@pytest.fixture
def charts_never_saved(monkeypatch):
    """Plot functions never save; every figure a test opens is closed after it."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    def refuse(*_args, **_kwargs):
        raise AssertionError("plot functions must not save files")

    monkeypatch.setattr(Figure, "savefig", refuse)
    yield
    plt.close("all")


@pytest.fixture(autouse=True, scope="session")
def no_progress_lines_in_command_output():
    """Off a terminal a long command writes a progress line every few seconds to stderr, which a
    test's CliRunner output would then hold or not depending on the machine's speed: tests of a
    command's output see none (tests/test_progress.py puts the interval back to test the lines)."""
    from ftrag_mc import cli_progress

    every, cli_progress.LOG_EVERY_S = cli_progress.LOG_EVERY_S, float("inf")
    yield
    cli_progress.LOG_EVERY_S = every
