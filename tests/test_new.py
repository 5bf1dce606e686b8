"""`ftrag-mc new`: every template, with its defaults and with flags, validates, lints clean and runs;
the file is never overwritten without --force; on a terminal it asks, elsewhere it takes defaults."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ftrag_mc.authoring import TEMPLATES, NewScenario, parse_new_path, render_template
from ftrag_mc.cli import main
from ftrag_mc.lint import lint_scenario
from ftrag_mc.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


FLAGS = ["--volume", "40000", "--horizon", "24", "--growth", "0.01", "--engineer-week-usd", "5000",
         "--title", 'Our "docs" bot', "--figure", "training_run_usd=8000", "--figure", "context_tokens=3000"]


def new(runner, *args, **kwargs):
    return runner.invoke(main, ["new", *args], prog_name="ftrag-mc", **kwargs)


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_a_fresh_template_validates_and_lints_clean(runner, here, template):
    result = new(runner, "mine", "--template", template)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Wrote mine.toml (template {template}: {TEMPLATES[template].doc}).",
        'Edit the lines marked "assumption: replace", then: ftrag-mc run mine.toml']
    assert sorted(p.name for p in here.iterdir()) == ["mine.toml"], "no temporary file left behind"
    scenario = load_scenario(here / "mine.toml")
    assert scenario.volume.queries_per_month == 100_000
    assert scenario.horizon_months == 36
    assert scenario.inputs["volume.growth_per_month"].median == 0.02
    assert lint_scenario(scenario) == []
    assert runner.invoke(main, ["validate", "--strict", "mine.toml"]).exit_code == 0


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_flags_fill_the_placeholders(runner, here, template):
    result = new(runner, "flagged", "--template", template, *FLAGS)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(here / "flagged.toml")
    assert scenario.title == 'Our "docs" bot'
    assert scenario.volume.queries_per_month == 40_000
    assert scenario.horizon_months == 24
    assert scenario.inputs["volume.growth_per_month"].median == 0.01
    # The engineer-week is a PERT from -15 % to +10 % around the value: 4,250 / 5,000 / 5,500.
    week = scenario.inputs["team.engineer_week_usd"]
    assert (week.min, week.mode, week.max) == (4250, 5000, 5500)
    text = (here / "flagged.toml").read_text()
    assert "mode = 8000," in text and "mode = 3000," in text
    assert "{{" not in text


@pytest.mark.slow
@pytest.mark.parametrize("template", list(TEMPLATES))
@pytest.mark.parametrize("flags", [[], FLAGS], ids=["defaults", "flags"])
def test_a_new_scenario_runs_as_written(runner, here, template, flags):
    assert new(runner, "job", "--template", template, *flags).exit_code == 0
    result = runner.invoke(main, ["run", "job.toml", "--samples", "500", "--out", str(here / "out")])
    assert result.exit_code == 0, result.output
    assert (here / "out" / "job" / "summary.csv").stat().st_size > 0


def test_the_run_figure_spread(runner, here):
    # rag-vs-hosted draws the run from 0.4x to 2x the figure: 8,000 -> PERT(3,200, 8,000, 16,000).
    assert new(runner, "run", "--figure", "training_run_usd=8000").exit_code == 0
    run = load_scenario(here / "run.toml").inputs["strategies.fine_tune.training.run_usd"]
    assert (run.min, run.mode, run.max) == (3200, 8000, 16000)


def test_never_overwrites_without_force(runner, here):
    (here / "mine.toml").write_text("# my own work\n")
    result = new(runner, "mine")
    assert result.exit_code == 2
    assert result.output == "Error: mine.toml: exists; not replacing it (give --force to replace it)\n"
    assert (here / "mine.toml").read_text() == "# my own work\n"
    forced = new(runner, "mine", "--force", "--template", "hybrid")
    assert forced.exit_code == 0, forced.output
    assert "template hybrid" in (here / "mine.toml").read_text()
    assert sorted(p.name for p in here.iterdir()) == ["mine.toml"]


def test_name_may_be_a_path(runner, here):
    (here / "sub").mkdir()
    assert new(runner, "sub/a").exit_code == 0
    assert new(runner, "sub/b.toml").exit_code == 0
    assert sorted(p.name for p in (here / "sub").iterdir()) == ["a.toml", "b.toml"]
    assert "ftrag-mc run sub/c.toml" in new(runner, "sub/c").output
    missing = new(runner, "nowhere/x")
    assert missing.exit_code == 2
    assert missing.output == "Error: nowhere/x.toml: the folder nowhere does not exist\n"
    assert parse_new_path("x.toml") == Path("x.toml")
    assert parse_new_path("x.v2") == Path("x.v2.toml")


@pytest.mark.parametrize(("args", "message"), [
    (["--figure", "training_run=1"], "has no figure 'training_run'; did you mean 'training_run_usd'?"),
    (["--figure", "training_run_usd"], "expected NAME=NUMBER"),
    (["--figure", "training_run_usd=lots"], "'lots' is not a number"),
    (["--figure", "training_run_usd=0"], "must be > 0"),
    (["--template", "hybrid", "--figure", "escalated_share=0.9"], "must be > 0 and <= 0.5"),
])
def test_bad_figures_are_one_line_errors(runner, here, args, message):
    result = new(runner, "x", *args)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("Error: --figure") and message in line
    assert list(here.iterdir()) == []


def test_without_a_terminal_it_asks_nothing(runner, here):
    result = new(runner, "quiet", input="hybrid\n")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"Wrote quiet.toml (template rag-vs-hosted: {TEMPLATES['rag-vs-hosted'].doc})."
    assert len(result.output.splitlines()) == 2, "no question asked"


def test_on_a_terminal_it_asks_for_what_is_missing(runner, here, monkeypatch):
    monkeypatch.setattr("ftrag_mc.cli_new._stdin_is_terminal", lambda: True)
    answers = "hybrid\nSupport bot\n25000\n0.03\n24\n4000\n"
    result = new(runner, "asked", input=answers)
    assert result.exit_code == 0, result.output
    for question in ("Template", "Title", "Queries per month at the start", "Monthly growth", "Horizon in months",
                     "Loaded cost of an engineer-week"):
        assert question in result.output
    scenario = load_scenario(here / "asked.toml")
    assert scenario.title == "Support bot"
    assert "hybrid" in scenario.strategies
    assert scenario.volume.queries_per_month == 25_000
    assert scenario.inputs["volume.growth_per_month"].median == 0.03
    assert scenario.horizon_months == 24
    assert scenario.inputs["team.engineer_week_usd"].mode == 4000


def test_on_a_terminal_flags_given_are_not_asked_and_enter_takes_defaults(runner, here, monkeypatch):
    monkeypatch.setattr("ftrag_mc.cli_new._stdin_is_terminal", lambda: True)
    result = new(runner, "mixed", "--template", "rag-vs-self-hosted", "--volume", "7000", input="\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Template" not in result.output and "Queries per month" not in result.output
    scenario = load_scenario(here / "mixed.toml")
    assert scenario.volume.queries_per_month == 7000
    assert scenario.horizon_months == 36
    assert scenario.title == "mixed: " + TEMPLATES["rag-vs-self-hosted"].doc


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_every_figure_says_where_it_comes_from(template):
    text = render_template(NewScenario(template=template), Path("x.toml"))
    lines = text.splitlines()
    section = ""
    for i, line in enumerate(lines):
        if line.startswith("["):
            section = line
        if line.startswith("#") or "=" not in line or not re.search(r"\d", line.split("=", 1)[1]):
            continue
        if section in ("[simulation]", "[scenario]"):
            continue
        assert "#" in line or lines[i - 1].startswith("#"), f"{template}: no source for: {line}"
    assert "{{" not in text


def test_templates_ship_as_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["package-data"]["ftrag_mc.templates"] == ["*.toml"]
    shipped = {p.stem for p in (ROOT / "ftrag_mc" / "templates").glob("*.toml")}
    assert shipped == set(TEMPLATES)


def test_a_title_with_quotes_and_newlines_is_data(runner, here):
    title = 'a "b" \\ c\nd = 1'
    assert new(runner, "t", "--title", title).exit_code == 0
    assert load_scenario(here / "t.toml").title == title


@pytest.mark.parametrize(("name", "message"), [
    ("", "'' is not a file name"),
    ("sub/", "'sub/' is not a file name"),
    ("my scenario", "'my scenario' cannot name a scenario (it names the report folder)"),
    ("x\ny", "'x\\ny' cannot name a scenario"),
    (".hidden", "'.hidden' cannot name a scenario"),
])
def test_names_that_cannot_name_a_report_are_refused(runner, here, name, message):
    result = new(runner, name)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {message}")
    assert list(here.iterdir()) == []


def test_control_characters_in_a_title_stay_data(runner, here):
    title = "a\x7fb\x01c"  # DEL is left raw by JSON but not allowed raw in TOML
    assert new(runner, "t", "--title", title).exit_code == 0
    assert load_scenario(here / "t.toml").title == title
