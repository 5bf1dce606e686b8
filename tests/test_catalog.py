"""The price catalog: its figures are MODEL.md §7's, lookups are offline, and `model = ...` fills a scenario.

Every expected price here is copied from MODEL.md §7 ("Reference prices"), not read from the catalog.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime
import io
import socket
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from ftrag_mc import catalog
from ftrag_mc.catalog import lookup_gpu, lookup_model, lookup_serving, price_warnings, stale_notes
from ftrag_mc.cli import main
from ftrag_mc.errors import ScenarioError
from ftrag_mc.report.records import catalog_entries as _catalog_entries
from ftrag_mc.scenario import load_scenario, parse_scenario

SCENARIOS = Path(__file__).parent.parent / "scenarios"

# --- lookups pinned to MODEL.md §7 -----------------------------------------------------------------

# model: (input, output) USD per million tokens.
TOKEN_PRICES = {
    "claude-sonnet-4-5": (3, 15), "claude-haiku-4-5": (1, 5), "gpt-4o": (2.50, 10), "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2, 8), "gpt-4.1-mini": (0.40, 1.60), "gpt-5": (1.25, 10), "gpt-5-mini": (0.25, 2),
}
# model: (training, tuned input, tuned output) USD per million tokens.
FINE_TUNING = {
    "gpt-4o": (25, 3.75, 15), "gpt-4o-mini": (3, 0.30, 1.20), "gpt-4.1": (25, 3, 12), "gpt-4.1-mini": (5, 0.80, 3.20),
}
# Cache read multipliers: Anthropic 0.1; OpenAI 50 % off (4o), 75 % off (4.1), 90 % off (GPT-5).
CACHE_READ = {"claude-sonnet-4-5": 0.1, "claude-haiku-4-5": 0.1, "gpt-4o": 0.5, "gpt-4o-mini": 0.5, "gpt-4.1": 0.25,
              "gpt-4.1-mini": 0.25, "gpt-5": 0.1, "gpt-5-mini": 0.1}


@pytest.mark.parametrize("name", TOKEN_PRICES)
def test_token_prices_are_model_md(name):
    prices = lookup_model(name)
    assert (prices.input_usd_per_mtok, prices.output_usd_per_mtok) == pytest.approx(TOKEN_PRICES[name])
    assert prices.cache_read_multiplier == pytest.approx(CACHE_READ[name])


def test_haiku_and_sonnet_cache_prices():
    haiku, sonnet = lookup_model("claude-haiku-4-5"), lookup_model("claude-sonnet-4-5")
    assert (haiku.cache_read_multiplier, haiku.cache_write_multiplier) == pytest.approx((0.1, 1.25))
    # Sonnet: read $0.30, 5-minute write $3.75 on a $3 input price.
    assert (sonnet.cache_read_multiplier * 3, sonnet.cache_write_multiplier * 3) == pytest.approx((0.30, 3.75))


def test_openai_cache_writes_cost_the_input_price():
    # OpenAI caches automatically and charges no write surcharge; genai-prices has no write price.
    assert lookup_model("gpt-4.1-mini").cache_write_multiplier == 1.0


@pytest.mark.parametrize("name", FINE_TUNING)
def test_fine_tuning_prices_are_model_md(name):
    prices = lookup_model(name)
    assert (prices.training_usd_per_mtok, prices.tuned_input_usd_per_mtok,
            prices.tuned_output_usd_per_mtok) == pytest.approx(FINE_TUNING[name])


def test_models_without_published_fine_tuning_have_no_tuned_prices():
    haiku = lookup_model("claude-haiku-4-5")
    assert haiku.training_usd_per_mtok is haiku.tuned_input_usd_per_mtok is haiku.tuned_output_usd_per_mtok is None


@pytest.mark.parametrize("name, price", [("text-embedding-3-small", 0.02), ("text-embedding-3-large", 0.13),
                                         ("voyage-3", 0.06)])
def test_embedding_prices(name, price):
    model = lookup_model(name)
    assert model.input_usd_per_mtok == pytest.approx(price)
    assert model.is_embedding


def test_gpu_rates_and_serving_throughput():
    assert lookup_gpu("l40s").reserved_usd_per_hour == (0.80, 1.17)
    assert lookup_gpu("L40S").on_demand_usd_per_hour == (0.86, 2.25)
    assert lookup_gpu("a100-80gb").on_demand_usd_per_hour == (1.48, 2.50)
    assert lookup_gpu("h100").on_demand_usd_per_hour == (2.86, 3.95)
    assert lookup_gpu("h100").reserved_usd_per_hour is None
    assert lookup_serving("llama-3.1-8b", "h100").tokens_per_second == 12_500
    assert lookup_serving("qwen2.5-14b").tokens_per_second == 3_000  # one GPU has a figure: no gpu needed
    assert lookup_serving("qwen2.5-coder-32b", "a100-80gb").tokens_per_second == 580


def test_the_articles_latency_figure_is_kept():
    figure = catalog.latency_figures()["tuned-haiku-vs-sonnet"]
    assert (figure["fast_prompt_tokens"], figure["slow_prompt_tokens"]) == (600, 4000)
    assert figure["ttft_advantage_ms"] == [500, 900] and figure["generation_advantage_s"] == [1, 2]


@pytest.mark.parametrize("spelling", ["claude-haiku-4.5", "Claude Haiku 4.5", "CLAUDE_HAIKU_4_5", " claude-haiku-4-5 "])
def test_names_are_normalised(spelling):
    assert lookup_model(spelling) == lookup_model("claude-haiku-4-5")
    assert lookup_model("gpt-4-1-mini").name == "gpt-4.1-mini"


def test_models_outside_the_curated_list_come_from_genai_prices():
    opus = lookup_model("claude-opus-4-1")  # Anthropic's published $15 / $75
    assert (opus.input_usd_per_mtok, opus.output_usd_per_mtok) == (15, 75)
    assert opus.source.startswith("genai-prices 0.2.3")


@pytest.mark.parametrize("name, hint", [("claude-haiku-4-6", "claude-haiku-4-5"), ("gpt-4.1-minii", "gpt-4.1-mini"),
                                        ("gtp-4o", "gpt-4o")])
def test_unknown_model_says_did_you_mean(name, hint):
    with pytest.raises(ScenarioError, match=f"did you mean '{hint}'"):
        lookup_model(name)


def test_hostile_names_give_one_short_line():
    for name in ("", "x" * 20_000, "gpt-4o\x00\nrm", "(["):
        with pytest.raises(ScenarioError) as error:
            lookup_model(name)
        assert "\n" not in str(error.value) and "\x00" not in str(error.value) and len(str(error.value)) < 200


def test_serving_errors_name_what_exists():
    with pytest.raises(ScenarioError, match="several GPUs .*a100-80gb, h100"):
        lookup_serving("llama-3.1-8b")
    with pytest.raises(ScenarioError, match="qwen2.5-coder-32b on l40s .*a100-80gb.*throughput_tokens_per_second"):
        lookup_serving("qwen2.5-coder-32b", "l40s")
    with pytest.raises(ScenarioError, match="did you mean 'h100'"):
        lookup_gpu("h10")


def test_every_entry_has_a_date_and_a_source():
    raw = tomllib.loads(resources.files("ftrag_mc").joinpath("data/prices.toml").read_text("utf-8"))
    dated = [*raw["gpus"].values(), *raw["serving"], *raw["providers"].values(), *raw["latency"].values()]
    dated += [spec for spec in raw["models"].values() if set(spec) - {"provider"}]  # entries adding figures
    for spec in dated:
        assert isinstance(spec["as_of"], str) and datetime.date.fromisoformat(spec["as_of"]) <= datetime.date(2026, 12, 3)
        assert spec["source"].strip()
    for model in catalog.models():
        assert isinstance(model.as_of, datetime.date) and model.source


def test_the_pinned_genai_prices_is_the_installed_one():
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert "genai-prices==0.2.3" in pyproject["project"]["dependencies"]
    assert "data/*.toml" in pyproject["tool"]["setuptools"]["package-data"]["ftrag_mc"]
    assert lookup_model("gpt-4o").source.startswith(f"genai-prices {catalog.data.genai_version()} ")


# --- offline -----------------------------------------------------------------------------------------

def test_lookups_never_touch_the_network(monkeypatch):
    from genai_prices import data_snapshot, update_prices

    def refuse(*_args, **_kwargs):
        raise AssertionError("the catalog opened a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # A snapshot fetched by someone else's auto-updater in this process is not ours to use.
    monkeypatch.setattr(data_snapshot, "_custom_snapshot", data_snapshot.DataSnapshot(providers=[], from_auto_update=True))
    for cached in (catalog.data.catalog_data, catalog.data.genai_snapshot, catalog.lookup_model):
        cached.cache_clear()
    try:
        assert lookup_model("claude-haiku-4.5").input_usd_per_mtok == 1
        assert lookup_model("claude-opus-4-1").output_usd_per_mtok == 75
        assert catalog.search("gpt-4.1")
        assert update_prices._shared_updater.ref_count == 0  # the auto-updater never started
    finally:
        for cached in (catalog.data.catalog_data, catalog.data.genai_snapshot, catalog.lookup_model):
            cached.cache_clear()


# --- a scenario names a model ------------------------------------------------------------------------

def _scenario(**strategies) -> dict:
    base = {"llm": {"prompt_tokens": 1000, "output_tokens": 100, "input_usd_per_mtok": 3, "output_usd_per_mtok": 15}}
    return {"scenario": {"baseline": "base", "horizon_months": 12}, "volume": {"queries_per_month": 10_000},
            "strategies": {"base": base, **strategies}}


def _value(scenario, strategy, component, key):
    return getattr(getattr(scenario.strategies[strategy], component), key).distribution.median


def test_llm_model_fills_the_prices():
    scenario = parse_scenario(_scenario(ft={"llm": {"model": "claude-haiku-4.5", "prompt_tokens": 600}}))
    assert _value(scenario, "ft", "llm", "input_usd_per_mtok") == 1
    assert _value(scenario, "ft", "llm", "output_usd_per_mtok") == 5
    assert _value(scenario, "ft", "llm", "input_premium") == 0


def test_explicit_keys_win_over_the_catalog(tmp_path):
    table = _scenario(ft={"llm": {"model": "claude-haiku-4-5", "input_usd_per_mtok": 0.8},
                          "cache": {"hit_rate": 0.9, "write_multiplier": 2.0}})
    scenario = parse_scenario(table)
    assert _value(scenario, "ft", "llm", "input_usd_per_mtok") == 0.8   # given
    assert _value(scenario, "ft", "llm", "output_usd_per_mtok") == 5    # from the catalog
    assert _value(scenario, "ft", "cache", "write_multiplier") == 2.0   # given (the 1-hour write)
    assert _value(scenario, "ft", "cache", "read_multiplier") == 0.1    # from llm.model
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nbaseline = "base"\n[volume]\nqueries_per_month = 1000\n'
                    '[strategies.base]\nllm = { model = "gpt-4o", output_tokens = 10 }\n'
                    '[strategies.ft]\nllm = { model = "gpt-4o-mini", output_tokens = 10 }\n')
    overridden = load_scenario(path, ["strategies.ft.llm.output_usd_per_mtok=0.5"])
    assert _value(overridden, "ft", "llm", "output_usd_per_mtok") == 0.5
    assert _value(overridden, "ft", "llm", "input_usd_per_mtok") == 0.15
    swapped = load_scenario(path, ["strategies.ft.llm.model=gpt-4.1-mini"])
    assert _value(swapped, "ft", "llm", "input_usd_per_mtok") == 0.40


@pytest.mark.parametrize("model, premium", [("gpt-4.1-mini", 1.0), ("gpt-4o-mini", 1.0), ("gpt-4o", 0.5), ("gpt-4.1", 0.5)])
def test_tuned_takes_the_tuned_prices_as_premiums(model, premium):
    # MODEL.md §7: tuned gpt-4.1-mini $0.80 / $3.20 is 2x its $0.40 / $1.60; gpt-4o $3.75 / $15 is 1.5x.
    scenario = parse_scenario(_scenario(ft={"llm": {"model": model, "tuned": True}}))
    assert _value(scenario, "ft", "llm", "input_premium") == pytest.approx(premium)
    assert _value(scenario, "ft", "llm", "output_premium") == pytest.approx(premium)


def test_tuned_training_and_hosting_come_from_the_llm_model():
    table = _scenario(ft={"llm": {"model": "gpt-4.1-mini", "tuned": True},
                          "training": {"training_tokens": 2e6, "epochs": 3}, "hosting": {}})
    scenario = parse_scenario(table)
    assert _value(scenario, "ft", "training", "training_usd_per_mtok") == 5
    assert _value(scenario, "ft", "hosting", "fee_usd_per_month") == 0
    given = copy.deepcopy(table)
    given["strategies"]["ft"]["training"] = {"run_usd": 2000}
    assert parse_scenario(given).strategies["ft"].training.training_usd_per_mtok is None  # run_usd given: not filled


def test_tuned_without_a_tuned_price_is_an_error_unless_the_premiums_are_given():
    with pytest.raises(ScenarioError, match="no tuned-inference price for 'claude-haiku-4-5'") as error:
        parse_scenario(_scenario(ft={"llm": {"model": "claude-haiku-4-5", "tuned": True}}))
    assert error.value.path == "strategies.ft.llm.tuned"
    given = parse_scenario(_scenario(ft={"llm": {"model": "claude-haiku-4-5", "tuned": True,
                                                 "input_premium": 0.3, "output_premium": 0.3}}))
    assert _value(given, "ft", "llm", "input_premium") == 0.3
    with pytest.raises(ScenarioError, match="name the model") as error:
        parse_scenario(_scenario(ft={"llm": {"tuned": True, "input_usd_per_mtok": 1, "output_usd_per_mtok": 5}}))
    assert error.value.path == "strategies.ft.llm.tuned"
    with pytest.raises(ScenarioError, match="expected true or false"):
        parse_scenario(_scenario(ft={"llm": {"model": "gpt-4o", "tuned": "yes"}}))


def test_a_training_price_the_catalog_lacks_is_an_error():
    with pytest.raises(ScenarioError, match="no fine-tuning training price for 'claude-haiku-4-5'.*run_usd") as error:
        parse_scenario(_scenario(ft={"llm": {"model": "gpt-4o"},
                                     "training": {"model": "claude-haiku-4-5", "training_tokens": 1e6, "epochs": 2}}))
    assert error.value.path == "strategies.ft.training.model"


def test_retrieval_escalation_and_self_hosted_models():
    scenario = parse_scenario(_scenario(ft={
        "llm": {"output_tokens": 100, "input_usd_per_mtok": 0, "output_usd_per_mtok": 0},
        "retrieval": {"model": "text-embedding-3-small", "embedding_tokens_per_query": 50},
        "escalation": {"model": "claude-sonnet-4.5", "share": 0.1, "input_tokens": 3000, "output_tokens": 300},
        "self_hosted": {"model": "llama-3.1-8b", "gpu": "h100", "utilization": 0.5},
    }))
    assert _value(scenario, "ft", "retrieval", "embedding_usd_per_mtok") == 0.02
    assert (_value(scenario, "ft", "escalation", "input_usd_per_mtok"),
            _value(scenario, "ft", "escalation", "output_usd_per_mtok")) == (3, 15)
    hosted = scenario.strategies["ft"].self_hosted
    assert hosted.throughput_tokens_per_second.distribution.median == 12_500
    assert hosted.gpu_usd_per_hour.distribution.support == pytest.approx((2.86, 3.95))  # uniform over the range


def test_self_hosted_reserved_rates_and_explicit_throughput():
    scenario = parse_scenario(_scenario(ft={
        "llm": {"output_tokens": 100, "input_usd_per_mtok": 0, "output_usd_per_mtok": 0},
        "self_hosted": {"model": "qwen2.5-coder-32b", "gpu": "l40s", "gpu_pricing": "reserved", "utilization": 0.5,
                        "throughput_tokens_per_second": 400}}))
    hosted = scenario.strategies["ft"].self_hosted
    assert hosted.gpu_usd_per_hour.distribution.support == pytest.approx((0.80, 1.17))
    assert hosted.throughput_tokens_per_second.distribution.median == 400
    with pytest.raises(ScenarioError, match="no reserved rate for a100-80gb") as error:
        parse_scenario(_scenario(ft={"llm": {"output_tokens": 1, "input_usd_per_mtok": 0, "output_usd_per_mtok": 0},
                                     "self_hosted": {"gpu": "a100-80gb", "gpu_pricing": "reserved", "utilization": 0.5,
                                                     "throughput_tokens_per_second": 3000}}))
    assert error.value.path == "strategies.ft.self_hosted.gpu_pricing"


def test_an_embedding_model_is_needed_for_retrieval():
    with pytest.raises(ScenarioError, match="not an embedding model"):
        parse_scenario(_scenario(ft={"llm": {"model": "gpt-4o"}, "retrieval": {"model": "gpt-4o"}}))


def test_unknown_model_in_a_scenario_names_the_key():
    with pytest.raises(ScenarioError) as error:
        parse_scenario(_scenario(ft={"llm": {"model": "claude-haiku-4.6"}}), file="s.toml")
    assert error.value.path == "strategies.ft.llm.model"
    assert str(error.value).startswith("s.toml: strategies.ft.llm.model: 'claude-haiku-4.6' is not a hosted model")
    assert "did you mean 'claude-haiku-4-5'" in str(error.value)


def test_cli_unknown_model_is_one_line_exit_2(runner, tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('[scenario]\nbaseline = "a"\n[volume]\nqueries_per_month = 1000\n'
                    '[strategies.a]\nllm = { model = "gpt-4o", output_tokens = 10 }\n'
                    '[strategies.b]\nescalation = { model = "claude-sonet-4-5", share = 0.1, input_tokens = 1, output_tokens = 1 }\n')
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert f"{path}: strategies.b.escalation.model: 'claude-sonet-4-5'" in lines[0]
    assert "did you mean 'claude-sonnet-4-5'" in lines[0]


# --- hash, run record, the shipped scenario ------------------------------------------------------------

def test_the_hash_follows_the_catalogs_prices(monkeypatch):
    table = _scenario(ft={"llm": {"model": "claude-haiku-4-5"}})
    before = parse_scenario(table).source_hash
    assert parse_scenario(table).source_hash == before
    key = catalog.normalise("claude-haiku-4-5")
    changed = dataclasses.replace(catalog.data.catalog_data().models[key], input_usd_per_mtok=0.8)
    monkeypatch.setitem(catalog.data.catalog_data().models, key, changed)
    catalog.lookup_model.cache_clear()
    try:
        assert parse_scenario(table).source_hash != before
    finally:
        monkeypatch.undo()
        catalog.lookup_model.cache_clear()


def test_run_record_lists_the_entries_used():
    scenario = parse_scenario(_scenario(ft={"llm": {"model": "gpt-4.1-mini", "tuned": True}, "cache": {"hit_rate": 0.5}}))
    entries = _catalog_entries(scenario)
    assert [(e["name"], e["used_by"]) for e in entries] == [("gpt-4.1-mini", ["strategies.ft.llm", "strategies.ft.cache"])]
    assert entries[0]["as_of"] == "2026-10-01" and "MODEL.md §7" in entries[0]["source"]
    assert _catalog_entries(parse_scenario(_scenario(ft={"llm": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 5}}))) == []


def _without_models(table: dict) -> dict:
    """The support-classifier with the catalog's keys replaced by MODEL.md §7's Haiku prices, by hand."""
    table = copy.deepcopy(table)
    for strategy in table["strategies"].values():
        llm = strategy["llm"]
        assert llm.pop("model") == "claude-haiku-4-5"
        llm.pop("tuned", None)
        llm.update(input_usd_per_mtok=1.0, output_usd_per_mtok=5.0)
        if "cache" in strategy:
            strategy["cache"].update(read_multiplier=0.1, write_multiplier=1.25)
    return table


def test_the_converted_shipped_scenario_has_the_same_inputs():
    path = SCENARIOS / "support-classifier.toml"
    table = tomllib.loads(path.read_text())
    with_models, by_hand = parse_scenario(table), parse_scenario(_without_models(table))
    # Every quantity of the model, by name and distribution: the same inputs make the same run.
    assert with_models.inputs == by_hand.inputs
    assert with_models.source_hash != by_hand.source_hash


# --- prices command ------------------------------------------------------------------------------------

def test_prices_search_haiku(runner):
    result = runner.invoke(main, ["prices", "--search", "haiku"])
    assert result.exit_code == 0, result.output
    header, _, first = result.output.splitlines()[1:4]
    assert header.split()[:4] == ["model", "provider", "input", "output"]
    assert first.split()[:6] == ["claude-haiku-4-5", "anthropic", "1", "5", "0.1", "1.25"]
    assert "gpt-4o" not in result.output


def test_prices_csv(runner):
    result = runner.invoke(main, ["prices", "--csv"])
    assert result.exit_code == 0
    rows = {row["model"]: row for row in csv.DictReader(io.StringIO(result.output))}
    mini = rows["gpt-4.1-mini"]
    assert (mini["input_usd_per_mtok"], mini["training_usd_per_mtok"], mini["tuned_input_usd_per_mtok"],
            mini["tuned_output_usd_per_mtok"]) == ("0.4", "5.0", "0.8", "3.2")
    assert rows["claude-sonnet-4-5"]["cache_write_usd_per_mtok"] == "3.75"
    assert rows["claude-haiku-4-5"]["training_usd_per_mtok"] == ""
    assert all(row["as_of"] and row["source"] for row in rows.values())


def test_prices_lists_gpus_and_says_when_nothing_matches(runner):
    result = runner.invoke(main, ["prices", "--search", "h100"])
    assert "2.86-3.95" in result.output and "12,500 tokens/s" in result.output
    nothing = runner.invoke(main, ["prices", "--search", "no-such-thing"])
    assert nothing.exit_code == 0 and nothing.output.strip() == "No catalog entry matches 'no-such-thing'."


# --- age notes and price warnings ------------------------------------------------------------------------

def test_validate_notes_prices_older_than_a_year(runner, monkeypatch):
    path = str(SCENARIOS / "support-classifier.toml")
    fresh = runner.invoke(main, ["validate", path])
    assert fresh.exit_code == 0 and "note:" not in fresh.output  # 2026-11-01 is less than a year before today
    monkeypatch.setattr(catalog.checks, "_today", lambda: datetime.date(2027, 11, 3))  # 367 days after 2026-11-01
    stale = runner.invoke(main, ["validate", path])
    assert stale.exit_code == 0
    notes = [line for line in stale.output.splitlines() if line.startswith("note:")]
    assert notes and all("claude-haiku-4-5 is from 2026-11-01, 367 days ago" in note for note in notes)
    assert notes[0].startswith(f"note: {path}: strategies.prompted.llm:")


def test_stale_notes_count_days():
    scenario = parse_scenario(_scenario(ft={"llm": {"model": "gpt-4o"}}))  # as of 2026-10-01
    assert stale_notes(scenario, today=datetime.date(2027, 10, 1)) == []    # exactly 365 days: not yet
    assert len(stale_notes(scenario, today=datetime.date(2027, 10, 2))) == 1


def test_price_warnings_flag_tenfold_slips():
    # Catalog chat input prices run $0.15-$3 per million tokens: 30 and 0.015 are the edges.
    table = _scenario(
        slip={"llm": {"output_tokens": 1, "input_usd_per_mtok": 3e-6, "output_usd_per_mtok": 15}},
        big={"llm": {"output_tokens": 1, "input_usd_per_mtok": 31, "output_usd_per_mtok": 150},
             "retrieval": {"embedding_usd_per_mtok": 20}},
        edge={"llm": {"output_tokens": 1, "input_usd_per_mtok": 30, "output_usd_per_mtok": 0}},
        catalog={"llm": {"model": "claude-opus-4-1"}},  # $75 output, filled in: not an explicit price
    )
    warnings = dict(price_warnings(parse_scenario(table)))
    assert set(warnings) == {"strategies.slip.llm.input_usd_per_mtok", "strategies.big.llm.input_usd_per_mtok",
                             "strategies.big.retrieval.embedding_usd_per_mtok"}
    assert "below" in warnings["strategies.slip.llm.input_usd_per_mtok"]
    assert "above the catalog's embedding prices (0.02 to 0.13)" in warnings["strategies.big.retrieval.embedding_usd_per_mtok"]


# --- the cache of genai-prices' figures -------------------------------------------------------------

def test_the_shipped_genai_cache_is_what_the_pinned_package_gives(tmp_path):
    # The cache spares a run the package's data module; it must hold exactly the package's figures
    # (regenerate with catalog.write_genai_cache() after changing the pin or the curated models).
    import json

    shipped = json.loads(resources.files("ftrag_mc").joinpath(catalog.GENAI_CACHE).read_text("utf-8"))
    fresh = catalog.write_genai_cache(str(tmp_path / "cache.json"))
    assert shipped == json.loads(json.dumps(fresh))


def test_a_curated_model_is_priced_without_importing_the_package_data():
    code = ("import sys; from ftrag_mc.catalog import lookup_model; m = lookup_model('claude-haiku-4.5'); "
            "print(m.input_usd_per_mtok, m.output_usd_per_mtok, 'genai_prices.data' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1.0", "5.0", "False"]  # MODEL.md §7: Haiku 4.5 $1 / $5
