"""What-ifs by dotted key path (--set KEY=VALUE): parsed as TOML, validated like the file."""

from __future__ import annotations

import hashlib
import pickle

import pytest

from ftrag_mc.errors import ScenarioError
from ftrag_mc.overrides import (
    OverrideError, apply_overrides, format_override, parse_override, with_baseline,
)
from ftrag_mc.scenario import load_scenario, parse_scenario, parse_scenario_with_overrides

RUN_USD = "strategies.ft.training.run_usd"


# --- parse_override ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, path, value", [
    ("volume.queries_per_month=40000", ("volume", "queries_per_month"), 40000),
    ("volume.queries_per_month = 4e4", ("volume", "queries_per_month"), 40000.0),
    ("strategies.ft.training.run_usd=8_000", ("strategies", "ft", "training", "run_usd"), 8000),
    ("scenario.discount_rate_per_year=-0.05", ("scenario", "discount_rate_per_year"), -0.05),
    ('scenario.title="Support bot: $2k fine-tune = yes"', ("scenario", "title"), "Support bot: $2k fine-tune = yes"),
    ("scenario.baseline=rag", ("scenario", "baseline"), "rag"),  # a bare word is a string
    ("strategies.ft.llm.input_usd_per_mtok=inputs.price", ("strategies", "ft", "llm", "input_usd_per_mtok"),
     "inputs.price"),
    ("scenario.baseline=true", ("scenario", "baseline"), True),  # valid TOML wins over a bare word
    ("scenario.analysis_horizons_months=[6, 12]", ("scenario", "analysis_horizons_months"), [6, 12]),
    ('volume.growth_per_month={dist="uniform",min=0.2,max=0.4}', ("volume", "growth_per_month"),
     {"dist": "uniform", "min": 0.2, "max": 0.4}),
    ('strategies."gpt-4o mini".label=x', ("strategies", "gpt-4o mini", "label"), "x"),
    ('strategies."a=b".label=x', ("strategies", "a=b", "label"), "x"),  # '=' inside a quoted key
])
def test_parse_override(text, path, value):
    got_path, got = parse_override(text)
    assert got_path == path
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text, words", [
    ("volume.queries_per_month", ["--set 'volume.queries_per_month'", "not KEY=VALUE"]),
    ("=5", ["--set '=5'", "empty key"]),
    ("a b=5", ["'a b'", "not a dotted key"]),
    ("volume..queries_per_month=5", ["not a dotted key"]),
    ("scenario.title=My title", ["scenario.title (from --set)", "'My title' is not a TOML value"]),
    ("volume.growth_per_month={dist=", ["volume.growth_per_month (from --set)", "not a TOML value"]),
    ("volume.queries_per_month=", ["volume.queries_per_month (from --set)", "empty"]),
    ("volume.queries_per_month=1\nvolume.sweep_min=2", ["spans several lines"]),
])
def test_bad_override_is_one_line_naming_it(text, words):
    with pytest.raises(ScenarioError) as caught:
        parse_override(text)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


# --- apply_overrides ----------------------------------------------------------------------------


def test_apply_overrides_copies_and_creates_tables():
    table = {"volume": {"queries_per_month": 1}, "strategies": {"ft": {"llm": {"output_tokens": 5}}}}
    out = apply_overrides(table, ["volume.queries_per_month=40000", "strategies.ft.hosting.fee_usd_per_month=100",
                                  "strategies.ft.llm.output_tokens=7", "volume.queries_per_month=50000"])
    assert out["volume"]["queries_per_month"] == 50000, "a later override wins"
    assert out["strategies"]["ft"]["hosting"] == {"fee_usd_per_month": 100}
    assert out["strategies"]["ft"]["llm"]["output_tokens"] == 7
    assert table == {"volume": {"queries_per_month": 1}, "strategies": {"ft": {"llm": {"output_tokens": 5}}}}, \
        "the table given is not changed"


