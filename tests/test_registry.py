"""The registry of cost components: every component declares every field, the rest of the product
derives from it, and a new component is its record, its entry and its cost function (the README's
worked example, applied to a copy of the package)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ftrag_mc.model import components
from ftrag_mc.model.components import BY_KEY, COMPONENTS, ITEM_KINDS, REGISTRY, SECTIONS
from ftrag_mc.model.strategy import Strategy, build_cost_terms
from ftrag_mc.model.evaluate import input_values
from ftrag_mc.scenario import describe_format, describe_input, load_scenario
from ftrag_mc.schema import schema_fields

ROOT = Path(__file__).resolve().parent.parent
FULL = Path(__file__).parent / "fixtures" / "good" / "full.toml"


def test_every_component_declares_its_name_label_and_own_colour():
    assert len(set(COMPONENTS)) == len(COMPONENTS)
    colours = [c.colour for c in REGISTRY]
    assert len(set(colours)) == len(colours), "each component needs a colour of its own"
    for c in REGISTRY:
        assert re.fullmatch(r"[a-z_]+", c.key), c.key
        assert c.label.strip(), c.key
        assert re.fullmatch(r"#[0-9a-f]{6}", c.colour), c.key
        assert set(c.items) <= {*ITEM_KINDS, "GPU replicas"}, c.key


def test_every_table_has_a_record_a_doc_and_words_for_each_input():
    for c in SECTIONS:
        assert dataclasses.is_dataclass(c.record) and c.doc, c.key
        for f in schema_fields(c.record):
            if f.metadata["kind"] == "quantity":
                assert f.metadata.get("words"), f"{c.key}.{f.name} needs words for its labels"
                assert f.metadata["doc"], f"{c.key}.{f.name} needs a doc"


def test_a_table_is_priced_by_its_own_function_or_its_sibling():
    # The prompt cache is priced with the LLM calls (its prefix is part of the LLM's input).
    unpriced = [c.key for c in SECTIONS if c.cost is None]
    assert unpriced == ["cache"]


def test_the_strategy_record_is_its_own_keys_then_one_table_per_component():
    names = [f.name for f in dataclasses.fields(Strategy)]
    tables = names[names.index(SECTIONS[0].key):]
    assert tables == [c.key for c in SECTIONS] + ["end_of_life"]
    # and the reference lists each table with its doc
    reference = describe_format()
    for c in SECTIONS:
        assert f"#### `[strategies.<name>].{c.key}`" in reference
        assert c.doc in reference


def test_every_part_the_model_forms_is_a_registered_component():
    scenario = load_scenario(FULL)
    values, _ = input_values(scenario)
    terms = build_cost_terms(scenario, values, 1)
    formed = {name for t in terms.values() for name in t.parts}
    assert formed <= set(COMPONENTS)
    assert len(formed) >= 10  # the fixture uses every component


def test_labels_of_inputs_come_from_the_schema_words():
    scenario = load_scenario(FULL)
    for name in scenario.uncertain_inputs:
        parts = name.split(".")
        if parts[0] == "strategies" and len(parts) == 4 and parts[2] in BY_KEY:
            record = BY_KEY[parts[2]].record
            words = {f.name: f.metadata.get("words") for f in schema_fields(record)}[parts[3]]
            assert describe_input(scenario, name).startswith(f"the {words} of ")


def test_a_component_needing_the_llm_calls_says_so():
    for c in SECTIONS:
        if c.check is not None:
            assert "[llm]" in c.check(_bare_strategy(c.key)), c.key


def _bare_strategy(key: str):
    """A strategy holding only ``key``'s table (its fields left at None: what a check reads)."""
    record = BY_KEY[key].record
    table = record(**{f.name: None for f in dataclasses.fields(record)})
    return Strategy(**{key: table})


# --- a new component: the README's worked example --------------------------------------------------

