"""Run a command and record its wall time and peak RSS, measured from a small, clean parent.

Usage: python benchmarks/measure_child.py RESULT_FILE -- COMMAND [ARG ...]

Why a separate launcher: on Linux a process's ``ru_maxrss`` survives ``execve`` — a child forked
(or vforked) from a big process starts with that process's peak RSS as its own. run_all.py has
simulated a million samples in-process by the time it measures subprocesses, so measuring them as
its direct children would report its memory, not theirs. This launcher is a fresh interpreter of a
few MB with nothing imported, so the command it starts inherits only that.

Writes ``maxrss_kb wall_s returncode`` to RESULT_FILE and exits with the command's exit status; the
command's stdout and stderr are passed through. Standard library only, on purpose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    """Run ``argv[2:]`` (after ``--``), write its figures to ``argv[0]``; return its exit status.

    Parameters
    ----------
    argv : list of str
        ``[RESULT_FILE, "--", COMMAND, ARG, ...]``.

    Returns
    -------
    int
        The command's exit status (negative signal numbers map to 128 + signal, as shells do).
    """
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    result_file, cmd = argv[0], argv[2:]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    # wait4 gives this child's own rusage (not the sum over every child, as RUSAGE_CHILDREN would).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # Popen must not wait for it again
    with open(result_file, "w") as f:
        f.write(f"{usage.ru_maxrss} {wall!r} {code}\n")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
