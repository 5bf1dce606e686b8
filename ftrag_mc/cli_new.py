"""``ftrag-mc new``: a commented scenario from a template (:mod:`ftrag_mc.authoring`), on the
command line's floor beside :mod:`ftrag_mc.cli`, which registers it."""

from __future__ import annotations

import shlex
import sys

import click

from ftrag_mc.authoring import DEFAULT_TEMPLATE, TEMPLATES
from ftrag_mc.cli_edge import UserError
from ftrag_mc.cli_options import USD, VOLUME
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import MAX_HORIZON_MONTHS

__all__ = ["new"]


def _stdin_is_terminal() -> bool:
    """Whether ``new`` may ask questions (a function, so tests can stand in for a terminal)."""
    return sys.stdin.isatty()


class _NewCommand(click.Command):
    """``new``: its help ends with the templates and their key figures, from the template registry."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        for template in TEMPLATES.values():
            with formatter.section(f"--figure NAME=NUMBER for --template {template.name} ({template.doc})"):
                formatter.write_dl([(f"{f.name}={f.default:g}", f.doc) for f in template.figures])


@click.command(cls=_NewCommand)
@click.argument("name")
@click.option("--template", "-t", "template", type=click.Choice(tuple(TEMPLATES)),
              help=f"The strategies to compare [default: {DEFAULT_TEMPLATE}].")
@click.option("--title", help="Title on charts and reports [default: NAME and the template's description].")
@click.option("--volume", type=VOLUME, metavar="QUERIES",
              help="Queries per month at the start [default: 100,000].")
@click.option("--horizon", type=click.IntRange(1, MAX_HORIZON_MONTHS), metavar="MONTHS", help="Months simulated [default: 36].")
@click.option("--growth", type=click.FloatRange(-0.5, 2), metavar="FRACTION",
              help="Monthly growth of the volume, 0.02 = +2 % a month [default: 0.02].")
@click.option("--engineer-week-usd", type=USD, metavar="USD",
              help="Loaded cost of an engineer-week, the mode of a PERT from -15 % to +10 % [default: 4,400, MODEL.md §7].")
@click.option("--figure", "figures", metavar="NAME=NUMBER", multiple=True,
              help="A key figure of the template (each template's are listed above), e.g. --figure training_run_usd=8000. Repeatable.")
@click.option("--force", is_flag=True, help="Replace NAME.toml if it exists.")
def new(name: str, template: str | None, title: str | None, volume: float | None, horizon: int | None,
        growth: float | None, engineer_week_usd: float | None, figures: tuple[str, ...], force: bool) -> None:
    """Write NAME.toml, a commented scenario that validates and runs as written.

    NAME may be a path (.toml is added when missing). Every figure in the file says where it
    comes from (MODEL.md §7, the article) or is marked "assumption: replace". On a terminal,
    options you leave out are asked for; otherwise their defaults are taken. An existing file is
    never replaced without --force. Examples:

    \b
        ftrag-mc new support
        ftrag-mc new scenarios/my-codegen --template rag-vs-self-hosted --volume 40000 --growth 0.01
        ftrag-mc new docs-qa --template hybrid --figure escalated_share=0.15 --force
    """
    from ftrag_mc.authoring import NewScenario, check_rendered, default_title, parse_figures, parse_new_path, render_template
    from ftrag_mc.report.writers import write_text_file

    try:
        path = parse_new_path(name)
    except ValueError as error:
        raise UserError(str(error)) from None
    if path.is_dir():
        raise UserError(f"{path}: is a folder")
    if not path.parent.is_dir():
        raise UserError(f"{path}: the folder {path.parent} does not exist")
    if path.exists() and not force:
        raise UserError(f"{path}: exists; not replacing it (give --force to replace it)")
    ask = _stdin_is_terminal()
    defaults = NewScenario()
    if template is None:
        template = click.prompt("Template", type=click.Choice(tuple(TEMPLATES)), default=DEFAULT_TEMPLATE) if ask \
            else DEFAULT_TEMPLATE
    try:
        given = parse_figures(figures, template)
    except ValueError as error:
        raise UserError(str(error)) from None
    if ask:
        title = title if title is not None else click.prompt("Title", default=default_title(template, path))
        volume = volume or click.prompt("Queries per month at the start", type=VOLUME,
                                        default=defaults.queries_per_month)
        growth = growth if growth is not None else click.prompt(
            "Monthly growth (0.02 = +2 % a month)", type=click.FloatRange(-0.5, 2), default=defaults.growth_per_month)
        horizon = horizon or click.prompt("Horizon in months", type=click.IntRange(1, MAX_HORIZON_MONTHS), default=defaults.horizon_months)
        engineer_week_usd = engineer_week_usd or click.prompt(
            "Loaded cost of an engineer-week, USD", type=USD,
            default=defaults.engineer_week_usd)
    request = NewScenario(
        template=template, title=title, figures=given,
        queries_per_month=volume or defaults.queries_per_month,
        horizon_months=horizon or defaults.horizon_months,
        growth_per_month=defaults.growth_per_month if growth is None else growth,
        engineer_week_usd=engineer_week_usd or defaults.engineer_week_usd)
    try:
        text = render_template(request, path)
        check_rendered(text, path)
    except (ScenarioError, ValueError) as error:
        raise UserError(str(error)) from None
    try:
        write_text_file(path, text, overwrite=force)
    except FileExistsError:
        raise UserError(f"{path}: exists; not replacing it (give --force to replace it)") from None
    except OSError as error:
        raise UserError(f"{path}: cannot write it: {error.strerror or error}") from None
    click.echo(f"Wrote {path} (template {template}: {TEMPLATES[template].doc}).")
    click.echo(f"Edit the lines marked \"assumption: replace\", then: ftrag-mc run {shlex.quote(str(path))}")
