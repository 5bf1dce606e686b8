"""What ``--target-se`` watches: which estimate must reach which standard error before sampling stops.

Pure Python (no numpy), so the command line can check the option for ``--help`` and errors alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ftrag_mc.limits import MAX_USD

__all__ = ["TARGETS", "TargetSE", "parse_target_se"]

#: kind -> what its standard error is of, and its unit.
TARGETS: dict[str, str] = {
    "pwin": "every P(win) at your volume (each challenger, each analysis horizon), a probability",
    "saving": "the decision's expected saving (the recommended strategy against the runner-up, at your "
              "volume and the longest horizon), in the scenario's currency",
}


@dataclass(frozen=True)
class TargetSE:
    """A target standard error: ``kind`` (``pwin`` or ``saving``) and its ``value`` (a probability
    for ``pwin``, an amount for ``saving``)."""

    kind: str
    value: float

    def __post_init__(self) -> None:
        if self.kind not in TARGETS:
            raise ValueError(f"--target-se: unknown estimate {self.kind!r}; use one of {', '.join(TARGETS)} "
                             "(e.g. 0.005 or pwin=0.005 for P(win), saving=1000 for the expected saving)")
        hi = 0.5 if self.kind == "pwin" else MAX_USD
        if not (math.isfinite(self.value) and 0 < self.value < hi):
            raise ValueError(f"--target-se: {self.kind} must lie between 0 and {hi:g} (got {self.value:g})")

    def __str__(self) -> str:
        return f"{self.kind}={self.value:g}"


def parse_target_se(target: TargetSE | float | str) -> TargetSE:
    """``0.005`` or ``"pwin=0.005"`` (P(win)'s standard error), ``"saving=1000"`` (the expected
    saving's, in currency); a :class:`TargetSE` is returned as it is.

    Raises
    ------
    ValueError
        For an unknown estimate, a value that is not a number, or one out of range.
    """
    if isinstance(target, TargetSE):
        return target
    if isinstance(target, (int, float)):
        return TargetSE("pwin", float(target))
    kind, sep, value = str(target).partition("=")
    if not sep:
        kind, value = "pwin", kind
    try:
        number = float(value.replace("_", ""))
    except ValueError:
        raise ValueError(f"--target-se: {value.strip()!r} is not a number (e.g. 0.005 or saving=1000)") from None
    return TargetSE(kind.strip().lower(), number)
