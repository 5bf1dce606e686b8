"""Analyses against hand numbers and scipy."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from ftrag_mc.analysis import compute_payback_months, crossing_volume, quantiles, wilson_interval


@pytest.mark.parametrize("k,n", [(0, 20), (1, 20), (7, 20), (20, 20), (4_321, 20_000), (1, 1_000_000)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_payback_months_by_hand() -> None:
    # Support classifier: $2,200 up front, $350/month saving -> 2200/350 = 6.2857 months.
    months = np.arange(37)
    delta = np.stack([
        2200 - 350.0 * months,          # pays back inside month 7
        -10 + 0.0 * months,             # cheaper from t = 0
        100 + 1.0 * months,             # never
        np.where(months < 3, 50.0, -5.0),   # crosses at the end of month 3: 2 + 50/55
    ])
    got = compute_payback_months(delta)
    assert got[0] == pytest.approx(2200 / 350)
    assert got[1] == 0.0
    assert np.isinf(got[2])
    assert got[3] == pytest.approx(2 + 50 / 55)


def test_crossing_volume_interpolates_in_log_volume() -> None:
    volumes = np.array([1e3, 1e4, 1e5])
    # 0.25 at 1e4 and 0.75 at 1e5: halfway in log10 is 10**4.5.
    assert crossing_volume(volumes, np.array([0.0, 0.25, 0.75])) == pytest.approx(10**4.5)
    assert np.isnan(crossing_volume(volumes, np.array([0.6, 0.7, 0.8])))   # above 50 % from the start
    assert np.isnan(crossing_volume(volumes, np.array([0.1, 0.2, 0.3])))   # never reaches it


def test_quantiles_treat_never_as_infinite() -> None:
    x = np.array([1.0, 2.0, 3.0, np.inf, np.inf])
    q = quantiles(x, [0.0, 0.5, 0.75, 1.0])
    assert q[0] == 1.0 and q[1] == 3.0
    assert np.isinf(q[2]) and np.isinf(q[3])


# --- the house: analyses count, the report speaks ------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "ftrag_mc"
#: What an analysis may import: the layers below it (accumulate: the run's bounded statistics;
#: limits: the bounds every layer checks against).
ANALYSIS_MAY_IMPORT = {"simulate", "engine", "scenario", "model", "sampling", "distributions", "schema", "formats",
                       "errors", "overrides", "accumulate", "limits", "analysis"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each package module -> the package modules it imports (at any depth of its code), file level."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {known(a.name) for a in node.names if a.name.startswith("ftrag_mc.")}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("ftrag_mc"):
                found |= {known(f"{node.module}.{a.name}") for a in node.names}
        graph[name] = found - {None, name}
    return graph


def test_analysis_imports_only_the_layers_below_it():
    graph = _imports()
    for name, imported in graph.items():
        if name.startswith("ftrag_mc.analysis"):
            above = {m for m in imported if m.split(".")[1] not in ANALYSIS_MAY_IMPORT}
            assert not above, (name, above)
    # The number formats sit below analysis and report alike.
    assert graph["ftrag_mc.formats"] == set()


def test_the_package_has_no_import_circle():
    graph = _imports()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise AssertionError(" -> ".join(path[path.index(name):] + (name,)))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, path + (name,))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_old_homes_still_import_the_same_objects():
    # ``analysis.voi``, ``analysis.sensitivity`` and ``report.numbers`` gather names that now live
    # where they say.
    from ftrag_mc import formats
    from ftrag_mc.analysis import evpi, evppi, sensitivity, spider, tornado, voi
    from ftrag_mc.report import numbers

    assert voi.compute_evpi is evpi.compute_evpi and voi.ZERO_USD == evppi.ZERO_USD
    assert sensitivity.compute_tornado is tornado.compute_tornado
    assert sensitivity.compute_top_inputs is spider.compute_top_inputs
    assert all(getattr(numbers, name) is getattr(formats, name) for name in formats.__all__)
