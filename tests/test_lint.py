"""Lint in `validate`: each check on a small scenario that triggers it and one that does not, with
the money in its message worked out by hand; the shipped scenarios lint clean; the CLI's several
files, stdin and --strict."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from ftrag_mc.cli import main
from ftrag_mc.lint import (
    CHECKS, LintWarning, check_catalog_prices, check_component_asymmetry, check_deciding_constant,
    check_launch_delay, lint_scenario,
)
from ftrag_mc.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]

HEAD = """
[scenario]
horizon_months = 12
baseline = "rag"

[volume]
queries_per_month = 10_000

[team]
engineer_week_usd = 4000
"""


def scenario(body: str):
    return parse_scenario(tomllib.loads(HEAD + textwrap.dedent(body)), name="t")


def test_the_registry_holds_the_four_checks():
    assert list(CHECKS) == ["component-asymmetry", "launch-delay", "catalog-prices", "deciding-constant"]
    assert all(check.doc and callable(check.run) for check in CHECKS.values())


# --- component asymmetry --------------------------------------------------------------------------

# RAG: 1,000 tokens at $1/M = $0.001 a query, $10 a month, $120 over 12 months; errors 10 % x $2 =
# $0.20 a query, $2,000 a month, $24,000. Fine-tune: a $1,000 run, 500 tokens = $60. NPCs $24,120
# and $1,060: ΔNPC = -$23,060; with the fine-tune paying RAG's $24,000 of errors it is +$940.
ERROR_FREE_FT = """
[strategies.rag]
llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
quality = { error_rate = 0.1, cost_per_error_usd = 2 }

