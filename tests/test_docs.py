"""The README stays true: its reference is the generated one, and its commands and files exist."""

from __future__ import annotations

import re
from pathlib import Path

from ftrag_mc.scenario import describe_format

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_reference_is_generated_from_the_schema() -> None:
    block = README.split("<!-- reference:start -->\n")[1].split("\n<!-- reference:end -->")[0]
    assert block == describe_format().rstrip(), "run: ftrag-mc format, and paste it into the README"


def test_readme_names_only_files_that_exist() -> None:
    for path in set(re.findall(r"`((?:scenarios|benchmarks|docs)/[\w./-]+)`", README)) | {"docs/pwin_vs_volume.png"}:
        assert (ROOT / path).exists(), path


def test_readme_commands_run_a_shipped_scenario_and_the_tests() -> None:
    commands = README.split("```bash")[1].split("```")[0]
    assert "ftrag-mc run scenarios/support-classifier.toml" in commands
    assert "pytest" in commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci and "\npytest" in ci


def test_readme_python_examples_run(monkeypatch) -> None:
    # The notebook examples, run as written (from the repository root, on a non-interactive backend).
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    chunks = README.split("```python\n")
    for before, block in zip(chunks, chunks[1:]):
        if before.rstrip().endswith("-->") and "<!-- extend:" in before.rstrip().splitlines()[-1]:
            continue  # a snippet to paste into the package: tests/test_registry.py applies and runs it
        code = block.split("```")[0]
        code = code.replace("samples=20_000", "samples=2_000")  # the same calls, faster
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    ev = namespace["ev"]
    assert ev.npc_usd.shape == (2, 3, 2, 2)
    assert np_allclose(sum(ev.components.values()), ev.npc_usd)
    plt.close("all")


def np_allclose(a, b) -> bool:
    import numpy as np

    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-6))


def test_every_report_item_is_in_the_readme_table_and_in_run_help() -> None:
    from click.testing import CliRunner

    from ftrag_mc.cli import main
    from ftrag_mc.report.items import REPORT_ITEMS

    table = README.split("| file | what it shows |")[1].split("\n\n")[0]
    listed = set()
    for cell in re.findall(r"^\| `([^`]+)`", table, flags=re.M):
        stem, _, exts = cell.partition(".")
        exts = exts.strip("{}").split(",") if exts.startswith("{") else [exts]
        listed |= {f"{stem}.{e}" for e in exts}
    help_text = CliRunner().invoke(main, ["run", "--help"]).output
    for item in REPORT_ITEMS:
        assert item.name in listed, f"{item.name} is missing from the README's table of files"
        assert item.name in help_text, f"{item.name} is missing from ftrag-mc run --help"
