"""Where a command's failures become an exit status, once for all commands (README "Exit status").

A library error a user can act on (a bad scenario, a report folder that cannot be written) is a
one-line error and status 2; Ctrl-C is status 130; anything else is an internal error, status 1.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import click

from ftrag_mc.errors import ScenarioError


class UserError(click.ClickException):
    """A one-line error for the user, exit status 2, no traceback."""

    exit_code = 2


#: Exit statuses, the same for every command (README "Exit status").
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class Edge(click.Group):
    """Where every command's failures become an exit status, once for all commands.

    A bad scenario (``ScenarioError``, also one raised inside the simulation) is a one-line error
    and status 2; Ctrl-C prints "Interrupted." and exits 130 (the writers leave nothing half
    written); any other exception is an internal error: one line asking for a report and status 1,
    or the traceback with ``--debug``. Click's own errors (usage, ``UserError``) pass unchanged.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ScenarioError as error:
            raise UserError(str(error)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # e.g. `ftrag-mc format | head`: the reader left, nothing to say
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_INTERNAL)
        except Exception as error:
            if ctx.find_root().params.get("debug"):
                raise
            detail = " ".join(str(error).split())[:300] or "no message"
            click.echo(f"Error: internal error ({type(error).__name__}: {detail}). This is a bug in ftrag-mc: "
                       "please report it with the command and the scenario; --debug shows the traceback.",
                       err=True)
            ctx.exit(EXIT_INTERNAL)


@contextlib.contextmanager
def user_errors(value_prefix: str | None = None) -> Iterator[None]:
    """Library errors a user can act on, as one-line errors (exit status 2): a report folder that
    cannot be written, a bad scenario, and with ``value_prefix`` (the scenario file and ': ', or
    '') any ValueError; without it a ValueError is a bug (an internal error)."""
    try:
        yield
    except (ScenarioError, OSError) as error:  # a ScenarioError already names the file
        raise UserError(str(error)) from None
    except ValueError as error:
        if value_prefix is None:
            raise
        raise UserError(f"{value_prefix}{error}") from None
    except RuntimeError as error:
        from ftrag_mc.report.writers import ReportError  # here: a run's workers fork without matplotlib

        if not isinstance(error, ReportError):
            raise
        raise UserError(str(error)) from None
