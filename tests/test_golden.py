"""Same seed, same bytes as the code before the house refactor: every CSV every command writes for
the shipped scenarios (digests recorded by ``python tests/golden.py --write`` at that commit)."""

from __future__ import annotations

import json

import pytest

from golden import CASES, GOLDEN, run_case_pinned

pytestmark = pytest.mark.slow

RECORDED = json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_bytes_as_recorded(name, tmp_path):
    got = run_case_pinned(name, tmp_path / name)
    want = RECORDED[name]
    assert sorted(got) == sorted(want), "the set of CSV files changed"
    changed = [f for f in want if got[f] != want[f]]
    assert not changed, f"{name}: these CSVs differ from the recorded bytes: {changed}"
