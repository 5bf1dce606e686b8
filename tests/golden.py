"""The golden outputs: SHA-256 of every CSV the commands write for the shipped scenarios, as written
by the code before the house refactor (issue 14, "behaviour is unchanged").

``python tests/golden.py --write`` records the digests of the current code in
``tests/fixtures/golden.json`` (do that only on purpose, when a change of output is intended and said
in the commit); ``tests/test_golden.py`` compares the current code with them.

Text meant for people (columns.csv, summary.md, the PDF, run.json) is left out: its words may change
while the numbers may not.

The digests were recorded with numpy's AVX2 kernels. On a CPU with AVX-512, numpy dispatches its
``exp``, ``log`` and ``power`` loops to other kernels whose results differ in the last bit (a run
repeats itself bit for bit on one machine, not across instruction sets): measured on 2026-12-07,
hybrid's sensitivity CSVs changed bytes on an AVX-512 machine and matched with those kernels off.
So every case runs in a fresh interpreter with the AVX-512 kernels switched off
(:data:`PINNED_ENV`), here and when recording.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "fixtures" / "golden.json"
SCENARIOS = ("dsl-codegen", "hybrid", "latency-tradeoff", "legal-docs", "rough-breakeven", "support-classifier")
SAMPLES, SEED = "2000", "7"

#: name -> command lines (argv after ``ftrag-mc``; OUT is replaced by the output folder). Each
#: case writes into a folder of its own.
CASES: dict[str, list[list[str]]] = {
    **{f"run-{s}": [["run", f"scenarios/{s}.toml", "-n", SAMPLES, "-s", SEED, "-q", "-o", "OUT"]] for s in SCENARIOS},
    **{f"explain-{s}": [["explain", f"scenarios/{s}.toml", "-q", "-o", "OUT"]] for s in SCENARIOS},
    "explain-p90": [["explain", "scenarios/latency-tradeoff.toml", "-p", "90", "--volume", "50000", "-q", "-o", "OUT"]],
    **{f"sensitivity-{s}": [["sensitivity", f"scenarios/{s}.toml", "-n", "1000", "-s", SEED, "--sobol-samples", "64",
                             "-q", "-o", "OUT"]] for s in ("hybrid", "support-classifier")},
    "sweep-1d": [["sweep", "scenarios/support-classifier.toml", "--x", "volume.queries_per_month=10000:1000000:5:log",
                  "-n", "500", "-s", SEED, "-q", "-o", "OUT"]],
    "sweep-2d": [["sweep", "scenarios/support-classifier.toml",
                  "--x", "strategies.fine_tuned.training.retrain_every_months=1,3,6",
                  "--y", "strategies.fine_tuned.quality.drift_pp_per_quarter=0,4", "-n", "300", "-s", SEED, "-q",
                  "-o", "OUT"]],
    "compare": [["compare", "scenarios/support-classifier.toml", "scenarios/legal-docs.toml", "-n", "500", "-s", SEED,
                 "-q", "-o", "OUT"]],
    "compare-variants": [["compare", "scenarios/support-classifier.toml", "--variant", "volume.queries_per_month=40000",
                          "-n", "500", "-s", SEED, "-q", "-o", "OUT"]],
}

#: numpy's CPU dispatch as when the digests were recorded: no AVX-512 kernels (names numpy does
#: not find on a machine are ignored).
PINNED_ENV = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}

#: Files whose words (not numbers) may change; everything else a command writes as CSV is compared.
LEFT_OUT = {"columns.csv"}


def run_case(argv_list: list[list[str]], out: Path) -> dict[str, str]:
    """Run one case in-process from the repository root: file name -> SHA-256 of each CSV written."""
    import os

    from click.testing import CliRunner

    from ftrag_mc.cli import main

    digests: dict[str, str] = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for argv in argv_list:
            result = CliRunner().invoke(main, [str(out) if a == "OUT" else a for a in argv], catch_exceptions=False)
            if result.exit_code != 0:
                raise AssertionError(f"ftrag-mc {' '.join(argv)} exited {result.exit_code}: {result.output}")
    finally:
        os.chdir(cwd)
    for path in sorted(out.rglob("*.csv")):
        if path.name not in LEFT_OUT:
            digests[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def run_case_pinned(name: str, out: Path) -> dict[str, str]:
    """:func:`run_case` of ``CASES[name]`` in a fresh interpreter with :data:`PINNED_ENV`."""
    import os
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--case", name, str(out)], env={**os.environ, **PINNED_ENV},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"case {name} exited {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main(argv: list[str]) -> int:
    import os
    import tempfile

    if len(argv) == 3 and argv[0] == "--case":
        print(json.dumps(run_case(CASES[argv[1]], Path(argv[2]))))
        return 0
    if argv != ["--write"]:
        print(__doc__)
        return 2
    if any(os.environ.get(k) != v for k, v in PINNED_ENV.items()):  # record as the test compares
        os.execve(sys.executable, [sys.executable, __file__, *argv], {**os.environ, **PINNED_ENV})
    record = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv_list in CASES.items():
            record[name] = run_case(argv_list, Path(tmp) / name)
            print(f"{name}: {len(record[name])} CSVs", file=sys.stderr)
    GOLDEN.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