def test_apply_overrides_into_a_distribution_table():
    table = {"strategies": {"ft": {"training": {"run_usd": {"dist": "uniform", "min": 1, "max": 2}}}}}
    out = apply_overrides(table, [(("strategies", "ft", "training", "run_usd", "max"), 9)])
    assert out["strategies"]["ft"]["training"]["run_usd"] == {"dist": "uniform", "min": 1, "max": 9}


def test_setting_into_a_non_table_names_the_path():
    with pytest.raises(OverrideError, match=r"volume.queries_per_month.x \(from --set\): volume.queries_per_month "
                                            r"is a number \(1\), not a table"):
        apply_overrides({"volume": {"queries_per_month": 1}}, ["volume.queries_per_month.x=2"])


def test_a_new_strategy_is_a_typo_with_a_suggestion():
    with pytest.raises(OverrideError, match=r"strategies.fine_tund \(from --set\): 'fine_tund' is not a strategy; "
                                            r"did you mean 'fine_tuned'\? \(strategies: rag, fine_tuned\); "
                                            "--set cannot add one"):
        apply_overrides({"strategies": {"rag": {}, "fine_tuned": {}}}, ["strategies.fine_tund.training.run_usd=1"])


def test_with_baseline_is_an_override():
    assert with_baseline(["a=1"], "rag") == ("a=1", "scenario.baseline=rag")
    assert with_baseline((), None) == ()
    text, = with_baseline((), "my model")
    assert parse_override(text) == (("scenario", "baseline"), "my model")


def test_format_override_reads_back():
    for item in [(("a", "b"), {"dist": "uniform", "min": 0.2, "max": 0.4}), (("a",), "two words"), (("a",), 1.5),
                 (("a", "x y"), [1, 2]), (("a",), "rag"), (("a",), "true"), (("a",), True)]:
        assert parse_override(format_override(item)) == item


# --- load_scenario(path, overrides) ---------------------------------------------------------------


def test_no_override_gives_the_identical_scenario(minimal_path):
    plain = load_scenario(minimal_path)
    assert load_scenario(minimal_path, ()) == plain
    assert load_scenario(minimal_path, []) == plain
    assert plain.overrides == ()
    assert plain.source_hash == hashlib.sha256(minimal_path.read_bytes()).hexdigest()


def test_numbers_strings_and_distributions(minimal_path):
    scenario = load_scenario(minimal_path, [
        "volume.queries_per_month=40000",
        f"{RUN_USD}=8000",
        'scenario.title="What if: $8k run"',
        'volume.growth_per_month={dist="uniform",min=0.01,max=0.03}',
        "strategies.ft.hosting.fee_usd_per_month=100",  # a section the file does not have
    ])
    assert scenario.volume.queries_per_month == 40000
    assert scenario.inputs[RUN_USD].is_constant and scenario.inputs[RUN_USD].median == 8000
    assert scenario.title == "What if: $8k run"
    growth = scenario.inputs["volume.growth_per_month"]
    assert growth.support == (0.01, 0.03)
    assert scenario.strategies["ft"].hosting.fee_usd_per_month.distribution.median == 100
    assert scenario.overrides == ("volume.queries_per_month=40000", f"{RUN_USD}=8000", 'scenario.title="What if: $8k run"',
                                  'volume.growth_per_month={dist="uniform",min=0.01,max=0.03}',
                                  "strategies.ft.hosting.fee_usd_per_month=100")
    assert pickle.loads(pickle.dumps(scenario)) == scenario


def test_arrays_and_the_baseline(minimal_path):
    scenario = load_scenario(minimal_path, ["scenario.analysis_horizons_months=[6, 18]",
                                            *with_baseline((), "ft")])
    assert scenario.analysis_horizons == (6, 18)
    assert scenario.baseline == "ft" and scenario.challengers == ("rag",)