def _snippets() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    found = {}
    for name in ("record", "entry", "cost"):
        block = readme.split(f"<!-- extend:{name} -->\n```python\n")[1].split("```")[0]
        found[name] = block
    return found


@pytest.mark.slow
def test_a_new_component_is_its_record_entry_and_cost_function(tmp_path):
    """The README's three snippets, applied to a copy of the package, give a working component:
    the scenario table validates (a typo is an error), it costs what its formula says, and the
    reference, explain, the breakdown and the input labels all know it."""
    package = tmp_path / "ftrag_mc"
    shutil.copytree(ROOT / "ftrag_mc", package, ignore=shutil.ignore_patterns("__pycache__"))
    snippets = _snippets()
    registry = package / "model" / "components.py"
    text = registry.read_text()
    text = text.replace("# --- the registry ----", snippets["record"] + "\n\n# --- the registry ----", 1)
    text = text.replace("\n)\n\n#: Component names, in report order.", "\n" + snippets["entry"] + ")\n\n#: Component names, in report order.", 1)
    registry.write_text(text)
    costs = package / "model" / "costs.py"
    costs.write_text(costs.read_text() + "\n\n" + snippets["cost"])

    scenario = tmp_path / "moderated.toml"
    scenario.write_text(textwrap.dedent("""
        [scenario]
        horizon_months = 12
        baseline = "a"
        [volume]
        queries_per_month = 100000
        [strategies.a]
        per_query_usd = 0.01
        moderation = { usd_per_query = { dist = "uniform", min = 0.0001, max = 0.0003 } }
        [strategies.b]
        per_query_usd = 0.012
    """))
    typo = tmp_path / "typo.toml"
    typo.write_text(scenario.read_text().replace("usd_per_query = {", "usd_per_qery = {"))
    check = textwrap.dedent(f"""
        import numpy as np
        import ftrag_mc as fm
        from ftrag_mc.analysis.strategy_costs import compute_breakdown
        from ftrag_mc.analysis.explain import compute_explain
        from ftrag_mc.scenario import describe_format, describe_input
        s = fm.load_scenario({str(scenario)!r})
        ev = fm.evaluate(s, months=[12], components=True)
        # 100,000 calls x 12 months x ($0.01 + the median $0.0002)
        assert abs(ev.npc_usd[0, 0, 0, 0] - 1_200_000 * 0.0102) < 1e-6, ev.npc_usd
        assert abs(ev.components["moderation"][0, 0, 0, 0] - 1_200_000 * 0.0002) < 1e-6
        assert "#### `[strategies.<name>].moderation`" in describe_format()
        items = compute_explain(s).items
        assert "moderation calls" in set(items["item"])
        assert describe_input(s, "strategies.a.moderation.usd_per_query") == "the moderation price of a"
        breakdown = compute_breakdown(s, samples=200)
        row = breakdown[(breakdown.strategy == "a") & (breakdown.component == "moderation")]
        assert row["component_label"].iloc[0] == "moderation"
        try:
            fm.load_scenario({str(typo)!r})
        except fm.ScenarioError as error:
            assert "usd_per_qery" in str(error) and "did you mean 'usd_per_query'" in str(error), error
        else:
            raise AssertionError("a typo in the new table must be an error")
        print("ok")
    """)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("key", ["latency", "escalation", "self_hosted", "retrieval", "per_call"])
def test_a_component_is_named_in_its_declaration_its_cost_function_and_the_catalog_only(key):
    # The house's rule: a component key appears in the registry, its cost function, and where the
    # price catalog or a lint rule needs it by name; nowhere else in the package's code.
    package = ROOT / "ftrag_mc"
    catalog = {str(p.relative_to(package)) for p in (package / "catalog").glob("*.py")}  # the catalog package
    allowed = {"model/components.py", "model/costs.py", "lint.py", *catalog}
    naming = {str(p.relative_to(package)) for p in package.rglob("*.py") if key in p.read_text(encoding="utf-8")}
    assert naming <= allowed, naming - allowed
