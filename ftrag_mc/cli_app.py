"""``ftrag-mc app``: the command that serves the web page (:mod:`ftrag_mc.app`), on the command
line's floor beside :mod:`ftrag_mc.cli`, which registers it. The web library loads only when the
command runs (it is an extra: ``pip install 'ftrag-mc[app]'``)."""

from __future__ import annotations

from pathlib import Path

import click

from ftrag_mc.cli_edge import UserError
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import MAX_WORKERS

__all__ = ["app"]


@click.command()
@click.argument("scenario", required=False, type=click.Path(path_type=str))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on; another than 127.0.0.1 makes the page reachable from other machines.")
@click.option("--port", type=click.IntRange(0, 65535), help="The port [default: a free one, printed].")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; just print the address.")
@click.option("--workers", "-j", type=click.IntRange(min=1, max=MAX_WORKERS),
              help="Worker processes computing views [default: all CPUs, at most 8].")
def app(scenario: str | None, host: str, port: int | None, no_browser: bool, workers: int | None) -> None:
    """A local web page over SCENARIO: edit any input, see the answer update.

    Shows the headline, P(win) against volume, the ΔNPC distribution, the top inputs and the cost
    breakdown, computed as `run` computes them. Edit the volume, growth, every uncertain input's
    distribution, the key prices or any key (as --set), pick the challenger and baseline, samples
    (at most 200,000 on the page) and seed; download the edited scenario as TOML, the CSVs and the
    board pack; share the view by its link. Needs the web extra: pip install 'ftrag-mc[app]'.
    SCENARIO defaults to the shipped scenarios/support-classifier.toml. Example:

        ftrag-mc app scenarios/support-classifier.toml --port 8050 --no-browser
    """
    try:
        from ftrag_mc.app.serve import serve
    except ImportError as error:
        raise UserError(f"ftrag-mc app needs the web extra: pip install 'ftrag-mc[app]' ({error})") from None
    path = scenario or _shipped_scenario()
    try:
        serve(path, host=host, port=port, open_browser=not no_browser, workers=workers, echo=click.echo)
    except ScenarioError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot serve on {host}:{port or 'a free port'}: {error.strerror or error}") from None


def _shipped_scenario() -> str:
    """scenarios/support-classifier.toml beside the package (a checkout or an editable install)."""
    shipped = Path(__file__).resolve().parent.parent / "scenarios" / "support-classifier.toml"
    if not shipped.is_file():
        raise UserError("give a SCENARIO file (the shipped scenarios/ folder is not beside this installation; "
                        "ftrag-mc new NAME writes one)")
    return str(shipped)