def test_same_as_editing_the_file(minimal_path, tmp_path):
    edited = tmp_path / "minimal.toml"
    edited.write_text(minimal_path.read_text().replace("queries_per_month = 50_000", "queries_per_month = 40_000"))
    by_file, by_set = load_scenario(edited), load_scenario(minimal_path, ["volume.queries_per_month=40_000"])
    assert by_set.volume == by_file.volume and by_set.inputs == by_file.inputs
    assert by_set.strategies == by_file.strategies


def test_a_typo_in_the_key_says_did_you_mean(minimal_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(minimal_path, ["strategies.ft.training.retrain_evry_months=3"])
    message = str(caught.value)
    assert message.startswith(f"{minimal_path}: strategies.ft.training.retrain_evry_months (from --set): "
                              "unknown key 'retrain_evry_months'; did you mean 'retrain_every_months'?")
    assert "\n" not in message
    assert caught.value.path == "strategies.ft.training.retrain_evry_months", "the path stays the plain key"


def test_a_typo_in_a_section_says_did_you_mean(minimal_path):
    with pytest.raises(ScenarioError, match=r"volum \(from --set\): unknown section \[volum\]; did you mean 'volume'"):
        load_scenario(minimal_path, ["volum.queries_per_month=3"])


@pytest.mark.parametrize("override, message", [
    (f"{RUN_USD}=-5", f"{RUN_USD} (from --set): must be between 0 and 1e12 (got -5)"),
    (f'{RUN_USD}={{dist="uniform",min=-1,max=3}}', f"{RUN_USD} (from --set): the distribution uniform"),
    ("volume.queries_per_month=0", "volume.queries_per_month (from --set): must be > 0"),
    ("scenario.baseline=nope", "scenario.baseline (from --set): 'nope' is not a strategy"),
    ("simulation.sampler=sobl", "simulation.sampler (from --set): must be one of mc, lhs, sobol"),
    ("strategies.ft.training.training_tokens=1e6",
     "strategies.ft.training (with --set strategies.ft.training.training_tokens=1e6): give either run_usd"),
])
def test_a_value_out_of_range_names_the_key_and_says_set(minimal_path, override, message):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(minimal_path, [override])
    assert str(caught.value).startswith(f"{minimal_path}: {message}")
    assert "\n" not in str(caught.value)


def test_the_file_key_is_not_blamed_on_set(minimal_path):
    """An error about a key no override touched reads as a plain file error."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(minimal_path, ["volume.sweep_max=10"])  # now below the file's sweep_min
    assert str(caught.value) == (f"{minimal_path}: volume.sweep_min: sweep_min (1000) must be below sweep_max (10)")


def test_hash_changes_with_overrides(minimal_path):
    plain = load_scenario(minimal_path).source_hash
    a = load_scenario(minimal_path, ["volume.queries_per_month=40000"]).source_hash
    b = load_scenario(minimal_path, ["volume.queries_per_month=40001"]).source_hash
    same = load_scenario(minimal_path, ["volume.queries_per_month = 40_000"]).source_hash
    assert len({plain, a, b}) == 3
    assert a == same, "the hash covers what is set, not how it is spelled"


def test_bad_override_text_names_the_file(minimal_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(minimal_path, ["volume.queries_per_month"])
    assert str(caught.value) == (f"{minimal_path}: --set 'volume.queries_per_month' is not KEY=VALUE "
                                 "(e.g. --set volume.queries_per_month=40000)")


def test_parse_with_overrides_of_a_table(minimal_path):
    import tomllib

    table = tomllib.loads(minimal_path.read_text())
    plain = parse_scenario_with_overrides(table)
    assert plain == parse_scenario(table)
    changed = parse_scenario_with_overrides(table, [("volume.queries_per_month", 7)])
    assert changed.volume.queries_per_month == 7 and changed.overrides == ("volume.queries_per_month=7",)
    assert changed.source_hash != plain.source_hash
    assert table["volume"]["queries_per_month"] == 50_000