[strategies.ft]
llm = { prompt_tokens = 500, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
training = { run_usd = { dist = "uniform", min = 500, max = 1500 } }
"""


def test_a_missing_quality_section_that_flips_the_answer():
    [warning] = check_component_asymmetry(scenario(ERROR_FREE_FT))
    assert warning.path == "strategies.ft"
    assert warning.message == (
        "has no [quality] (treated as error-free) while strategies.rag pays $24k for errors at the medians; "
        "counting it on both sides flips the answer (ΔNPC ft vs rag -$23.1k -> $940): give ft a quality section")


def test_quality_on_both_sides_is_quiet():
    both = ERROR_FREE_FT.replace("training = {", "quality = { error_rate = 0.05, cost_per_error_usd = 2 }\ntraining = {")
    assert check_component_asymmetry(scenario(both)) == []


def test_a_missing_component_that_moves_the_answer_by_more_than_a_fifth():
    # RAG: 1,000 tokens at $10/M = $0.01 a query, $1,200 over 12 months, errors 1 % x $2 = $2,400.
    # The fine-tune's $100 alone: ΔNPC = 100 - 3,600 = -$3,500; with $2,400 of errors -$1,100, a
    # move of 2,400 / 3,500 = 69 % without a flip.
    s = scenario("""
        [strategies.rag]
        llm = { prompt_tokens = 1000, input_usd_per_mtok = 10, output_usd_per_mtok = 0 }
        quality = { error_rate = 0.01, cost_per_error_usd = 2 }

        [strategies.ft]
        one_time_usd = 100
    """)
    [warning] = check_component_asymmetry(s)
    assert "pays $2.4k for errors" in warning.message
    assert "moves it by 69 % (ΔNPC ft vs rag -$3.5k -> -$1.1k)" in warning.message


def test_a_missing_component_too_small_to_matter_is_quiet():
    # Errors cost RAG 0.1 % x $2 x 10,000 x 12 = $240 against a ΔNPC of about $100k: under a fifth.
    s = scenario("""
        [strategies.rag]
        llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
        quality = { error_rate = 0.001, cost_per_error_usd = 2 }

        [strategies.ft]
        one_time_usd = 100_000
    """)
    assert check_component_asymmetry(s) == []


def test_missing_labour_on_the_baseline():
    # The fine-tune pays 2 setup weeks + 0.5 a month x 12 = 8 weeks x $4,000 = $32,000 of labour;
    # RAG pays $1,200 of tokens and no one to build it. ΔNPC = 32,000 - 1,200 = $30.8k; with the
    # labour on RAG too it is -$1,200.
    s = scenario("""
        [strategies.rag]
        llm = { prompt_tokens = 1000, input_usd_per_mtok = 10, output_usd_per_mtok = 0 }

        [strategies.ft]
        labour = { setup_weeks = 2, maintenance_weeks_per_month = 0.5 }
    """)
    [warning] = check_component_asymmetry(s)
    assert warning.path == "strategies.rag"
    assert warning.message.startswith("has no [labour] (no engineering time to set up or maintain it) while "
                                      "strategies.ft pays $32k for engineering time")
    assert "flips the answer (ΔNPC ft vs rag $30.8k -> -$1.2k): give rag a labour section" in warning.message


RETRIEVAL = """
[strategies.rag]
llm = { prompt_tokens = 100, context_tokens = 2000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
retrieval = { vector_store_usd_per_month = 500 }

[strategies.ft]
llm = { prompt_tokens = 100, CONTEXT input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
training = { run_usd = 1000 }
"""


def test_a_fine_tune_without_retrieved_context_needs_no_retrieval():
    assert check_component_asymmetry(scenario(RETRIEVAL.replace("CONTEXT", ""))) == []


def test_retrieved_context_without_retrieval_is_flagged():
    # Both pay 2,100 tokens at $1/M: $21 a month each; RAG's store $500 x 12 = $6,000; the
    # fine-tune's run $1,000. ΔNPC = 1,000 - 6,000 = -$5,000; with a store of its own +$1,000.
    [warning] = check_component_asymmetry(scenario(RETRIEVAL.replace("CONTEXT", "context_tokens = 2000,")))
    assert warning.path == "strategies.ft"
    assert "while strategies.rag pays $6k for retrieval" in warning.message
    assert "(ΔNPC ft vs rag -$5k -> $1k): give ft a retrieval section" in warning.message


# --- launch delay ---------------------------------------------------------------------------------

DELAY = """
[strategies.rag]
launch_weeks = { dist = "uniform", min = 1, max = 3 }
RAG_EXTRA
llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }

[strategies.ft]
launch_weeks = FT_LAUNCH
FT_EXTRA
llm = { prompt_tokens = 500, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
training = { run_usd = 1000 }
"""


def delay_scenario(rag_extra="", ft_launch="0", ft_extra=""):
    return scenario(DELAY.replace("RAG_EXTRA", rag_extra).replace("FT_LAUNCH", ft_launch).replace("FT_EXTRA", ft_extra))


def test_a_late_strategy_with_nothing_serving_meanwhile_is_flagged():
    [warning] = check_launch_delay(delay_scenario())
    assert warning == LintWarning("strategies.rag.launch_weeks", (
        "launches after 1-3 weeks with no interim and no delay_cost_usd_per_month: it serves nothing and costs "
        "nothing before launch, while strategies.ft may serve from week 0; give it interim = "
        "\"<the strategy serving meanwhile>\" or a delay cost"))


@pytest.mark.parametrize("rag_extra", ["delay_cost_usd_per_month = 2000", 'interim = "ft"'])
def test_an_interim_or_a_delay_cost_is_quiet(rag_extra):
    assert check_launch_delay(delay_scenario(rag_extra=rag_extra)) == []


def test_weeks_before_anything_serves_are_the_same_for_every_strategy():
    # The fine-tune launches after 4-6 weeks with RAG serving meanwhile: before RAG launches
    # nothing serves on either side.
    assert check_launch_delay(delay_scenario(ft_launch="{ dist = \"pert\", min = 4, mode = 5, max = 6 }",
                                             ft_extra='interim = "rag"')) == []


def test_one_shared_launch_delay_is_the_same_draw():
    s = scenario("""
        [inputs]
        weeks = { dist = "uniform", min = 1, max = 3 }

        [strategies.rag]
        launch_weeks = "weeks"
        llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }

        [strategies.cached]
        launch_weeks = "weeks"
        llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
        cache = { hit_rate = 0.9 }
    """)
    assert check_launch_delay(s) == []


# --- catalog prices -------------------------------------------------------------------------------

PRICED = """
[strategies.rag]
llm = { prompt_tokens = 1000, input_usd_per_mtok = PRICE, output_usd_per_mtok = 15 }

[strategies.ft]
llm = { prompt_tokens = 500, input_usd_per_mtok = 3, output_usd_per_mtok = 15 }
training = { run_usd = 1000 }
"""


def test_a_price_a_thousand_times_the_catalogs_is_flagged():
    # $3,000 per million tokens: Sonnet's $3 typed per thousand tokens; the catalog's input prices
    # top out far below $300 (10x its highest), so it is flagged, and a list price is not.
    [warning] = check_catalog_prices(scenario(PRICED.replace("PRICE", "3000")))
    assert warning.path == "strategies.rag.llm.input_usd_per_mtok"
    assert "more than 10x above" in warning.message
    assert check_catalog_prices(scenario(PRICED.replace("PRICE", "3"))) == []


# --- a constant that decides the answer -----------------------------------------------------------

# RAG: 2,000 tokens at $1/M x 10,000 x 12 = $240. Fine-tune: 1,000 tokens = $120, plus a $100 run:
# $220, ΔNPC = -$20. A $200 run gives +$80; RAG at 1,000 tokens costs $120 (ΔNPC +$100); the
# fine-tune at 2,000 tokens $340 (ΔNPC +$100). The prices flip it too but are published, not estimates.
CLOSE = """
[strategies.rag]
llm = { prompt_tokens = 2000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }

[strategies.ft]
llm = { prompt_tokens = 1000, input_usd_per_mtok = 1, output_usd_per_mtok = 0 }
training = { run_usd = RUN }
"""


def test_constants_that_flip_the_answer_at_half_or_double():
    warnings = {w.path: w.message for w in check_deciding_constant(scenario(CLOSE.replace("RUN", "100")))}
    assert set(warnings) == {"strategies.ft.training.run_usd", "strategies.rag.llm.prompt_tokens",
                             "strategies.ft.llm.prompt_tokens"}
    assert warnings["strategies.ft.training.run_usd"] == (
        "is a constant (100) but the answer flips if it is 0.5x-2x: at 2x (200) ΔNPC ft vs rag is $80 "
        "instead of -$20; give it a range")
    assert "at 0.5x (1,000) ΔNPC ft vs rag is $100 instead of -$20" in warnings["strategies.rag.llm.prompt_tokens"]


def test_a_range_or_a_clear_answer_is_quiet():
    # A $100k run: ΔNPC near +$100k, which no halving or doubling of a token count turns around.
    assert check_deciding_constant(scenario(CLOSE.replace("RUN", "100_000"))) == []
    ranged = CLOSE.replace("RUN", '{ dist = "uniform", min = 50, max = 150 }').replace(
        "prompt_tokens = 2000", 'prompt_tokens = { dist = "uniform", min = 1500, max = 2500 }').replace(
        "prompt_tokens = 1000", 'prompt_tokens = { dist = "uniform", min = 500, max = 1500 }')
    assert check_deciding_constant(scenario(ranged)) == []


def test_a_moved_constant_stays_inside_its_key_range():
    # RAG's errors: 60 % x $1 x 10,000 x 12 = $72k against the fine-tune's $80k: ΔNPC = +$8k. Doubled,
    # the rate is clipped to 100 % (not 120 %): RAG $120k, ΔNPC -$40k (unclipped it would be -$64k).
    s = scenario("""
        [strategies.rag]
        quality = { error_rate = 0.6, cost_per_error_usd = 1 }

        [strategies.ft]
        one_time_usd = 80_000
    """)
    [warning] = [w for w in check_deciding_constant(s) if w.path == "strategies.rag.quality.error_rate"]
    assert "at 2x (1) ΔNPC ft vs rag is -$40k instead of $8k" in warning.message


# --- shipped scenarios ----------------------------------------------------------------------------

ARTICLE = ROOT / "scenarios" / "article-breakeven.toml"


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "scenarios").glob("*.toml") if p != ARTICLE),
                         ids=lambda p: p.name)
def test_shipped_scenarios_lint_clean(path):
    assert lint_scenario(load_scenario(path)) == []


def test_the_articles_point_figures_each_decide_its_answer():
    # The article's worked case is all constants, and each of its six figures flips the answer at
    # half or double its value; by hand at 100k queries/month over 36 months (3.6M calls), ΔNPC =
    # run - 0.0015 x 3.6M = -$400, and with the run doubled $10,000 - $5,400 = $4.6k.
    warnings = lint_scenario(load_scenario(ARTICLE))
    assert {w.path for w in warnings} == {
        "inputs.prompt_tokens", "inputs.output_tokens", "strategies.rag.llm.context_tokens",
        "strategies.fine_tune.llm.input_premium", "strategies.fine_tune.llm.output_premium",
        "strategies.fine_tune.training.run_usd"}
    [run] = [w for w in warnings if w.path.endswith("run_usd")]
    assert "at 2x (10,000) ΔNPC fine_tune vs rag is $4.6k instead of -$400" in run.message


# --- the command ----------------------------------------------------------------------------------

@pytest.fixture
def flagged(tmp_path) -> Path:
    path = tmp_path / "flagged.toml"
    path.write_text(HEAD + ERROR_FREE_FT)
    return path


def test_validate_prints_warnings_on_stderr_and_exits_0(runner, flagged):
    result = runner.invoke(main, ["validate", str(flagged)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{flagged}: valid.") and result.stdout.rstrip().endswith("1 warning.")
    [line] = result.stderr.splitlines()
    assert line.startswith(f"warning: {flagged}: strategies.ft: has no [quality]")


def test_strict_makes_warnings_errors(runner, flagged, minimal_path):
    result = runner.invoke(main, ["validate", "--strict", str(flagged), str(minimal_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {flagged}: strategies.ft: has no [quality]")
    assert result.stdout.splitlines() == [line for line in result.stdout.splitlines() if line.startswith(str(minimal_path))]
    assert runner.invoke(main, ["validate", "--strict", str(minimal_path)]).exit_code == 0


def test_validate_several_files_reports_each_and_exits_with_the_worst(runner, minimal_path, full_path, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nhorizon_months = 12\n")
    result = runner.invoke(main, ["validate", str(minimal_path), str(bad), str(full_path)])
    assert result.exit_code == 2
    valid = result.stdout.splitlines()
    assert [line.split(":")[0] for line in valid] == [str(minimal_path), str(full_path)]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {bad}: missing section [volume] (start volume, growth, ceiling, sweep)"]
    assert runner.invoke(main, ["validate", str(minimal_path), str(minimal_path)]).exit_code == 0


def test_validate_reads_stdin(runner, minimal_path, flagged):
    result = runner.invoke(main, ["validate", "-"], input=minimal_path.read_text())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<stdin>: valid. 2 strategies")
    warned = runner.invoke(main, ["validate", "-"], input=flagged.read_text())
    assert warned.stderr.startswith("warning: <stdin>: strategies.ft: has no [quality]")
    broken = runner.invoke(main, ["validate", "-"], input="[scenario\n")
    assert broken.exit_code == 2
    assert broken.stderr.startswith("Error: <stdin>: invalid TOML")
