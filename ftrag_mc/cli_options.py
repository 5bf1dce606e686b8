"""The click arguments and options several commands share, as decorators (sqlite-utils'
``output_options``): a command lists what it takes in a few lines, and an option reads the same
in every command that has it. And :func:`command_line`, the options as the user gave them."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import click

from ftrag_mc.limits import MAX_QUERIES_PER_MONTH, MAX_SAMPLES, MAX_SEED, MAX_USD

# Amounts a command takes directly, bounded like the scenario keys they stand for.
VOLUME = click.FloatRange(min=0, max=MAX_QUERIES_PER_MONTH, min_open=True)
USD = click.FloatRange(min=0, max=MAX_USD, min_open=True)

#: ftrag_mc.sampling.SAMPLERS, named here so that --help imports no numpy (a test keeps them equal).
SAMPLERS = ("mc", "lhs", "sobol")

F = TypeVar("F", bound=Callable)

# A plain path: a folder, a device or a FIFO is refused by the scenario reader, on one line.
scenario_argument = click.argument("scenario", type=click.Path(path_type=str))


def _stacked(*options: Callable[[F], F]) -> Callable[[F], F]:
    """The options applied so that ``--help`` lists them in the order given."""
    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def what_if_options(command: F) -> F:
    """``--set KEY=VALUE`` (repeatable) and ``--baseline NAME``, for every command that loads a scenario."""
    return _stacked(
        click.option("--set", "overrides", metavar="KEY=VALUE", multiple=True,
                     help="Override a scenario value by its dotted key, validated like the file, e.g. "
                          "--set strategies.ft.training.run_usd=8000 or "
                          "--set 'volume.growth_per_month={dist=\"uniform\",min=0,max=0.05}'. Repeatable."),
        click.option("--baseline", "baseline", metavar="NAME",
                     help="Compare against this strategy instead of the scenario's baseline."),
    )(command)


def sampling_options(*, samples: str, seed: str, sampler: str, min_samples: int = 100,
                     default_samples: int | None = None,
                     samplers: Sequence[str] = SAMPLERS) -> Callable[[F], F]:
    """``--samples/-n``, ``--seed/-s`` and ``--sampler``, with each command's own help texts.

    Parameters
    ----------
    samples, seed, sampler
        The help of each option (what the command does with it, and its default).
    min_samples, default_samples
        The fewest samples accepted, and the default (None: the scenario's, said in the help).
    samplers
        The sampling schemes the command accepts.
    """
    return _stacked(
        click.option("--samples", "-n", type=click.IntRange(min=min_samples, max=MAX_SAMPLES), default=default_samples,
                     show_default=default_samples is not None, help=samples),
        click.option("--seed", "-s", type=click.IntRange(min=0, max=MAX_SEED), help=seed),
        click.option("--sampler", type=click.Choice(samplers), help=sampler),
    )


def output_options(out: str) -> Callable[[F], F]:
    """``--out/-o`` (the folder reports go under, ``out_dir``) with the command's help, and
    ``--quiet/-q``."""
    return _stacked(
        click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
                     show_default=True, help=out),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
    )


def command_line(scenario: str) -> str:
    """The command as the user could type it again: the options they gave, not the host's argv."""
    ctx = click.get_current_context()
    words = ["ftrag-mc", ctx.info_name or "run", scenario]
    typed = click.core.ParameterSource.COMMANDLINE
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or ctx.get_parameter_source(param.name) != typed:
            continue
        value = ctx.params[param.name]
        if param.is_flag:
            words += [param.opts[-1]]
        elif param.multiple:
            for item in value:
                words += [param.opts[0], shlex.quote(str(item))]
        else:
            words += [param.opts[0], shlex.quote(str(value))]
    return " ".join(words)
